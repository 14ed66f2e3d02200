"""Soak test (not in CI): run the threaded pipeline headless for N minutes, watch RSS and fps.

Examples::

    python bench/soak.py --minutes 30                       # simulated camera ("sim")
    python bench/soak.py --source ../shared/data/prophesee_gen3_spinner_evt2.raw --minutes 5
    python bench/soak.py --model firenet --device cuda

Recordings are replayed in a loop at ``--speed`` x real time (sensor clock). Every
``--interval-s`` seconds one row is printed: RSS, frames/s, events/s, ring fill,
dropped events, skipped windows, inference ms, latency, status. At the end the RSS
growth between the first and the last sample is reported (a leak shows up as steady growth).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _options import Parser, positive_float  # noqa: E402


def speed(text: str) -> float:
    """A replay speed: > 0, or 0 for as fast as possible (as ``evfocus-live --speed``)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value < math.inf:
        raise argparse.ArgumentTypeError(f"expected a number >= 0 (0: as fast as possible), got {text!r}")
    return value


def rss_mb() -> float:
    """Resident set size of this process in MiB (Linux /proc, else ru_maxrss)."""
    try:
        with open(f"/proc/{os.getpid()}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_model(name: str):
    """A model by name/path, or ``random-firenet`` / ``random-evfocus`` (untrained, same cost)."""
    if name.startswith("random-"):
        from evfocus_live.nn.registry import build_model as build

        arch = name.split("-", 1)[1]
        cfg = {"base": 8, "kernel": 3, "num_deblur_blocks": 1} if arch == "evfocus" else {}
        return build(arch, cfg).eval()
    return None


def main() -> int:
    # checked up front: --interval-s 0 printed rows in a busy loop, --minutes -1 "passed"
    ap = Parser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default="sim", help="camera name (sim, ...) or a recording (looped)")
    ap.add_argument("--minutes", type=positive_float, default=30.0)
    ap.add_argument("--interval-s", type=positive_float, default=10.0)
    ap.add_argument("--model", default="random-firenet",
                    help="model name/path, or random-firenet / random-evfocus (untrained, default)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--window-ms", type=positive_float, default=33.0)
    ap.add_argument("--speed", type=speed, default=1.0, help="x real time (0: as fast as possible)")
    ap.add_argument("--post", default="auto_hdr")
    a = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from evfocus_live.config import ModelConfig, PostConfig, SourceConfig, WindowConfig
    from evfocus_live.errors import EvFocusError
    from evfocus_live.pipeline import Pipeline

    try:
        model_obj = build_model(a.model)
        pipe = Pipeline(SourceConfig(spec=a.source, speed=a.speed, loop=True),
                        WindowConfig(mode="duration", window_ms=a.window_ms),
                        ModelConfig(name=a.model if model_obj is None else "evfocus", device=a.device),
                        PostConfig(steps=tuple(s for s in a.post.split(",") if s)), model_obj=model_obj)
    except EvFocusError as exc:
        print(f"soak: error: {exc}", file=sys.stderr)
        return 2
    src = pipe.source
    print(f"source {a.source} ({src.format}, {src.width}x{src.height}, live={src.is_live}), "
          f"model {a.model} on {pipe.device}, window {a.window_ms:g} ms, {a.minutes:g} min")
    hdr = (f"{'t_s':>6} {'rss_MB':>8} {'fps':>6} {'Mev/s':>7} {'ring%':>6} {'dropped':>10} {'skipped':>8} "
           f"{'infer_ms':>9} {'lat_ms':>8} {'frames':>8}  status")
    print(hdr)
    frames = [0]
    pipe.start(lambda fr: frames.__setitem__(0, frames[0] + 1))
    t0 = time.monotonic()
    samples = []
    try:
        while True:
            left = a.minutes * 60 - (time.monotonic() - t0)
            time.sleep(max(0.0, min(a.interval_s, left)))
            st = pipe.stats
            row = (time.monotonic() - t0, rss_mb(), st.fps, st.events_per_s / 1e6, 100 * pipe.ring.fill_ratio,
                   pipe.ring.dropped, st.skipped_windows, st.infer_ms, st.latency_ms, frames[0], st.status)
            samples.append(row)
            print(f"{row[0]:6.0f} {row[1]:8.1f} {row[2]:6.1f} {row[3]:7.2f} {row[4]:6.1f} {row[5]:10d} "
                  f"{row[6]:8d} {row[7]:9.1f} {row[8]:8.1f} {row[9]:8d}  {row[10]}", flush=True)
            if left <= a.interval_s or not pipe._threads_alive():  # that sleep reached the end
                break
    except KeyboardInterrupt:
        pass
    finally:
        pipe.close()
    if len(samples) >= 2:
        growth = samples[-1][1] - samples[0][1]
        print(f"RSS {samples[0][1]:.1f} -> {samples[-1][1]:.1f} MiB ({growth:+.1f} MiB) over "
              f"{samples[-1][0] - samples[0][0]:.0f} s; {frames[0]} frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
