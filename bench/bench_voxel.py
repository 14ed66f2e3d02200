"""Voxel-grid construction speed: our backends vs a naive ``np.add.at`` baseline.

Run: ``python bench/bench_voxel.py [--events N] [--size WxH] [--threads 1]``.
Everything runs in one process with ``torch.set_num_threads(threads)`` (default 1:
the target is >= 50 M events/s on one core). On a CUDA machine the GPU path is timed
too and checked against the CPU result.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _options import Parser, fail, positive_int, resolution  # noqa: E402

log = logging.getLogger("bench_voxel")


def make(n: int, w: int, h: int, seed: int = 0) -> np.ndarray:
    from evfocus_live.events import EVENT_DTYPE

    rng = np.random.default_rng(seed)
    ev = np.empty(n, EVENT_DTYPE)
    ev["t"] = np.sort(rng.integers(0, 50_000, n))
    ev["x"] = rng.integers(0, w, n)
    ev["y"] = rng.integers(0, h, n)
    ev["p"] = rng.integers(0, 2, n)
    return ev


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=positive_int, default=2_000_000)
    ap.add_argument("--size", type=resolution, default=(1280, 720), help="WxH (default 1280x720)")
    ap.add_argument("--bins", type=positive_int, default=5)
    ap.add_argument("--threads", type=positive_int, default=1)
    ap.add_argument("--repeat", type=positive_int, default=5)
    ap.add_argument("--input", help="use the events of a recording (repeated up to --events) instead of "
                                    "uniform random ones; sets the size")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    import torch

    from evfocus_live.benchmark import best_of, naive_voxel
    from evfocus_live.core.voxel import voxel_grid
    from evfocus_live.errors import EvFocusError

    w, h = a.size
    torch.set_num_threads(a.threads)
    if a.input:
        from evfocus_live.events import concat
        from evfocus_live.sources import open_source

        try:
            with open_source(a.input) as src:
                rec = concat(list(src))
                w, h = src.width, src.height
        except EvFocusError as exc:
            return fail(ap.prog, exc)
        if not len(rec):
            return fail(ap.prog, f"--input {a.input}: no events")
        reps = -(-a.events // len(rec))
        span = int(rec["t"][-1] - rec["t"][0]) + 1
        parts = []
        for k in range(reps):  # keep time increasing across repetitions
            r = rec.copy()
            r["t"] += k * span
            parts.append(r)
        ev = np.concatenate(parts)[: a.events]
        log.info("events from %s (%s events, repeated)", a.input, f"{len(rec):,}")
    else:
        ev = make(a.events, w, h)
    rows = []
    for name, fn in [
        ("numba (default on CPU)", lambda: voxel_grid(ev, a.bins, w, h, normalize=False, backend="numba")),
        ("numba + normalise", lambda: voxel_grid(ev, a.bins, w, h, backend="numba")),
        ("torch index_add_ CPU", lambda: voxel_grid(ev, a.bins, w, h, normalize=False, backend="torch")),
        ("naive np.add.at", lambda: naive_voxel(ev, a.bins, w, h)),
    ]:
        s = best_of(fn, a.repeat if "naive" not in name else max(1, a.repeat // 2), warmup=True)
        rows.append((name, s))
    if torch.cuda.is_available():
        def gpu():
            v = voxel_grid(ev, a.bins, w, h, device="cuda")
            torch.cuda.synchronize()
            return v
        rows.append(("torch CUDA (incl. upload)", best_of(gpu, a.repeat, warmup=True)))
        ref = voxel_grid(ev, a.bins, w, h)
        err = float((gpu().cpu() - ref).abs().max())
        print(f"CUDA vs CPU max abs difference: {err:.2e} ({torch.cuda.get_device_name(0)})")
    base = dict(rows)["naive np.add.at"]
    print(f"{a.events:,} events, {w}x{h}, {a.bins} bins, torch threads={a.threads}")
    print(f"{'method':28s} {'ms':>9s} {'Mev/s':>9s} {'vs naive':>9s}")
    for name, s in rows:
        print(f"{name:28s} {s * 1e3:9.2f} {a.events / s / 1e6:9.1f} {base / s:8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
