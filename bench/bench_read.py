"""Read throughput of our sources against the bare library call, in one process.

Makes ~20 M-event files in a temp dir (AEDAT4 with our writer, EVT3/EVT2 with the test
encoders, HDF5 with our writer, npy with ``np.save``; only those of ``--formats``), then
times, median of ``--repeat`` warm-cache runs:

* AEDAT4: bare ``dv.io.MonoCameraRecording`` loop + ``.numpy()`` vs ``Aedat4FileSource``
  (batches already converted to EVENT_DTYPE);
* EVT3/EVT2: faery if installed, and our bare decoder call on the whole buffer, vs
  ``RawFileSource``;
* HDF5: bare h5py column slices vs ``Hdf5FileSource``;
* npy: ``np.load`` into memory + batch column slices vs ``NpyFileSource``.

Overhead % = (source time / bare time - 1) * 100; the goal is <= 15 %.

``--baseline REV`` also loads the AEDAT4/RAW/npy readers of git revision ``REV`` (their
source files, in this process, beside ours) and times them against ours on the same files,
interleaved (ours, REV, REV, ours, ...: a shared machine's noise hits both alike), printing
ours/REV per file. ``--real DIR`` adds the recordings in DIR (``*.aedat4``, ``*.raw``,
``*.npy``) to that comparison; small files are read several times per timed run.

Usage: ``nice python bench/bench_read.py [--events 20e6] [--repeat 3] [--formats evt3,npy]
[--baseline HEAD] [--real ../shared/data]``
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

from _options import Parser, fail, positive_int  # noqa: E402
from _revision import load_revision  # noqa: E402
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


def count_source(cls, path, times: int = 1, **kw):
    def run():
        n = 0
        for _ in range(times):
            with cls(path, **kw) as src:
                for b in src:
                    n += len(b)
        return n // times
    return run


FORMATS = ("aedat4", "hdf5", "evt3", "evt2", "npy")
#: reader module (in evfocus_live/sources) and class per file suffix, for --baseline/--real
READERS = {".aedat4": ("aedat4_file", "Aedat4FileSource"), ".raw": ("raw_file", "RawFileSource"),
           ".npy": ("npy_file", "NpyFileSource")}


def formats(text: str) -> list[str]:
    names = [f.strip() for f in text.split(",") if f.strip()]
    bad = [f for f in names if f not in FORMATS]
    if bad or not names:
        raise ValueError(f"unknown format(s) {', '.join(bad) or text!r} (choose from {', '.join(FORMATS)})")
    return names


def compare(files: list[Path], rev: str, repeat: int) -> None:
    """Ours vs the readers of ``rev`` on each file, interleaved; prints a table of ratios."""
    import importlib

    print(f"\n{'file':40} {'events':>11} {'ours s':>8} {rev + ' s':>10} {'ours/' + rev:>9}", flush=True)
    for path in files:
        module, cls = READERS[path.suffix]
        ours = getattr(importlib.import_module(f"evfocus_live.sources.{module}"), cls)
        theirs = getattr(load_revision(rev, f"sources.{module}"), cls)
        fn = count_source(ours, path)
        fn()  # warm-up (numba cache, page cache) and a size for the inner loop
        t0 = time.perf_counter()
        n = fn()
        times = max(1, int(0.3 / max(time.perf_counter() - t0, 1e-6)))  # >= ~0.3 s per run
        runs = {"ours": count_source(ours, path, times), "rev": count_source(theirs, path, times)}
        if runs["rev"]() != n:
            raise SystemExit(f"bench_read: {path.name}: {rev} reads a different number of events")
        got: dict[str, list[float]] = {"ours": [], "rev": []}
        for k in range(max(2, repeat)):
            for name in (("ours", "rev") if k % 2 == 0 else ("rev", "ours")):
                t0 = time.perf_counter()
                runs[name]()
                got[name].append((time.perf_counter() - t0) / times)
        a, b = statistics.median(got["ours"]), statistics.median(got["rev"])
        print(f"{path.name[:40]:40} {n:11,d} {a:8.4f} {b:10.4f} {a / b:9.3f}", flush=True)
    print(f"ours/{rev}: median time per read of the file, ours over the readers at {rev} "
          "(< 1: ours is faster)")


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=positive_int, default=20_000_000, help="per file (default 20e6)")
    ap.add_argument("--repeat", type=positive_int, default=3, help="timed runs per reader (median)")
    ap.add_argument("--formats", default=",".join(FORMATS),
                    help=f"comma-separated subset of {','.join(FORMATS)} (default: all)")
    ap.add_argument("--baseline", metavar="REV",
                    help="also time the aedat4/raw/npy readers of this git revision against ours")
    ap.add_argument("--real", metavar="DIR", type=Path,
                    help="also compare on the .aedat4/.raw/.npy recordings in DIR (needs --baseline)")
    args = ap.parse_args(argv)
    try:
        fmts = formats(args.formats)
        if args.real is not None and not args.baseline:
            raise ValueError("--real needs --baseline")
        real = sorted(p for p in args.real.iterdir() if p.suffix in READERS) if args.real else []
        if args.real is not None and not real:
            raise ValueError(f"{args.real}: no .aedat4/.raw/.npy recordings")
        if args.baseline:
            for module, _ in READERS.values():
                load_revision(args.baseline, f"sources.{module}")
    except (ValueError, OSError) as exc:
        return fail(ap.prog, exc)
    n = args.events
    rows: list[tuple] = []
    compared: list[Path] = []

    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        ev = synth_events(n, 346, 260) if {"aedat4", "hdf5", "npy"} & set(fmts) else None
        if "aedat4" in fmts:
            bench_aedat4(d / "bench.aedat4", ev, args.repeat, rows)
            compared.append(d / "bench.aedat4")
        if "hdf5" in fmts:
            bench_hdf5(d / "bench.h5", ev, args.repeat, rows)
        if "npy" in fmts:
            np.save(d / "bench.npy", ev)
            bench_npy(d / "bench.npy", args.repeat, rows)
            compared.append(d / "bench.npy")
        del ev
        for version, (w_, h_) in ((3, (1280, 720)), (2, (640, 480))):
            if f"evt{version}" in fmts:
                p = d / f"bench_evt{version}.raw"
                bench_raw(p, version, w_, h_, n, args.repeat, rows)
                compared.append(p)

        print(f"\n{'format':8} {'reader':28} {'events':>11} {'s':>7} {'Mev/s':>7} {'overhead':>9}")
        base = {}
        for fmt, name, secs, count in rows:
            if fmt not in base:
                base[fmt] = secs
            over = "" if base[fmt] == secs and name == next(r[1] for r in rows if r[0] == fmt) \
                else f"{(secs / base[fmt] - 1) * 100:+.1f} %"
            print(f"{fmt:8} {name:28} {count:11,d} {secs:7.3f} {count / secs / 1e6:7.1f} {over:>9}")
        print("\noverhead: relative to the first (bare) reader of the same format", flush=True)
        if args.baseline:
            compare(compared + real, args.baseline, args.repeat)
    return 0


def bench_aedat4(p: Path, ev: np.ndarray, repeat: int, rows: list) -> None:
    """Bare ``dv.io.MonoCameraRecording`` loop vs ours, on a file of ``ev`` by our writer."""
    import dv_processing as dv

    from evfocus_live.sources.aedat4_file import Aedat4FileSource
    from evfocus_live.writers import Aedat4Writer

    n = len(ev)
    with Aedat4Writer(p.parent / "warm.aedat4", 346, 260) as w:  # numba cache load, not timed
        w.write(ev[:1000])
    t0 = time.perf_counter()
    with Aedat4Writer(p, 346, 260, sensor="DAVIS346_bench") as w:
        for k in range(0, n, 30_000):  # ~10 ms packets at 3 Mev/s, as dv writes
            w.write(ev[k:k + 30_000])
    t_write = time.perf_counter() - t0
    print(f"AEDAT4 writer: {n / t_write / 1e6:.1f} Mev/s ({p.stat().st_size / 2**20:.0f} MiB)", flush=True)

    def bare_dv():
        r = dv.io.MonoCameraRecording(str(p))
        m = 0
        while r.isRunning():
            b = r.getNextEventBatch()
            if b is not None:
                m += len(b.numpy())
        return m

    rows.append(("aedat4", "dv loop + .numpy()", *timeit(bare_dv, repeat)))
    rows.append(("aedat4", "Aedat4FileSource", *timeit(count_source(Aedat4FileSource, p), repeat)))


def bench_hdf5(p: Path, ev: np.ndarray, repeat: int, rows: list) -> None:
    """Bare h5py column slices vs ours, on a file of ``ev`` by our writer."""
    from evfocus_live.sources.hdf5_file import Hdf5FileSource
    from evfocus_live.writers import Hdf5Writer

    n = len(ev)
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

    rows.append(("hdf5", "h5py column slices", *timeit(bare_h5, repeat)))
    rows.append(("hdf5", "Hdf5FileSource", *timeit(count_source(Hdf5FileSource, p), repeat)))


def bench_npy(p: Path, repeat: int, rows: list) -> None:
    """``np.load`` into memory + the batches' columns vs ours (which also finds the size)."""
    from evfocus_live.sources.npy_file import BATCH_EVENTS, NpyFileSource

    def bare_npy():
        a = np.load(p)
        m = 0
        for k in range(0, len(a), BATCH_EVENTS):
            b = a[k:k + BATCH_EVENTS]
            m += len([np.ascontiguousarray(b[c]) for c in "txyp"][0])
        return m

    rows.append(("npy", "np.load + column slices", *timeit(bare_npy, repeat)))
    rows.append(("npy", "NpyFileSource", *timeit(count_source(NpyFileSource, p), repeat)))


