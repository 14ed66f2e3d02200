"""``evfocus train CONFIG.toml``: train a network on simulated sequences.

Writes ``OUT/last.pt`` (resumable: optimizer state and the place in the data order) every
``ckpt_every_s`` (at the end of a training item) and at the end,
``OUT/final.pt`` (weights only), ``OUT/log.csv``, ``OUT/log.json`` and ``OUT/loss.png``.
SIGTERM (``kill``, ``timeout``, a batch scheduler) stops it as Ctrl-C does.
Multi-GPU: ``torchrun --nproc_per_node N -m evfocus_live train CONFIG``... or simply
``torchrun --nproc_per_node N $(which evfocus) train CONFIG``.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from .options import number

log = logging.getLogger(__name__)


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("train", help="train a model from a TOML or YAML config",
                              description="Train EvFocus / E2VID / FireNet on simulated sequences (evfocus simulate). "
                              "The config's tables: [model] [data] [augment] [loss] [train]; README "
                              "'Training your own model' has a small one, models/configs/ the shipped recipes "
                              "(--list-configs names them and their folder in an installed package). "
                              "Precision: [train] amp = \"auto\" (default) trains under autocast on a GPU and under "
                              "bf16 autocast on a CPU with native bf16 (AVX512-BF16/AMX), in fp32 elsewhere; "
                              "amp = \"off\": fp32.")
    p.add_argument("config", nargs="?", metavar="CONFIG", help="training config (.toml; .yaml with PyYAML), or a shipped one's name "
                   "(evfocus, models/configs/evfocus.toml: found in the installed package too)")
    p.add_argument("--list-configs", action="store_true", help="list the shipped configs and their folder, and exit")
    p.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    p.add_argument("--max-minutes", type=number, default=None, metavar="M", help="wall-time budget (overrides [train] max_minutes)")
    p.add_argument("--steps", type=int, default=None, metavar="N", help="step budget (overrides [train] steps)")
    p.add_argument("--out", default=None, metavar="DIR", help="output directory (overrides [train] out)")
    p.add_argument("--data", default=None, nargs="+", metavar="DIR",
                   help="training data directories (override [data] train)")
    p.add_argument("--init", default=None, metavar="CKPT",
                   help="start from these weights (a .pt path or a shipped model's name, e.g. evfocus) with a "
                        "fresh optimiser: fine-tuning, a second training stage")
    p.add_argument("--lr", type=number, default=None, help="peak learning rate (overrides [train] lr)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def run(args) -> int:
    """SIGTERM stops the run as Ctrl-C does (last.pt and the logs written, exit 130): by
    default it killed the process, losing every step since the last periodic checkpoint."""
    import os

    from .signals import run_with_sigterm_as_ctrl_c

    rank = int(os.environ.get("RANK", "0") or 0) if int(os.environ.get("WORLD_SIZE", "1") or 1) > 1 else 0
    if rank == 0:
        return run_with_sigterm_as_ctrl_c(lambda: _run(args))
    # Under torchrun every process ran this: "resumed from", "initialised from", each warning
    # and "interrupted" came once per process. Rank 0 says them; the others say their errors only
    # (a rank's own failure is its own), and end quietly on Ctrl-C with rank 0's exit code
    pkg = logging.getLogger("evfocus_live")
    level = pkg.level
    pkg.setLevel(max(logging.ERROR, level))
    try:
        return run_with_sigterm_as_ctrl_c(lambda: _run(args))
    except KeyboardInterrupt:
        return 130
    finally:
        pkg.setLevel(level)


def resume_command(args) -> str:
    """The command that goes on from an interrupted run: its config and the options that
    chose its folder, budget, data and rate. "go on with --resume" alone, after a run with
    ``--out runs/b --steps 300``, resumed the config's own folder with the config's budget."""
    import shlex

    cmd = ["evfocus", "train", args.config, "--resume"]
    # --init too: a run stopped before its first checkpoint has no last.pt, and --resume then
    # starts afresh; without it a fine-tune went on from random weights (with it and a
    # last.pt, the same --init is not loaded, without a word)
    for flag, value in (("--out", args.out), ("--steps", args.steps), ("--max-minutes", args.max_minutes),
                        ("--lr", args.lr), ("--init", args.init)):
        if value is not None:
            cmd += [flag, str(value)]
    if args.data:
        cmd += ["--data", *args.data]
    return shlex.join(cmd)


def _run(args) -> int:
    import json

    from ..errors import ConfigError
    from ..nn.registry import configs_dir
    from ..train.trainer import load_config, resolve_config, shipped_configs, train
    from .options import check_number, check_output_dir

    if args.list_configs:
        names = shipped_configs()
        if not names:  # a broken install: a '# folder' line alone read as "there are none"
            raise ConfigError(f"no shipped training configs in {configs_dir()}: reinstall evfocus-live, or take "
                              "them from the repository's models/configs/")
        print(f"# {configs_dir()}")
        print("\n".join(names))
        return 0
    if args.config is None:
        raise ConfigError("a training config is needed: evfocus train CONFIG.toml (evfocus train --list-configs "
                          "names the shipped ones)")

    if args.steps is not None and args.steps < 1:
        raise ConfigError(f"--steps must be >= 1, got {args.steps}")
    check_number("--max-minutes", args.max_minutes)
    check_number("--lr", args.lr)
    cfg = load_config(resolve_config(args.config))
    out = args.out if args.out is not None else cfg["train"]["out"]
    check_output_dir("--out" if args.out is not None else "[train] out", out)  # before caching data
    started = time.time()
    try:
        summary = train(cfg, resume=args.resume, max_minutes=args.max_minutes, steps=args.steps, out=args.out,
                        data=args.data, progress=not args.no_progress, init=args.init,
                        lr=args.lr, resume_command=resume_command(args))
    except KeyboardInterrupt:
        # stopped before a checkpoint (reading the data, the first steps): only "interrupted" was said
        last = Path(out).expanduser() / "last.pt"
        if not (last.is_file() and last.stat().st_mtime >= started):
            log.info("interrupted before this run saved a checkpoint in %s (go on with `%s`)", out,
                     resume_command(args))
        raise
    if summary:
        # "loss" alone is the last batch's, noisy: 1.37 after a fine-tune said nothing of where it began
        print(json.dumps({k: summary[k] for k in ("checkpoint", "step", "wall_s", "loss", "params",
                                                  "first_loss", "final_loss_avg") if k in summary}))
    return 0
