"""Simulator speed: offline event generation, live sim-camera real-time factor, dataset recipe.

Run:  nice python bench/bench_simulate.py [--sequences 4] [--duration 2] [--workers 2] [--skip-recipe]

1. Offline: ``simulate_sequence`` at 346x260 (one core): wall seconds per simulated
   second, events generated per wall second, renders per simulated second.
2. Live: the sim camera's simulator (``LiveSim``) per preset scene, in focus (knob 0.5)
   and defocused (knob 0.0): real-time factor = simulated s / wall s on one core
   (> 1 keeps up); then the threaded ``SimCameraSource`` for a few wall seconds (how
   much its clock had to be held back).
3. Recipe: ``evfocus simulate`` for N sequences with --workers J; extrapolated to 200
   sequences x 2 s, and disk size per sequence (.h5 + .aedat4).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _options import Parser, fail, positive_float, positive_int  # noqa: E402

cv2.setNumThreads(1)


def bench_offline(duration_s: float, seeds) -> dict:
    from evfocus_live.simulate import SimConfig, simulate_sequence

    cfg = SimConfig(duration_s=duration_s)
    simulate_sequence(SimConfig(width=32, height=24, duration_s=0.05), 0)  # numba warm-up (>= 2 GT frames)
    rows = []
    for seed in seeds:
        t, c = time.perf_counter(), time.process_time()
        res = simulate_sequence(cfg, seed)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        rows.append(dict(seed=seed, wall_s=wall, cpu_s=cpu, events=len(res.events), renders=res.meta["renders"]))
        print(f"  offline seed {seed}: {wall:.2f} s wall ({cpu:.2f} s CPU) for {duration_s} s, "
              f"{len(res.events) / 1e6:.2f} Mev, "
              f"{res.meta['renders'] / duration_s:.0f} renders/s, {len(res.events) / wall / 1e6:.2f} Mev/s generated")
    wall = sum(r["wall_s"] for r in rows)
    ev = sum(r["events"] for r in rows)
    cpu = sum(r["cpu_s"] for r in rows)
    print(f"  offline mean: {wall / (duration_s * len(rows)):.2f} s wall, {cpu / (duration_s * len(rows)):.2f} s CPU "
          f"per simulated s; {ev / cpu / 1e6:.2f} Mev per CPU s")
    return dict(wall_per_sim_s=wall / (duration_s * len(rows)), cpu_per_sim_s=cpu / (duration_s * len(rows)),
                events_per_wall_s=ev / wall, events_per_cpu_s=ev / cpu,
                mean_events_per_seq=ev / len(rows), rows=rows)


def bench_live(sim_s: float = 2.0) -> dict:
    from evfocus_live.simulate.camera import LIVE_SCENES, LiveSim

    out = {}
    for name in LIVE_SCENES:
        for knob in (0.5, 0.0):
            lv = LiveSim(name, focus=knob)
            lv.advance(lv.t_us + 10_000)
            t, c = time.perf_counter(), time.process_time()
            n = 0
            end = lv.t_us + sim_s * 1e6
            while lv.t_us < end:
                n += len(lv.advance(lv.t_us + 5000))
            wall, cpu = time.perf_counter() - t, time.process_time() - c
            out[f"{name}@{knob}"] = dict(realtime_factor_wall=sim_s / wall, realtime_factor_cpu=sim_s / cpu,
                                         events_per_s=n / sim_s)
            print(f"  live {name:12s} knob {knob}: real-time factor {sim_s / wall:5.2f} (wall), "
                  f"{sim_s / cpu:5.2f} (CPU time, = one free core), {n / sim_s / 1e6:.2f} Mev/s")
    return out


def bench_camera(seconds: float = 3.0) -> dict:
    from evfocus_live.sources.sim_camera import SimCameraSource

    cam = SimCameraSource(scene="mixed")
    t = time.perf_counter()
    n, first, last = 0, None, None
    while time.perf_counter() - t < seconds:
        ev = cam.read()
        if len(ev):
            n += len(ev)
            first = ev["t"][0] if first is None else first
            last = ev["t"][-1]
    wall = time.perf_counter() - t
    stats = dict(cam.stats)
    cam.close()
    span = (last - first) * 1e-6 if first is not None else 0.0
    print(f"  sim camera (threaded, 'mixed'): {n / wall / 1e6:.2f} Mev/s delivered, sensor span {span:.2f} s "
          f"in {wall:.2f} s wall, clock held back {stats['held_back_us'] / 1e6:.2f} s, dropped {stats['dropped']}")
    return dict(events_per_s=n / wall, sensor_span_s=span, wall_s=wall, held_back_s=stats["held_back_us"] / 1e6)


def bench_recipe(sequences: int, duration_s: float, workers: int) -> dict:
    from evfocus_live.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ds"
        t = time.perf_counter()
        rc = main(["-q", "simulate", str(out), "--sequences", str(sequences), "--duration", str(duration_s),
                   "--resolution", "346x260", "--seed", "100", "--workers", str(workers)])
        wall = time.perf_counter() - t
        assert rc == 0
        m = json.loads((out / "dataset.json").read_text())
        per_seq_mb = m["total_bytes"] / sequences / 1e6
        h5 = sum((out / s["h5"]).stat().st_size for s in m["sequences"]) / sequences / 1e6
    est_200 = wall / sequences * 200 * (2.0 / duration_s)
    print(f"  recipe: {sequences} x {duration_s} s at 346x260, --workers {workers}: {wall:.1f} s "
          f"-> 200 x 2 s ~ {est_200 / 60:.1f} min; {per_seq_mb:.1f} MB per sequence ({h5:.1f} MB .h5), "
          f"{m['total_events'] / sequences / 1e6:.2f} Mev per sequence")
    return dict(wall_s=wall, est_200x2s_min=est_200 / 60, mb_per_seq=per_seq_mb, h5_mb_per_seq=h5)


def main(argv: list[str] | None = None) -> int:
    # checked before any work: --sequences 0 used to end the recipe, minutes in, in an AssertionError
    ap = Parser(description=__doc__.splitlines()[0])
    # defaults of None: given with --skip-recipe they would change nothing, silently
    ap.add_argument("--sequences", type=positive_int, default=None,
                    help="sequences the recipe step simulates (default 4; step 3 only)")
    ap.add_argument("--duration", type=positive_float, default=None,
                    help="seconds per sequence in the recipe step (default 2; step 3 only: "
                         "the offline step always simulates 1 s)")
    ap.add_argument("--workers", type=positive_int, default=None,
                    help="evfocus simulate --workers in the recipe step (default 2; step 3 only)")
    ap.add_argument("--skip-recipe", action="store_true", help="leave out step 3, the dataset recipe")
    ap.add_argument("--json", help="also write the numbers here")
    args = ap.parse_args(argv)
    recipe_opts = [f"--{k}" for k in ("sequences", "duration", "workers") if getattr(args, k) is not None]
    if args.skip_recipe and recipe_opts:
        return fail(ap.prog, f"{', '.join(recipe_opts)} only {'sets' if len(recipe_opts) == 1 else 'set'} the "
                             "recipe step, which --skip-recipe leaves out")
    if args.json:  # a folder that is not there: made now, not found missing after minutes of work
        from evfocus_live.cli.options import check_output_file
        from evfocus_live.errors import EvFocusError

        try:
            check_output_file("--json", args.json)
        except EvFocusError as exc:
            return fail(ap.prog, exc)
        Path(args.json).absolute().parent.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    res = {"offline": bench_offline(1.0, seeds=(0, 1, 2)), "live": bench_live(), "camera": bench_camera()}
    if not args.skip_recipe:
        res["recipe"] = bench_recipe(args.sequences or 4, args.duration or 2.0, args.workers or 2)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