def bench_raw(p: Path, version: int, w_: int, h_: int, n: int, repeat: int, rows: list) -> None:
    """faery (if installed) and our bare decoder call on the whole buffer vs ours."""
    from evfocus_live.sources import evt
    from evfocus_live.sources.raw_file import RawFileSource, parse_header
    from evt_reference import raw_file_bytes

    ev = synth_events(n, w_, h_, seed=version)
    p.write_bytes(raw_file_bytes(ev, version, w_, h_))
    del ev
    data = p.read_bytes()
    _, off = parse_header(data[:4096])
    payload = np.frombuffer(data, np.uint8, offset=off)
    fmt = f"evt{version}"
    try:
        import faery

        def bare_faery():
            return sum(len(b) for b in faery.events_stream_from_file(p))
        rows.append((fmt, "faery", *timeit(bare_faery, repeat)))
    except ImportError:
        pass

    wdt = np.uint16 if version == 3 else np.uint32
    words = payload[: payload.size // wdt().itemsize * wdt().itemsize].view(wdt)
    out = np.empty(n + 64, dtype=EVENT_DTYPE)  # preallocated, warm: the bare kernel

    def bare_decode():
        m, used = evt.decode(words, evt.new_state(), out, version, w_, h_)
        assert used == words.size
        return m

    rows.append((fmt, "evt.decode (one call)", *timeit(bare_decode, repeat)))
    rows.append((fmt, "RawFileSource", *timeit(count_source(RawFileSource, p), repeat)))


if __name__ == "__main__":
    sys.exit(main())
