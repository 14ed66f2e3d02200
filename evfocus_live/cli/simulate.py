"""``evfocus simulate OUTDIR``: synthetic defocused event sequences with ground truth.

Each sequence i is written as ``seq_XXXXX.aedat4`` (events) and ``seq_XXXXX.h5`` (events
in our HDF5 layout plus ``/frames``: ``t_us``, ``sharp``, ``blurred``, ``sigma``,
``depth``, ``event_idx``), using seed ``SEED + i``; ``dataset.json`` lists config, seeds
and counts. Sequences are written as they are simulated, so a long one (soak tests, long
replays) needs no more memory than a short one.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import re
from pathlib import Path

from ..errors import ConfigError
from .text import plural
from .options import number, refuse_kernel_file_system

log = logging.getLogger(__name__)

#: sequence files are named seq_XXXXX (5 digits, so they sort in order)
MAX_SEQUENCES = 100_000
#: the largest seed an .h5 attribute (int64) holds
MAX_SEED = 2 ** 63 - 1


def _resolution(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT (e.g. 346x260), got {text!r}")
    return int(m.group(1)), int(m.group(2))


def add_parser(subparsers):
    p = subparsers.add_parser(
        "simulate", help="synthetic out-of-focus event sequences with ground truth",
        description="Render layered scenes through a thin lens and generate events (ESIM-style); "
                    "writes seq_XXXXX.aedat4 + seq_XXXXX.h5 (with /frames ground truth) per sequence.")
    p.add_argument("outdir", metavar="OUTDIR", help="output folder (created if missing)")
    p.add_argument("--sequences", type=int, default=10, metavar="N", help="number of sequences, 1..100000 (default 10)")
    p.add_argument("--duration", type=number, default=2.0, metavar="S",
                   help="seconds per sequence, up to 3600 (default 2); written as simulated, so memory "
                        "does not grow with it")
    p.add_argument("--resolution", type=_resolution, default=(346, 260), metavar="WxH", help="WxH (default 346x260)")
    p.add_argument("--seed", type=int, default=0, metavar="K", help="sequence i uses seed K+i (default 0)")
    p.add_argument("--sigma-range", type=number, nargs=2, metavar=("LO", "HI"), default=(0.0, 7.0),
                   help="defocus sigma in px per layer (default 0 7; '4 4' fixes it)")
    p.add_argument("--focus-sweep", action="store_true", help="sweep the focus distance over time")
    p.add_argument("--psf", choices=("gaussian", "disk"), default="gaussian", help="defocus PSF (default gaussian)")
    p.add_argument("--frame-ms", type=number, default=25.0, metavar="X",
                   help="ground-truth frame interval in ms (default 25)")
    p.add_argument("--contrast-range", type=number, nargs=2, metavar=("LO", "HI"), default=(0.2, 0.5),
                   help="mean contrast threshold range (log units, default 0.2 0.5)")
    p.add_argument("--bandwidth-hz", type=number, nargs=2, metavar=("LO", "HI"), default=(0.0, 0.0),
                   help="pixel cutoff frequency at full intensity, lower in dark pixels "
                        "(default 0 0 = ideal pixels; e.g. 300 3000)")
    p.add_argument("--max-speed", type=number, default=250.0, metavar="PX_S",
                   help="largest image speed in px/s at 346 px width (default 250)")
    p.add_argument("--images", nargs="+", metavar="PATH",
                   help="your own pictures as the scenes' textures, in place of the bundled ones: image files "
                        "(.png, .jpg, ...), folders of them, or videos (32 frames each, evenly spaced); every "
                        "layer is a random crop of one of them")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="parallel processes (default 1)")
    p.add_argument("--no-aedat4", action="store_true", help="write only the .h5 files")
    p.add_argument("--overwrite", action="store_true", help="replace existing sequences in OUTDIR")
    p.add_argument("--resume", action="store_true",
                   help="finish an interrupted run: keep the sequences it completed (same options and "
                        "evfocus-live version) and simulate the rest")
    p.add_argument("--any-version", action="store_true",
                   help="with --resume: keep sequences another evfocus-live version made too (refused "
                        "otherwise: the dataset would mix two simulators)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (also with -q)")
    return p


#: SimConfig fields that one option sets as it is, by that option (--resume names options)
_OPTION_OF = {"duration_s": "--duration", "frame_ms": "--frame-ms", "sigma_range": "--sigma-range",
              "psf": "--psf", "contrast_range": "--contrast-range", "bandwidth_range_hz": "--bandwidth-hz"}


def _mismatch_cells(exc) -> list[tuple[str, str, str]]:
    """(option, value there, value in this run) of what a --resume'd sequence was made with
    otherwise (a ``ConfigMismatch``), as the user types them: ``--sigma-range 0 7``, not the
    ``sigma_range [0.0, 7.0]`` of the file's config; a field no option sets keeps its name."""
    from ..simulate.sequence import _cfg_cell

    there, here = exc.there, exc.here
    m = re.fullmatch(r"seq_(\d+)", exc.path.stem)
    i = int(m.group(1)) if m else 0  # sequence i has seed SEED + i
    cells: list[tuple[str, str, str]] = []
    for k in exc.differing():
        a, b = there.get(k), here.get(k)
        if k in ("width", "height") and None not in (there.get("width"), there.get("height")):
            cell = ("--resolution", f"{there['width']}x{there['height']}", f"{here['width']}x{here['height']}")
        elif k == "seed" and isinstance(a, int):
            cell = ("--seed", str(a - i), str(b - i))
        elif k == "focus_sweep" and isinstance(a, bool):
            cell = ("--focus-sweep", "on" if a else "off", "on" if b else "off")
        elif k == "images":  # (a list of paths: its size and first name, not every path)
            cell = ("--images", _pictures_cell(a), _pictures_cell(b))
        elif k == "speed_range_px_s" and isinstance(a, list) and len(a) == 2 and a[0] == b[0]:
            cell = ("--max-speed", _cfg_cell(a[1]), _cfg_cell(b[1]))
        else:
            cell = (_OPTION_OF.get(k, k), _cfg_cell(a), _cfg_cell(b))
        if cell not in cells:  # (width and height: one --resolution)
            cells.append(cell)
    return cells


