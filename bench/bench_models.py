"""Inference speed of the networks at sensor resolutions (CPU or CUDA), voxel included.

    python bench/bench_models.py [--models evfocus e2vid firenet] [--threads 2] [--device cpu]

Reports ms per window and fps for a random 0.35-events-per-pixel window: voxel grid
(``evfocus_live.core.voxel``) + forward, median of N runs after warm-up. Untrained
architectures are timed when no weights are shipped (speed does not depend on weights).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evfocus_live.errors import CheckpointError  # noqa: E402
from evfocus_live.events import EVENT_DTYPE  # noqa: E402
from evfocus_live.nn.registry import build_model, load_model  # noqa: E402
from evfocus_live.train.dataset import voxel_grid  # noqa: E402
from evfocus_live.train.trainer import load_config  # noqa: E402

RES = {"davis346": (346, 260), "vga": (640, 480), "hd": (1280, 720)}


def events(w, h, n, seed=0):
    rng = np.random.default_rng(seed)
    ev = np.empty(n, EVENT_DTYPE)
    ev["t"] = np.sort(rng.integers(0, 30_000, n))
    ev["x"], ev["y"], ev["p"] = rng.integers(0, w, n), rng.integers(0, h, n), rng.integers(0, 2, n)
    return ev


def get_model(name, device):
    try:
        return load_model(name, device)
    except CheckpointError:
        cfg = load_config(Path(__file__).resolve().parents[1] / "models" / "configs" / f"{name}.toml")["model"]
        m = build_model(cfg.pop("arch"), cfg).to(device).eval()
        return m.to(memory_format=torch.channels_last) if device == "cpu" else m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=["evfocus", "e2vid", "firenet", "evfocus-full"])
    ap.add_argument("--res", nargs="+", default=["davis346"], choices=list(RES))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {a.threads} threads, {a.device}\n")
    print("| model | resolution | voxel ms | forward ms | total ms | fps |")
    print("|---|---|---|---|---|---|")
    for name in a.models:
        m = get_model(name, a.device)
        for r in a.res:
            w, h = RES[r]
            ev = events(w, h, int(0.35 * w * h))
            vt, ft = [], []
            with torch.inference_mode():
                m.reset_states()
                for i in range(a.runs + 3):
                    t0 = time.perf_counter()
                    v = torch.from_numpy(voxel_grid(ev, 5, w, h))[None].to(a.device)
                    t1 = time.perf_counter()
                    m(v)["image"].cpu()
                    t2 = time.perf_counter()
                    if i >= 3:
                        vt.append(t1 - t0)
                        ft.append(t2 - t1)
            vm, fm = statistics.median(vt) * 1e3, statistics.median(ft) * 1e3
            print(f"| {name} | {w}x{h} | {vm:.1f} | {fm:.1f} | {vm + fm:.1f} | {1000 / (vm + fm):.1f} |", flush=True)


if __name__ == "__main__":
    main()
