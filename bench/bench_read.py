"""Read throughput of our sources against the bare library call, in one process.

Makes ~20 M-event files in a temp dir (AEDAT4 with our writer, EVT3/EVT2 with the test
encoders, HDF5 with our writer), then times, median of ``--repeat`` warm-cache runs:

* AEDAT4: bare ``dv.io.MonoCameraRecording`` loop + ``.numpy()`` vs ``Aedat4FileSource``
  (batches already converted to EVENT_DTYPE);
* EVT3/EVT2: faery if installed, and our bare decoder call on the whole buffer, vs
  ``RawFileSource``;
* HDF5: bare h5py column slices vs ``Hdf5FileSource``.

Overhead % = (source time / bare time - 1) * 100; the goal is <= 15 %.

Usage: ``nice python bench/bench_read.py [--events 20e6] [--repeat 3]``
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _options import Parser, positive_int  # noqa: E402
from evfocus_live.events import EVENT_DTYPE  # noqa: E402


def synth_events(n: int, width: int, height: int, rate_hz: float = 3e6, seed: int = 0) -> np.ndarray:
    """Sorted events: moving vertical bars (runs of neighbouring x) plus uniform noise."""
    rng = np.random.default_rng(seed)
    ev = np.empty(n, dtype=EVENT_DTYPE)
    t = np.cumsum(rng.exponential(1e6 / rate_hz, n)).astype(np.int64) + 1_000
    bar = rng.random(n) < 0.7
    speed = width / 2e6  # px per µs: a bar crosses the sensor in 2 s
    xb = ((t * speed).astype(np.int64) + rng.integers(0, 24, n) + 200 * rng.integers(0, 4, n)) % width
    ev["t"] = t
    ev["x"] = np.where(bar, xb, rng.integers(0, width, n))
    ev["y"] = rng.integers(0, height, n)
    ev["p"] = rng.integers(0, 2, n)
    return ev


def timeit(fn, repeat: int) -> tuple[float, int]:
    fn()  # warm-up: numba cache load, page cache, first-touch of buffers
    times, n = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        n = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), n


def count_source(cls, path, **kw):
    def run():
        n = 0
        with cls(path, **kw) as src:
            for b in src:
                n += len(b)
        return n
    return run


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=positive_int, default=20_000_000, help="per file (default 20e6)")
    ap.add_argument("--repeat", type=positive_int, default=3, help="timed runs per reader (median)")
    args = ap.parse_args(argv)
    n = args.events
    rows = []

    from evfocus_live.sources import evt
    from evfocus_live.sources.aedat4_file import Aedat4FileSource
    from evfocus_live.sources.hdf5_file import Hdf5FileSource
    from evfocus_live.sources.raw_file import RawFileSource, parse_header
    from evfocus_live.writers import Aedat4Writer, Hdf5Writer
    from evt_reference import raw_file_bytes

    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        # --- AEDAT4 ------------------------------------------------------------------
        ev = synth_events(n, 346, 260)
        p = d / "bench.aedat4"
        with Aedat4Writer(d / "warm.aedat4", 346, 260) as w:  # numba cache load, not timed
            w.write(ev[:1000])
        t0 = time.perf_counter()
        with Aedat4Writer(p, 346, 260, sensor="DAVIS346_bench") as w:
            for k in range(0, n, 30_000):  # ~10 ms packets at 3 Mev/s, as dv writes
                w.write(ev[k:k + 30_000])
        t_write = time.perf_counter() - t0
        print(f"AEDAT4 writer: {n / t_write / 1e6:.1f} Mev/s ({p.stat().st_size / 2**20:.0f} MiB)", flush=True)

        import dv_processing as dv

        def bare_dv():
            r = dv.io.MonoCameraRecording(str(p))
            m = 0
            while r.isRunning():
                b = r.getNextEventBatch()
                if b is not None:
                    m += len(b.numpy())
            return m

        rows.append(("aedat4", "dv loop + .numpy()", *timeit(bare_dv, args.repeat)))
        rows.append(("aedat4", "Aedat4FileSource", *timeit(count_source(Aedat4FileSource, p), args.repeat)))

        # --- HDF5 --------------------------------------------------------------------
        p = d / "bench.h5"
        with Hdf5Writer(p, 346, 260) as w:
            for k in range(0, n, 1 << 20):
                w.write(ev[k:k + (1 << 20)])

        def bare_h5():
            import h5py
            import hdf5plugin  # noqa: F401
            m = 0
            with h5py.File(p, "r") as f:
                g = f["events"]
                for k in range(0, n, 1 << 19):
                    cols = [g[c][k:k + (1 << 19)] for c in "txyp"]
                    m += len(cols[0])
            return m

        rows.append(("hdf5", "h5py column slices", *timeit(bare_h5, args.repeat)))
        rows.append(("hdf5", "Hdf5FileSource", *timeit(count_source(Hdf5FileSource, p), args.repeat)))
        del ev

        # --- EVT3 / EVT2 -------------------------------------------------------------
        for version, (w_, h_) in ((3, (1280, 720)), (2, (640, 480))):
            ev = synth_events(n, w_, h_, seed=version)
            p = d / f"bench_evt{version}.raw"
            p.write_bytes(raw_file_bytes(ev, version, w_, h_))
            del ev
            data = p.read_bytes()
            _, off = parse_header(data[:4096])
            payload = np.frombuffer(data, np.uint8, offset=off)
            try:
                import faery

                def bare_faery():
                    return sum(len(b) for b in faery.events_stream_from_file(p))
                rows.append((f"evt{version}", "faery", *timeit(bare_faery, args.repeat)))
            except ImportError:
                pass

            words = payload[: payload.size // (2 if version == 3 else 4) * (2 if version == 3 else 4)]
            words = words.view(np.uint16 if version == 3 else np.uint32)
            out = np.empty(n + 64, dtype=EVENT_DTYPE)  # preallocated, warm: the bare kernel

            def bare_decode():
                m, used = evt.decode(words, evt.new_state(), out, version, w_, h_)
                assert used == words.size
                return m

            rows.append((f"evt{version}", "evt.decode (one call)", *timeit(bare_decode, args.repeat)))
            rows.append((f"evt{version}", "RawFileSource", *timeit(count_source(RawFileSource, p), args.repeat)))
            del data, payload

    print(f"\n{'format':8} {'reader':28} {'events':>11} {'s':>7} {'Mev/s':>7} {'overhead':>9}")
    base = {}
    for fmt, name, secs, count in rows:
        if fmt not in base:
            base[fmt] = secs
        over = "" if base[fmt] == secs and name == next(r[1] for r in rows if r[0] == fmt) \
            else f"{(secs / base[fmt] - 1) * 100:+.1f} %"
        print(f"{fmt:8} {name:28} {count:11,d} {secs:7.3f} {count / secs / 1e6:7.1f} {over:>9}")
    print("\noverhead: relative to the first (bare) reader of the same format")
    return 0


if __name__ == "__main__":
    sys.exit(main())
