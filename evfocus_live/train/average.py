"""Average the weights of several checkpoints of one network (stochastic weight averaging).

``python -m evfocus_live.train.average OUT A.pt B.pt ... [--overwrite]``, for the ends of training stages
continued with ``--init``: each stage's cosine ends at a low rate in a different spot of
the same basin, and the mean of those spots generalises better than any one of them
(Izmailov et al., 2018: averaging weights along a cyclic schedule). Our networks have no
normalisation layers, so the mean needs no statistics recomputed. The output keeps the
last checkpoint's meta (its training chain) and records the sources under ``average_of``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import torch

from ..errors import CheckpointError, EvFocusError, first_line
from ..nn.registry import load_checkpoint, save_checkpoint

log = logging.getLogger(__name__)


def average_checkpoints(out: str | Path, paths: list[str | Path], half: bool = True) -> Path:
    """Write the element-wise mean of ``paths``' float weights to ``out`` (fp16 unless ``half=False``)."""
    from .card import total_steps, training_stages
    from .graft import unwritable

    if len(paths) < 2:
        raise CheckpointError("averaging needs at least two checkpoints")
    models = [load_checkpoint(p) for p in paths]  # dequantises int8, checks strict loading
    first = models[0]
    for p, m in zip(paths[1:], models[1:]):
        if m.arch != first.arch or dict(m.config) != dict(first.config):
            raise CheckpointError(f"{p}: not the same network as {paths[0]} "
                                  f"({m.arch} {dict(m.config)} vs {first.arch} {dict(first.config)})")
    avg = models[-1]
    sds = [m.state_dict() for m in models]
    with torch.no_grad():
        for key, v in avg.state_dict().items():
            if v.is_floating_point():
                v.copy_(torch.stack([sd[key].double() for sd in sds]).mean(0).to(v.dtype))
    meta = dict(avg.meta)
    # a source that is itself a mean (shipped weights averaged before) keeps its own sources,
    # so the card can say "the mean of stages 3, 4, 5" rather than "stage 5's end"
    meta["average_of"] = [{"path": str(p), "stages": len(st := training_stages(m.meta)), "steps": total_steps(st),
                           **({"average_of": m.meta["average_of"]} if m.meta.get("average_of") else {})}
                          for p, m in zip(paths, models)]
    try:
        return save_checkpoint(out, avg, meta, half=half)
    except OSError as exc:
        raise unwritable(out, exc) from exc


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evfocus_live.train.average", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="the averaged checkpoint to write (first: OUT A.pt B.pt ...)")
    ap.add_argument("checkpoints", type=Path, nargs="+", help="checkpoints of one network to average")
    ap.add_argument("--fp32", action="store_true", help="write float32 weights (default float16)")
    ap.add_argument("--overwrite", action="store_true", help="replace OUT when it exists")
    a = ap.parse_args(argv)
    from ..cli import EXIT_USER_ERROR

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if a.out.is_file() and not a.overwrite:
        # "average A.pt B.pt C.pt" (OUT forgotten) replaced stage A's weights by the mean of B and C
        log.error("%s exists: the first path is the output (OUT A.pt B.pt ...); add --overwrite to replace it", a.out)
        return EXIT_USER_ERROR
    try:
        path = average_checkpoints(a.out, a.checkpoints, half=not a.fp32)
    except EvFocusError as exc:
        log.error("%s", exc)
        return EXIT_USER_ERROR
    except OSError as exc:  # e.g. an unreadable checkpoint: one line, not a traceback
        log.error("%s", first_line(exc))
        return EXIT_USER_ERROR
    log.info("mean of %d checkpoints -> %s", len(a.checkpoints), path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
