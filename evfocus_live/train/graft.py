"""Take one part of a network from another checkpoint of it (e.g. a defocus head).

``python -m evfocus_live.train.graft OUT BASE.pt DONOR.pt --prefix redefocus.`` writes BASE
with every tensor whose name starts with a prefix replaced by DONOR's. Why: a stage that
trains the whole network with the defocus map as a small side loss can leave the map worse
than the head that was trained for it alone on the frozen network (twelfth session: map
MAE 0.93 -> 1.08 px). The head feeds only the re-defocus module, so swapping the earlier
head back changes neither the frame nor the blur estimate. The output keeps BASE's meta
(its training chain) and records the swap under ``grafted`` for the model card.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from ..errors import CheckpointError, ConfigError, EvFocusError
from ..nn.registry import load_checkpoint, save_checkpoint

log = logging.getLogger(__name__)


def graft_checkpoint(out: str | Path, base: str | Path, donor: str | Path, prefixes: list[str],
                     half: bool = False) -> Path:
    """Write ``base`` with its ``prefixes`` tensors taken from ``donor`` (same arch and config)."""
    from .card import total_steps, training_stages

    dst, src = load_checkpoint(base), load_checkpoint(donor)  # dequantise int8, load strictly
    if dst.arch != src.arch or dict(dst.config) != dict(src.config):
        raise CheckpointError(f"{donor}: not the same network as {base} "
                              f"({src.arch} {dict(src.config)} vs {dst.arch} {dict(dst.config)})")
    sd, donor_sd = dst.state_dict(), src.state_dict()
    keys = [k for k in sd if any(k.startswith(p) for p in prefixes)]
    if not keys:
        raise CheckpointError(f"{base}: no tensor starts with {', '.join(prefixes)}")
    for k in keys:
        sd[k] = donor_sd[k].clone()
    dst.load_state_dict(sd)
    stages = training_stages(src.meta)
    meta = dict(dst.meta)
    meta["grafted"] = {"prefixes": list(prefixes), "path": str(donor), "stages": len(stages),
                       "steps": total_steps(stages), "params": int(sum(sd[k].numel() for k in keys))}
    log.info("%d tensors (%d parameters) %s from %s", len(keys), meta["grafted"]["params"], ", ".join(prefixes), donor)
    try:
        return save_checkpoint(out, dst, meta, half=half)
    except OSError as exc:
        raise unwritable(out, exc) from exc


def unwritable(out: str | Path, exc: OSError) -> ConfigError:
    """The one line for an OUT that cannot be written (a folder, or under a file): the
    user's path, not a traceback."""
    above = next((p for p in Path(out).parents if p.exists() and not p.is_dir()), None)
    why = ("a folder of that name exists" if Path(out).is_dir() else f"{above} is a file, not a folder"
           if above else f"{exc.strerror or exc} ({exc.filename})")
    return ConfigError(f"cannot write {out}: {why}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evfocus_live.train.graft", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="the checkpoint to write")
    ap.add_argument("base", type=Path, help="the checkpoint that gives everything else")
    ap.add_argument("donor", type=Path, help="the checkpoint that gives the --prefix tensors")
    ap.add_argument("--prefix", action="append", required=True, help="tensor-name prefix, e.g. redefocus. (repeatable)")
    ap.add_argument("--fp16", action="store_true", help="write float16 weights (default: as float32)")
    a = ap.parse_args(argv)
    from ..cli import EXIT_USER_ERROR

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        graft_checkpoint(a.out, a.base, a.donor, a.prefix, half=a.fp16)
    except EvFocusError as e:
        log.error("%s", e)
        return EXIT_USER_ERROR
    except OSError as e:  # e.g. an unreadable BASE: one line, not a traceback
        log.error("%s", str(e).splitlines()[0] if str(e) else type(e).__name__)
        return EXIT_USER_ERROR
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
