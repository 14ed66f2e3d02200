"""``evfocus bench [--json] [--quick]``: stage and end-to-end speed, with in-process baselines."""

from __future__ import annotations

import atexit
import gc
import json
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def add_parser(sub):
    p = sub.add_parser("bench", help="measure read, voxel, model, post-processing, display and end-to-end speed",
                       description="Stage and end-to-end speed, each as a ratio to a baseline timed in "
                                   "the same process (README, 'Performance').")
    p.add_argument("--json", action="store_true", help="print the result as JSON instead of a Markdown table")
    p.add_argument("--quick", action="store_true", help="fewer repeats and a shorter replay (a rough check)")
    p.add_argument("--models", nargs="+", metavar="MODEL", help="models to time: names or .pt paths (default: all built-ins); the first also "
                        "times the optimised-runtime and end-to-end rows (default: evfocus)")
    p.add_argument("--threads", type=int, default=0, metavar="N",
                   help="torch CPU threads (0 = the pipeline's default, nn.runtime.default_threads; "
                        "as evfocus reconstruct --threads)")
    p.add_argument("-o", "--out", metavar="FILE", help="also write the JSON result here")
    return p


def _check_models(names: list[str]) -> None:
    """Every --models name must be timeable (else one line before minutes of timing)."""
    from ..nn.registry import SHIPPED, configs_dir, load_model

    configs = configs_dir()  # the checkout's models/configs or the installed package's
    for name in names:
        if name not in SHIPPED and not (configs / f"{name}.toml").is_file():
            load_model(name, "cpu")  # CheckpointError: unknown name, missing or bad checkpoint


def run(args) -> int:
    from .. import benchmark
    from ..errors import ConfigError
    from .options import check_output_file

    if args.threads < 0:
        raise ConfigError(f"--threads must be >= 0 (0 = default), got {args.threads}")
    if args.out:
        check_output_file("-o", args.out)  # before the benchmark, not after it
    if args.models:
        _check_models(args.models)
    from .signals import run_with_sigterm_as_ctrl_c

    # SIGTERM as Ctrl-C: killed outright, the stages measured so far were lost
    result = run_with_sigterm_as_ctrl_c(lambda: benchmark.run(quick=args.quick, models=args.models, threads=args.threads,
                                                              progress=lambda s: log.info("bench: %s", s)))
    print(json.dumps(result, indent=2) if args.json else benchmark.format_table(result))
    if args.out:
        try:  # the check up front found the nearest existing folder writable: make the rest
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            with open(args.out, "w") as fh:
                json.dump(result, fh, indent=2)
        except OSError as exc:  # the results are printed above: say so rather than lose them
            sys.stdout.flush()
            raise ConfigError(f"-o {args.out}: cannot write ({exc.strerror or exc}); the results are "
                              "printed above") from exc
    if result.get("interrupted"):  # the stages done are printed and saved; the exit still says Ctrl-C
        # the interpreter's last garbage collection walks every object torch and the timed models
        # made: 1.5-2 s of a 2 s stop after SIGTERM (its results already out). Frozen at exit, it
        # is skipped; what was written is closed above, and the replays' folder removed by then.
        # (Not here: a caller of main() that goes on would keep all it holds now for good)
        atexit.register(gc.freeze)
        raise KeyboardInterrupt
    return 0
