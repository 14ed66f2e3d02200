"""Memory per TorchScript step: RSS over many distinct models (or input sizes) through the ``jit`` backend.

Run: ``python bench/trace_memory.py [--models 40] [--size 64x96] [--vary weights|size]``.
Each model (a copy of the shipped light ``evfocus`` with one weight nudged, or with
``--vary size`` the same model at a taller input each time) runs 3 frames through
``InferenceModel(model, "jit")``, so it builds one traced step, and is then dropped (the
runtime keeps the newest ``STEP_CACHE_SIZE`` steps for sharing). RSS is read after
``gc.collect()`` and ``malloc_trim``. The run is made twice, each in a process of its own (the
memory is process-wide): with the runtime giving each trace's memory back (the default) and
with torch's registry kept (``runtime.RECLAIM_TRACES = False``, torch's own behaviour). The
number to quote is MiB per model after the fifth (the first ones fill the shared cache).
1 torch thread; a small input keeps the CPU time low (the memory does not depend on it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _options import Parser, fail, positive_int  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def size(text: str) -> tuple[int, int]:
    """``HxW``, both >= 16 (the light model pads to a multiple of 8)."""
    import argparse

    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HxW, e.g. 64x96, got {text!r}") from None
    if h < 16 or w < 16:
        raise argparse.ArgumentTypeError(f"expected HxW of at least 16x16, got {text!r}")
    return h, w


def measure(models: int, hw: tuple[int, int], vary: str, reclaim: bool) -> dict:
    """RSS (MiB) before and after each model, in this process."""
    import copy
    import ctypes
    import gc

    import torch

    from evfocus_live.nn import runtime
    from evfocus_live.nn.registry import load_shipped
    from evfocus_live.nn.runtime import InferenceModel

    torch.set_num_threads(1)
    runtime.RECLAIM_TRACES = reclaim
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: RSS as it is
        trim = lambda _pad: None  # noqa: E731

    def rss_mib() -> float:
        gc.collect()
        trim(0)
        with open("/proc/self/status") as fh:
            return next(int(ln.split()[1]) for ln in fh if ln.startswith("VmRSS:")) / 1024

    base = load_shipped("evfocus").eval()
    g = torch.Generator().manual_seed(0)
    rss = [rss_mib()]
    for k in range(models):
        m = copy.deepcopy(base)
        h = hw[0] + (8 * k if vary == "size" else 0)
        if vary == "weights":
            with torch.no_grad():
                next(m.parameters()).add_(1e-3 * (k + 1))
        runner = InferenceModel(m, "jit")
        with torch.inference_mode():
            for _ in range(3):
                runner(torch.randn(1, 5, h, hw[1], generator=g))
        if runner.backend != "jit" or len(runner._steps) != 1:
            raise RuntimeError(f"model {k}: no traced step ({runner.fallback_reason})")
        del runner, m
        rss.append(rss_mib())
    return {"reclaim": reclaim, "rss_mib": rss, "blocked": runtime._reclaim_blocked}


def main(argv: list[str] | None = None) -> int:
    ap = Parser(prog="trace_memory.py", description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=positive_int, default=40, help="distinct models (or sizes); at least 6")
    ap.add_argument("--size", type=size, default=(64, 96), metavar="HxW", help="input size (default 64x96)")
    ap.add_argument("--vary", choices=("weights", "size"), default="weights",
                    help="what makes each step distinct (size: the input 8 rows taller each time)")
    ap.add_argument("--only", choices=("reclaim", "keep"), help="one run, in this process (JSON on stdout)")
    a = ap.parse_args(argv)
    if a.models < 6:
        ap.error(f"argument --models: expected at least 6, got {a.models}")
    if a.only:
        print(json.dumps(measure(a.models, a.size, a.vary, a.only == "reclaim")))
        return 0
    size_arg = f"{a.size[0]}x{a.size[1]}"
    for only in ("reclaim", "keep"):
        cmd = [sys.executable, "-W", "ignore", str(Path(__file__).resolve()), "--models", str(a.models),
               "--size", size_arg, "--vary", a.vary, "--only", only]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines() or ["failed"]
            return fail("trace_memory.py", f"the {only} run: {lines[-1]}")
        r = json.loads(done.stdout.strip().splitlines()[-1])["rss_mib"]
        per = (r[-1] - r[5]) / (len(r) - 6)
        print(f"{'registry cleared (default)' if only == 'reclaim' else 'registry kept (torch)':28s} "
              f"{a.models} models ({a.vary}, {size_arg}): RSS {r[0]:.1f} -> {r[-1]:.1f} MiB, "
              f"{per:.2f} MiB per model after the fifth", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
