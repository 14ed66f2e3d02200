"""The model's thread's time a frame for headless ``--frames-dir``: PNGs written on it (before)
vs handed to the writer thread (now), interleaved in one process.

Run: ``python bench/bench_frames_dir.py [--frames 60] [--model-ms 30] [--repeat 3] [--dir DIR]``.
Each repeat, at 346x260, 640x480 and 1280x720: ``--frames`` smooth grey frames (a reconstruction's
look: PNG's work depends on it) go through ``FrameFolder.write`` on the calling thread (the old
sink), then through ``_FrameSink`` (its queue; the writer thread writes them), ``--model-ms``
of sleep between frames standing in for the model (torch releases the GIL as a sleep does).
Printed: the median ms a frame the calling thread spent in each, their ratio (the number to
quote), and the sink's own writer-thread ms a frame. Absolute ms depend on the machine and disk.
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _options import Parser, non_negative_float, positive_int  # noqa: E402

log = logging.getLogger("bench_frames_dir")
SIZES = ((346, 260), (640, 480), (1280, 720))


def frames(width: int, height: int, n: int):
    """``n`` smooth uint8 frames (a coarse noise field, upscaled, moving)."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(0)
    coarse = rng.integers(0, 256, (height // 8 + 2, width // 8 + 2), dtype=np.uint8)
    big = cv2.resize(coarse, (width + 16, height + 16), interpolation=cv2.INTER_CUBIC)
    for i in range(n):
        yield types.SimpleNamespace(index=i, t_us=1000 * (i + 1), image=np.ascontiguousarray(
            big[i % 16:i % 16 + height, (i * 3) % 16:(i * 3) % 16 + width]), compare=None)


def on_thread_ms(outdir: Path, width: int, height: int, n: int, model_s: float) -> float:
    """Mean ms a frame the calling thread spends writing the PNGs itself (the old sink)."""
    from evfocus_live.cli.reconstruct import FrameFolder

    folder = FrameFolder(outdir)
    spent = 0.0
    for fr in frames(width, height, n):
        time.sleep(model_s)
        t0 = time.perf_counter()
        folder.write(fr)
        spent += time.perf_counter() - t0
    folder.close()
    return 1e3 * spent / n


def queued_ms(outdir: Path, width: int, height: int, n: int, model_s: float) -> tuple[float, float]:
    """(mean ms a frame the calling thread spends handing it to ``_FrameSink``, the writer's ms a frame)."""
    from evfocus_live.cli.reconstruct import FrameFolder
    from evfocus_live.gui.app import _FrameSink

    sink = _FrameSink(FrameFolder(outdir))
    spent = 0.0
    for fr in frames(width, height, n):
        time.sleep(model_s)
        t0 = time.perf_counter()
        sink(fr)
        spent += time.perf_counter() - t0
    sink.close(say=False)
    if sink.error or sink.folder.n != n:
        raise SystemExit(f"bench_frames_dir.py: error: the sink wrote {sink.folder.n} of {n} frames ({sink.error})")
    return 1e3 * spent / n, sink.write_ms


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=positive_int, default=60)
    ap.add_argument("--model-ms", type=non_negative_float, default=30.0, help="the model's time a frame (a sleep)")
    ap.add_argument("--repeat", type=positive_int, default=3)
    ap.add_argument("--dir", default=None, help="where to write (default: a temporary folder; its disk is timed)")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    import shutil

    base = Path(tempfile.mkdtemp(prefix="bench_frames_dir_", dir=a.dir))
    runs: dict[tuple[int, int], dict[str, list[float]]] = {s: {"before": [], "after": [], "writer": []} for s in SIZES}
    try:
        for r in range(a.repeat):
            for w, h in SIZES:
                d = base / f"{r}_{w}x{h}"
                runs[(w, h)]["before"].append(on_thread_ms(d / "before", w, h, a.frames, a.model_ms / 1e3))
                after, writer = queued_ms(d / "after", w, h, a.frames, a.model_ms / 1e3)
                runs[(w, h)]["after"].append(after)
                runs[(w, h)]["writer"].append(writer)
                shutil.rmtree(d, ignore_errors=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"model's thread ms a frame (median of {a.repeat}, {a.frames} frames, {a.model_ms:g} ms model):")
    print(f"{'size':>10} {'on thread':>10} {'queued':>10} {'ratio':>8} {'writer':>8}")
    for (w, h), m in runs.items():
        before, after = statistics.median(m["before"]), statistics.median(m["after"])
        print(f"{f'{w}x{h}':>10} {before:10.2f} {after:10.3f} {before / max(after, 1e-6):7.0f}x "
              f"{statistics.median(m['writer']):8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
