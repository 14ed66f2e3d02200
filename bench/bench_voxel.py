"""Voxel-grid construction speed: our backends vs a naive ``np.add.at`` baseline.

Run: ``python bench/bench_voxel.py [--events N] [--size WxH] [--threads 1]``.
Everything runs in one process with ``torch.set_num_threads(threads)`` (default 1:
the target is >= 50 M events/s on one core). On a CUDA machine the GPU path is timed
too and checked against the CPU result.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from evfocus_live.core.voxel import voxel_grid
from evfocus_live.events import EVENT_DTYPE


def make(n: int, w: int, h: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ev = np.empty(n, EVENT_DTYPE)
    ev["t"] = np.sort(rng.integers(0, 50_000, n))
    ev["x"] = rng.integers(0, w, n)
    ev["y"] = rng.integers(0, h, n)
    ev["p"] = rng.integers(0, 2, n)
    return ev


def naive_add_at(ev: np.ndarray, b: int, w: int, h: int) -> np.ndarray:
    """The textbook numpy implementation (np.add.at), as in many research repos."""
    t = ev["t"].astype(np.float64)
    ts = (b - 1) * (t - t[0]) / max(t[-1] - t[0], 1)
    ti = np.floor(ts).astype(np.int64)
    d = ts - ti
    pol = ev["p"].astype(np.float32) * 2 - 1
    vox = np.zeros((b + 1, h, w), np.float32)
    np.add.at(vox, (ti, ev["y"].astype(np.int64), ev["x"].astype(np.int64)), pol * (1 - d))
    np.add.at(vox, (ti + 1, ev["y"].astype(np.int64), ev["x"].astype(np.int64)), pol * d)
    return vox[:b]


def timeit(fn, repeat: int) -> float:
    fn()  # warm-up (numba compile, allocator)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--bins", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--input", help="use the events of a recording (repeated up to --events) instead of "
                                    "uniform random ones; sets the size")
    a = ap.parse_args()
    w, h = (int(v) for v in a.size.lower().split("x"))
    torch.set_num_threads(a.threads)
    if a.input:
        from evfocus_live.events import concat
        from evfocus_live.sources import open_source

        with open_source(a.input) as src:
            rec = concat(list(src))
            w, h = src.width, src.height
        reps = -(-a.events // len(rec))
        span = int(rec["t"][-1] - rec["t"][0]) + 1
        parts = []
        for k in range(reps):  # keep time increasing across repetitions
            r = rec.copy()
            r["t"] += k * span
            parts.append(r)
        ev = np.concatenate(parts)[: a.events]
        print(f"events from {a.input} ({len(rec):,} events, repeated)")
    else:
        ev = make(a.events, w, h)
    rows = []
    for name, fn in [
        ("numba (default on CPU)", lambda: voxel_grid(ev, a.bins, w, h, normalize=False, backend="numba")),
        ("numba + normalise", lambda: voxel_grid(ev, a.bins, w, h, backend="numba")),
        ("torch index_add_ CPU", lambda: voxel_grid(ev, a.bins, w, h, normalize=False, backend="torch")),
        ("naive np.add.at", lambda: naive_add_at(ev, a.bins, w, h)),
    ]:
        s = timeit(fn, a.repeat if "naive" not in name else max(1, a.repeat // 2))
        rows.append((name, s))
    if torch.cuda.is_available():
        def gpu():
            v = voxel_grid(ev, a.bins, w, h, device="cuda")
            torch.cuda.synchronize()
            return v
        rows.append(("torch CUDA (incl. upload)", timeit(gpu, a.repeat)))
        ref = voxel_grid(ev, a.bins, w, h)
        err = float((gpu().cpu() - ref).abs().max())
        print(f"CUDA vs CPU max abs difference: {err:.2e} ({torch.cuda.get_device_name(0)})")
    base = dict(rows)["naive np.add.at"]
    print(f"{a.events:,} events, {w}x{h}, {a.bins} bins, torch threads={a.threads}")
    print(f"{'method':28s} {'ms':>9s} {'Mev/s':>9s} {'vs naive':>9s}")
    for name, s in rows:
        print(f"{name:28s} {s * 1e3:9.2f} {a.events / s / 1e6:9.1f} {base / s:8.1f}x")


if __name__ == "__main__":
    main()