def _pictures_cell(names) -> str:
    """--images in --resume's mismatch line: how many pictures, and the first."""
    if not names:
        return "not given"
    return f"{len(names)} {plural(len(names), 'picture')} ({Path(names[0]).name}{', ...' if len(names) > 1 else ''})"


def _remove_old_sequences(out: Path) -> None:
    """--overwrite: delete what an earlier run wrote (seq_* files, dataset.json), so that a
    smaller dataset does not leave old sequences beside a manifest that no longer lists them."""
    old = sorted(p for p in out.iterdir() if (p.name.startswith("seq_") or p.name == "dataset.json")
                 and (p.is_file() or p.is_symlink()))
    for p in old:
        try:
            p.unlink()
        except OSError as exc:
            raise ConfigError(f"{p}: cannot remove for --overwrite ({exc.strerror or exc})") from exc
    if old:
        log.info("--overwrite: removed %d files of an earlier run from %s", len(old), out)


def run(args) -> int:
    from ..simulate import SimConfig, simulate_dataset
    from ..simulate.sequence import ConfigMismatch

    if not 1 <= args.sequences <= MAX_SEQUENCES:  # names have 5 digits; a huge N built its job list forever
        raise ConfigError(f"--sequences must be in 1..{MAX_SEQUENCES}, got {args.sequences}")
    if args.workers < 1:
        raise ConfigError(f"--workers must be >= 1, got {args.workers}")
    if not 0 <= args.seed <= MAX_SEED - (args.sequences - 1):  # seeds are stored as int64 in each .h5
        raise ConfigError(f"--seed must be in 0..{MAX_SEED - (args.sequences - 1)} "
                          f"(seeds SEED..SEED+{args.sequences - 1} are stored as int64), got {args.seed}")
    for opt, vals in (("--duration", [args.duration]), ("--frame-ms", [args.frame_ms]),
                      ("--sigma-range", args.sigma_range), ("--contrast-range", args.contrast_range),
                      ("--bandwidth-hz", args.bandwidth_hz), ("--max-speed", [args.max_speed])):
        if not all(math.isfinite(v) for v in vals):  # NaN / inf: tracebacks or overflows further on
            raise ConfigError(f"{opt} must be finite, got {' '.join(f'{v:g}' for v in vals)}")
    if args.max_speed < 0:
        raise ConfigError(f"--max-speed must be >= 0, got {args.max_speed}")
    out = Path(args.outdir)
    refuse_kernel_file_system(str(out), out)  # (as root, /dev/x took a dataset into RAM)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a folder")
    if args.any_version and not args.resume:
        raise ConfigError("--any-version goes with --resume (it keeps another version's sequences)")
    if args.resume and args.overwrite:
        raise ConfigError("--resume keeps the sequences in OUTDIR and --overwrite deletes them: choose one")
    if out.is_dir() and not (args.overwrite or args.resume):
        clash = [p.name for p in out.iterdir() if p.name.startswith("seq_") or p.name == "dataset.json"]
        if clash:
            raise ConfigError(f"{out}: already holds simulated sequences ({clash[0]}, ...); "
                              f"use --resume to finish that run, --overwrite or another folder")
    images = ()
    if args.images:
        from ..simulate.textures import split_frame, user_image_names

        images = tuple(user_image_names(args.images))
        frames = sum(split_frame(n)[1] is not None for n in images)
        log.info("scene textures drawn from %d %s%s", len(images), plural(len(images), "picture"),
                 f" ({len(images) - frames} image {plural(len(images) - frames, 'file')}, {frames} video "
                 f"{plural(frames, 'frame')})" if frames else "")
    w, h = args.resolution
    if images:
        from ..simulate.textures import pictures_smaller_than

        small = pictures_smaller_than(list(images), w, h)
        if small:  # 160x120 photos on a 346x260 sensor: soft "sharp" frames to train on, said nowhere
            log.warning("--images: %d of the %d pictures (%s%s) are smaller than the %dx%d sensor: each scene "
                        "enlarges them, so their sharp frames are softer than its pixels; use larger pictures "
                        "or a smaller --resolution", len(small), len({split_frame(n)[0] for n in images}), ", ".join(Path(p).name for p in small[:3]),
                        ", ..." if len(small) > 3 else "", w, h)
    cfg = SimConfig(images=images, width=w, height=h, duration_s=args.duration, frame_ms=args.frame_ms,
                    sigma_range=tuple(args.sigma_range), focus_sweep=args.focus_sweep, psf=args.psf,
                    contrast_range=tuple(args.contrast_range), bandwidth_range_hz=tuple(args.bandwidth_hz),
                    speed_range_px_s=(0.0, float(args.max_speed)))  # (checked as it is made: one line)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{out}: cannot create folder ({exc.strerror})") from exc
    if not os.access(out, os.W_OK):
        raise ConfigError(f"{out}: folder is not writable")
    if args.overwrite:
        _remove_old_sequences(out)
    workers = min(args.workers, args.sequences)
    from .signals import run_with_sigterm_as_ctrl_c

    try:  # SIGTERM (kill, timeout, a batch job's end) as Ctrl-C: killed outright, it left .part files
        m = run_with_sigterm_as_ctrl_c(lambda: simulate_dataset(
            cfg, out, args.sequences, args.seed, workers=workers, aedat4=not args.no_aedat4,
            progress=not (getattr(args, "quiet", False) or args.no_progress), resume=args.resume,
            any_version=args.any_version))
    except ConfigMismatch as exc:
        raise ConfigError(exc.describe(_mismatch_cells(exc))) from None
    n_ev = m["total_events"]
    print(f"{args.sequences} {plural(args.sequences, 'sequence')}, {n_ev} {plural(n_ev, 'event')}, "
          f"{m['total_bytes'] / 1e6:.1f} MB -> {out}")
    return 0
