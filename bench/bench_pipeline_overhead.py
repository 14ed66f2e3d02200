"""The live path's work outside the network: today's code against a git revision's, in one process.

Run: ``nice python bench/bench_pipeline_overhead.py [--baseline REV] [--repeat 7] [--no-model]``.

``--baseline REV`` (default ``5e4c341``, the revision before the event pane's numba passes,
the branch-free voxel normalisation and the ring buffer's raw copies) loads
``evfocus_live/core/voxel.py``, ``core/render.py`` and ``ringbuffer.py`` as they were at REV,
beside today's, and times both on the real recordings
(``../shared/data``: the DAVIS346 pegboard, 346x260, and the Prophesee street, 1280x720,
each repeated back to back in time), interleaved (old, new, new, old, ...: a shared
machine's noise hits both alike). Every sample is this thread's CPU time
(``time.thread_time``: on a loaded 2-core machine wall time is mostly the neighbours'),
and each pair's outputs are checked to be the same bits before anything is printed.

Stages, as the pipeline and the viewer run them:

* the ring buffer: one 33 ms window's events pushed in 2 ms batches (the reader) and
  popped (the worker);
* voxel grid (5 bins, normalised) of one 33 ms window (the worker, every frame);
* the event pane's decay accumulator and time surface: ``update`` per 2 ms batch (the
  viewer's feed of a replay, ``TapSource.CHUNK_US``; each timed call on batches later than
  all the pane has seen, as a stream feeds it) and ``render`` per paint (the viewer
  paints up to every 20 ms); "share of a core" is what a second of stream costs at 500
  batches and 50 paints;
* with the model (not ``--no-model``): the light EvFocus forward at each size, fp32, one
  torch thread, best of 3 (CPU time too), so the per-window stages read as a share of it.

Prints per stage the median ms of old and new, their ranges, and old/new per interleaved
pair as median and range (> 1: today's code is faster).
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _options import Parser, fail, positive_int  # noqa: E402
from _revision import load_revision  # noqa: E402

log = logging.getLogger("bench_pipeline_overhead")

#: the revision before this bench's changes (numba event pane, branch-free normalisation)
DEFAULT_BASELINE = "5e4c341"
#: the viewer's feed of a replay and its paint interval
BATCH_US = 2_000
PAINTS_PER_S = 50


def recording(path: Path, seconds: float) -> tuple[np.ndarray, int, int]:
    """A recording's events repeated back to back in time up to ``seconds``."""
    from evfocus_live.benchmark import tile_events
    from evfocus_live.sources import open_file

    with open_file(path) as src:
        ev = np.concatenate(list(src))
        w, h = src.width, src.height
    ev = ev[np.argsort(ev["t"], kind="stable")]
    span_s = (int(ev["t"][-1]) - int(ev["t"][0]) + 1) / 1e6
    return tile_events(ev, max(1, int(np.ceil(seconds / span_s)))), w, h


def slices(ev: np.ndarray, step_us: int, t_from_us: int, n: int) -> list[np.ndarray]:
    t0 = int(ev["t"][0]) + t_from_us
    edges = np.searchsorted(ev["t"], t0 + step_us * np.arange(n + 1))
    return [ev[a:b] for a, b in zip(edges[:-1], edges[1:]) if b > a]


def feeder(obj, runs: list[list[np.ndarray]]):
    """A timed call for :func:`interleaved`: each call feeds ``obj.update`` the next of ``runs``
    (runs of batches, each later in time than the one before), as a live stream feeds the event
    pane. Fed the same batches again, the pane had seen them: the decay found no time passed
    and skipped its whole-sensor decay (the old code), the time surface skipped writing times
    older than its own (the numba pass), and the update rows read low."""
    left = iter(runs)

    def feed() -> int:
        run = next(left)
        for b in run:
            obj.update(b)
        return len(run)
    return feed


def same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.view(np.uint8), b.view(np.uint8))


def interleaved(old, new, repeat: int) -> dict:
    """ms per call of ``old()`` and ``new()`` (each runs its calls and returns how many),
    in alternating order; old/new per pair."""
    old(), new()  # warm-up: numba compile/cache load, allocator
    got = {"old": [], "new": []}
    for k in range(repeat):
        for name in (("old", "new") if k % 2 == 0 else ("new", "old")):
            fn = old if name == "old" else new
            t0 = time.thread_time()
            calls = fn()
            got[name].append((time.thread_time() - t0) * 1e3 / calls)
    ratios = [o / n for o, n in zip(got["old"], got["new"])]
    return {"old": got["old"], "new": got["new"], "ratio": ratios}


def fmt(r: dict) -> str:
    def one(v):
        return f"{statistics.median(v):8.3f} ({min(v):.3f}-{max(v):.3f})"
    ratio = r["ratio"]
    return f"{one(r['old'])} {one(r['new'])}  {statistics.median(ratio):5.2f}x ({min(ratio):.2f}-{max(ratio):.2f})"


