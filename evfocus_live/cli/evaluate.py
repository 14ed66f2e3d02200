"""``evfocus eval --models A B ... --data DIR|FILE ... [--out REPORT_DIR]``.

Synthetic sequences with ground truth get MSE/PSNR/SSIM by blur level; real recordings
get no-reference metrics, and where they hold APS (grey-level) frames (a DAVIS) SSIM/MSE/PSNR
of reconstructions at those frames' times against them. Prints the Markdown table; with ``--out`` also writes
``report.md``, ``report.json`` and PNG grids of the reconstructions side by side.
Ctrl-C or SIGTERM prints (and writes) the report of what was finished, marked interrupted; exit 130.
"""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    from .options import DEVICE_HELP

    p = subparsers.add_parser("eval", help="evaluate models on simulated ground truth and real recordings",
                              description="Compare models (names or .pt paths) by blur level (synthetic) and with "
                                          "no-reference metrics (real recordings; against a DAVIS recording's own APS "
                                          "frames where it has them).")
    p.add_argument("--models", nargs="+", default=["evfocus", "e2vid"], metavar="MODEL",
                   help="model names or checkpoint paths (default: evfocus e2vid)")
    p.add_argument("--data", nargs="+", required=True, metavar="PATH", help="folders of seq_*.h5 and/or event files")
    p.add_argument("--out", default=None, metavar="OUTDIR", help="report folder (report.md, report.json, grid_*.png; an "
                   "earlier report there is kept as report.prev.*, grid_*.prev.png: one run back)")
    p.add_argument("--warmup", type=int, default=3, metavar="N", help="windows not scored after a reset (default 3)")
    p.add_argument("--max-windows", type=int, default=60, metavar="N", help="windows per real recording (default 60)")
    p.add_argument("--device", default="cpu", help=DEVICE_HELP + "; default cpu")
    p.add_argument("--no-progress", action="store_true", help="no progress bars (also with -q)")
    return p


def run(args) -> int:
    import logging

    from ..errors import ConfigError
    from ..train.evaluate import EvalInterrupted, evaluate
    from .options import check_device, check_output_dir

    if args.warmup < 0:  # a negative warm-up would score frames twice
        raise ConfigError(f"--warmup must be >= 0 windows, got {args.warmup}")
    if args.max_windows < 1:
        raise ConfigError(f"--max-windows must be >= 1, got {args.max_windows}")
    device = check_device("--device", args.device)
    if device == "auto":  # the choice is said here, once (the model loader says it at DEBUG only)
        from ..gui.precision import device_text  # (Qt-free)
        from ..nn.registry import resolve_device

        dev = resolve_device(device)
        logging.getLogger(__name__).info("device auto -> %s: the models are scored there", device_text(dev))
        device = str(dev)
    if args.out is not None:
        check_output_dir("--out", args.out)  # before the models run, not after
    from ..sources import model_option
    from .signals import run_with_sigterm_as_ctrl_c

    try:  # SIGTERM as Ctrl-C: killed outright, the report of what was finished was lost
        with model_option("--models"):  # (a checkpoint given with --data: this command's option)
            rep = run_with_sigterm_as_ctrl_c(lambda: evaluate(
                args.models, args.data, args.out, warmup=args.warmup, max_windows=args.max_windows, device=device,
                progress=not (args.no_progress or getattr(args, "quiet", False))))
    except EvalInterrupted as stop:  # Ctrl-C: the finished part, then "interrupted" and exit 130
        print(stop.report["markdown"])
        logging.getLogger(__name__).warning("interrupted: %s%s", stop.report["interrupted"],
                                            f"; partial report in {args.out}" if args.out is not None else "")
        raise
    print(rep["markdown"])
    _say_written(args.out)
    return 0


def _say_written(out) -> None:
    """Where the report's files are: the Markdown on stdout said nothing of report.json or the
    PNG grids, nor where --out put them."""
    import logging
    from pathlib import Path

    from ..train.evaluate import OUTPUT_FILES

    if out is None:
        return
    written = [n for n in OUTPUT_FILES if (Path(out) / n).is_file()]
    logging.getLogger(__name__).info("report in %s: %s", out, ", ".join(written))
