"""Inference speed of the networks at sensor resolutions (CPU or CUDA), voxel included.

    python bench/bench_models.py [--models evfocus e2vid firenet] [--threads 1] [--device cpu]

Reports ms per window and fps for a random 0.35-events-per-pixel window: voxel grid
(``evfocus_live.core.voxel``) + forward, median of N runs after warm-up, and the speed as
a ratio to the first model at the same resolution (same process). Untrained
architectures are timed when no weights are shipped (speed does not depend on weights).
One torch thread by default: on a 2-core machine 2 threads are 2-4x slower (README).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _options import Parser, fail, positive_int  # noqa: E402

RES = {"davis346": (346, 260), "vga": (640, 480), "hd": (1280, 720)}


def events(w, h, n, seed=0):
    from evfocus_live.events import EVENT_DTYPE

    rng = np.random.default_rng(seed)
    ev = np.empty(n, EVENT_DTYPE)
    ev["t"] = np.sort(rng.integers(0, 30_000, n))
    ev["x"], ev["y"], ev["p"] = rng.integers(0, w, n), rng.integers(0, h, n), rng.integers(0, 2, n)
    return ev


def get_model(name, device):
    """Shipped weights or a checkpoint, else the untrained architecture of
    ``models/configs/NAME.toml``; neither: a one-line CheckpointError."""
    import torch

    from evfocus_live.errors import CheckpointError
    from evfocus_live.nn.registry import build_model, load_model
    from evfocus_live.train.trainer import load_config

    try:
        return load_model(name, device)
    except CheckpointError as exc:
        path = Path(__file__).resolve().parents[1] / "models" / "configs" / f"{name}.toml"
        if not path.is_file():
            bare = "/" not in name and Path(name).suffix not in (".pt", ".pth")
            raise CheckpointError(f"{exc}{' (nor a config in models/configs)' if bare else ''}") from None
        cfg = load_config(path)["model"]
        m = build_model(cfg.pop("arch"), cfg).to(device).eval()
        return m.to(memory_format=torch.channels_last) if device == "cpu" else m


def main(argv=None) -> int:
    ap = Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=["evfocus", "e2vid", "firenet", "evfocus-full"],
                    help="names, checkpoints or config names; the first is the baseline of the ratios")
    ap.add_argument("--res", nargs="+", default=["davis346"], choices=list(RES))
    ap.add_argument("--threads", type=positive_int, default=1, help="torch threads (default 1)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--runs", type=positive_int, default=20, help="timed runs (median), after 3 warm-up")
    a = ap.parse_args(argv)
    import torch

    from evfocus_live.errors import EvFocusError
    from evfocus_live.nn.registry import model_count_channel, model_num_bins, resolve_device
    from evfocus_live.train.dataset import voxel_grid

    torch.set_num_threads(a.threads)
    try:  # every model loads (and the device exists) before anything is timed
        device = str(resolve_device(a.device))
        models = {name: get_model(name, device) for name in dict.fromkeys(a.models)}
    except EvFocusError as exc:
        return fail(ap.prog, exc)
    print(f"torch {torch.__version__}, {a.threads} threads, {device}\n")
    print(f"| model | resolution | voxel ms | forward ms | total ms | fps | vs {a.models[0]} |")
    print("|---|---|---|---|---|---|---|")
    base = {}
    for name, m in models.items():
        bins = model_num_bins(m)
        for r in a.res:
            w, h = RES[r]
            ev = events(w, h, int(0.35 * w * h))
            vt, ft = [], []
            with torch.inference_mode():
                m.reset_states()
                for i in range(a.runs + 3):
                    t0 = time.perf_counter()
                    v = torch.from_numpy(voxel_grid(ev, bins, w, h, model_count_channel(m)))[None].to(device)
                    t1 = time.perf_counter()
                    m(v)["image"].cpu()
                    t2 = time.perf_counter()
                    if i >= 3:
                        vt.append(t1 - t0)
                        ft.append(t2 - t1)
            vm, fm = statistics.median(vt) * 1e3, statistics.median(ft) * 1e3
            base.setdefault(r, vm + fm)
            print(f"| {name} | {w}x{h} | {vm:.1f} | {fm:.1f} | {vm + fm:.1f} | {1000 / (vm + fm):.1f} "
                  f"| {base[r] / (vm + fm):.2f}x |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