def forward_ms(w: int, h: int) -> float:
    """The light model's forward at ``w`` x ``h``, fp32, best of 3 (after 2 warm-ups)."""
    import torch

    from evfocus_live.nn.registry import load_model
    from evfocus_live.nn.runtime import InferenceModel

    model = load_model("evfocus", "cpu")
    runner = InferenceModel(model, backend="eager")
    vox = torch.randn(1, 5, h, w)
    best = float("inf")
    with torch.inference_mode():
        for k in range(5):
            t0 = time.thread_time()
            runner(vox)
            if k >= 2:  # (after two warm-ups)
                best = min(best, time.thread_time() - t0)
    return best * 1e3


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", metavar="REV", default=DEFAULT_BASELINE,
                    help=f"git revision whose ringbuffer.py, core/voxel.py and core/render.py are the old code (default {DEFAULT_BASELINE})")
    ap.add_argument("--repeat", type=positive_int, default=7, help="interleaved old/new pairs per stage (default 7)")
    ap.add_argument("--no-model", action="store_true", help="do not time the model forward (no share of a window)")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        old_vox, old_render = load_revision(a.baseline, "core.voxel"), load_revision(a.baseline, "core.render")
        old_ring = load_revision(a.baseline, "ringbuffer")
    except (ValueError, OSError) as exc:
        return fail(ap.prog, exc)
    import torch

    from evfocus_live.benchmark import DAVIS_FILE, EVT3_FILE
    from evfocus_live import ringbuffer
    from evfocus_live.core import render, voxel

    torch.set_num_threads(1)
    missing = [str(p) for p in (DAVIS_FILE, EVT3_FILE) if not p.is_file()]
    if missing:
        return fail(ap.prog, f"real recordings missing: {', '.join(missing)} (set $EVFOCUS_SHARED_DATA)")
    print(f"old = {a.baseline}, new = the working tree; ms per call, CPU time of this thread: median (range) "
          f"over {a.repeat} interleaved runs; old/new per pair: median (range)")
    calls = a.repeat + 1  # each side's calls in interleaved(): a warm-up, then --repeat
    for path, seconds, n_batches in ((DAVIS_FILE, 1.2, 40), (EVT3_FILE, 0.15, 20)):
        # the pane's batches: n_batches to compare old and new, then n_batches fresh ones per call
        fed_us = (1 + calls) * n_batches * BATCH_US
        ev, w, h = recording(path, max(seconds, fed_us / 1e6 + 0.01))
        window = slices(ev, 33_000, 33_000, 1)[0]
        batches = slices(ev, BATCH_US, 0, n_batches)
        fresh = slices(ev, BATCH_US, n_batches * BATCH_US, calls * n_batches)
        runs = [fresh[k * n_batches:(k + 1) * n_batches] for k in range(calls)]
        print(f"\n{path.name}: {w}x{h}, 33 ms window of {len(window):,} events, 2 ms batches of "
              f"{int(np.mean([len(b) for b in batches])):,} events")
        if not same_bits(voxel.voxel_grid(window, 5, w, h).numpy(), old_vox.voxel_grid(window, 5, w, h).numpy()):
            return fail(ap.prog, "voxel grids differ from the baseline's")
        n_win = max(1, int(2e6 // max(len(window), 1)))

        def vox_of(mod, n=n_win):
            for _ in range(n):
                mod.voxel_grid(window, 5, w, h)
            return n

        in_window = slices(ev, BATCH_US, 33_000, 33_000 // BATCH_US)
        rings = (old_ring.EventRingBuffer(4_000_000), ringbuffer.EventRingBuffer(4_000_000))
        popped = []
        for rb in rings:
            for b in in_window:
                rb.push(b)
            popped.append(rb.pop())
        if not same_bits(*popped):
            return fail(ap.prog, "the ring buffer gives other events than the baseline's")

        def through(rb, n=max(1, int(4e6 // max(len(window), 1)))):
            for _ in range(n):
                for b in in_window:
                    rb.push(b)
                rb.pop()
            return n

        rows = {"ring buffer, one window": interleaved(lambda: through(rings[0]), lambda: through(rings[1]), a.repeat),
                "voxel grid, one window": interleaved(lambda: vox_of(old_vox), lambda: vox_of(voxel), a.repeat)}
        # the event pane: old and new fed the same batches and compared, then timed on fresh ones
        pairs = {"decay": (old_render.EventAccumulator(w, h), render.EventAccumulator(w, h)),
                 "time surface": (old_render.TimeSurface(w, h), render.TimeSurface(w, h))}
        for b in batches:
            for o, n in pairs.values():
                o.update(b)
                n.update(b)
        if not (same_bits(pairs["decay"][0].potential, pairs["decay"][1].potential)
                and same_bits(pairs["decay"][0].render(), pairs["decay"][1].render())
                and same_bits(pairs["time surface"][0].render(), pairs["time surface"][1].render())):
            return fail(ap.prog, "the event pane differs from the baseline's")

        def paint(obj, n=10):
            for _ in range(n):
                obj.render()
            return n

        for mode, (o, n) in pairs.items():
            rows[f"{mode}: update per 2 ms batch"] = interleaved(feeder(o, runs), feeder(n, runs), a.repeat)
            rows[f"{mode}: render per paint"] = interleaved(lambda o=o: paint(o), lambda n=n: paint(n), a.repeat)
        print(f"{'stage':34} {'old ms':>22} {'new ms':>22}  {'old/new':>16}")
        for name, r in rows.items():
            print(f"{name:34} {fmt(r)}")
        per_s = 1e6 / BATCH_US
        for mode in pairs:
            up, pa = rows[f"{mode}: update per 2 ms batch"], rows[f"{mode}: render per paint"]
            share = {k: (statistics.median(up[k]) * per_s + statistics.median(pa[k]) * PAINTS_PER_S) / 1e3
                     for k in ("old", "new")}
            print(f"{mode} pane, share of a core per second of stream ({per_s:.0f} batches, {PAINTS_PER_S} paints): "
                  f"old {share['old']:.2f}, new {share['new']:.2f}")
        if not a.no_model:
            fwd = forward_ms(w, h)
            print(f"model forward (evfocus, fp32, 1 thread, best of 3, CPU time): {fwd:.1f} ms; as a share of it:")
            for name in ("ring buffer, one window", "voxel grid, one window"):
                before, now = (statistics.median(rows[name][k]) for k in ("old", "new"))
                print(f"  {name}: {100 * before / fwd:.1f} % before, {100 * now / fwd:.1f} % now")
    return 0


if __name__ == "__main__":
    sys.exit(main())
