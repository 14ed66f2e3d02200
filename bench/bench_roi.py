"""End-to-end ms per frame on a recording: the whole sensor vs an ``--roi`` (interleaved).

Run: ``python bench/bench_roi.py [--input REC] [--roi X,Y,W,H] [--window-ms 1] [--repeat 3]``.
One process, ``--threads`` torch threads (default 1), fp32, the light model ``evfocus``:
each repeat runs the synchronous pipeline (``frames()``) over the recording at full size,
then with the ROI, so both see the same machine load; the first ``--skip`` frames of a run
(the reset frame, the backend's one-off start-up) are not timed. The medians and their
ratio are printed; the ratio is the number to quote (absolute ms depend on the machine).
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _options import Parser, fail, positive_int  # noqa: E402

log = logging.getLogger("bench_roi")
DEFAULT_INPUT = Path(__file__).resolve().parents[2] / "shared/data/prophesee_gen41_evk3_street_evt3.raw"


def ms_per_frame(path: str, window, model_cfg, model, skip: int) -> tuple[float, int, tuple[int, int]]:
    """Mean wall ms per frame after the first ``skip`` frames, the frames timed and the model's size."""
    from evfocus_live.config import PostConfig
    from evfocus_live.pipeline import Pipeline

    with Pipeline(path, window, model_cfg, PostConfig(steps=()), model_obj=model) as pipe:
        it = pipe.frames()
        for _ in range(skip):
            next(it)
        t0, n = time.perf_counter(), 0
        for _ in it:
            n += 1
        wall = time.perf_counter() - t0
        return 1000.0 * wall / max(n, 1), n, (pipe.width, pipe.height)


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", default=str(DEFAULT_INPUT), help="a recording (default: the Gen4.1 1280x720 one)")
    ap.add_argument("--roi", default="467,230,346,260", help="X,Y,W,H (default: a DAVIS346-sized centre)")
    ap.add_argument("--window-ms", type=float, default=1.0)
    ap.add_argument("--repeat", type=positive_int, default=3)
    ap.add_argument("--skip", type=positive_int, default=2)
    ap.add_argument("--threads", type=positive_int, default=1)
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    import torch

    from evfocus_live.cli.options import parse_roi
    from evfocus_live.config import ModelConfig, WindowConfig, check_roi_fits
    from evfocus_live.errors import EvFocusError
    from evfocus_live.nn.registry import load_model
    from evfocus_live.sources import open_source

    try:
        roi = parse_roi("--roi", a.roi)
        WindowConfig(mode="duration", window_ms=a.window_ms)
        with open_source(a.input) as src:  # before any timing: a bad ROI failed after the first full run
            if roi is not None:
                check_roi_fits(roi, src.width, src.height, f"{Path(a.input).name}'s")
        torch.set_num_threads(a.threads)
        model_cfg = ModelConfig(name="evfocus", device="cpu", precision="fp32", threads=a.threads)
        model = load_model("evfocus", "cpu")
        runs: dict[str, list[float]] = {"full": [], "roi": []}
        sizes = {}
        for _ in range(a.repeat):
            for key, r in (("full", None), ("roi", roi)):
                ms, n, sizes[key] = ms_per_frame(a.input, WindowConfig(mode="duration", window_ms=a.window_ms, roi=r),
                                                 model_cfg, model, a.skip)
                runs[key].append(ms)
                log.info("%s: %.1f ms/frame over %d frames", key, ms, n)
    except EvFocusError as exc:
        return fail("bench_roi.py", exc)
    full, small = statistics.median(runs["full"]), statistics.median(runs["roi"])
    print(f"full sensor {sizes['full'][0]}x{sizes['full'][1]}: {full:.1f} ms/frame "
          f"({', '.join(f'{v:.0f}' for v in runs['full'])})")
    print(f"--roi {a.roi} ({sizes['roi'][0]}x{sizes['roi'][1]}): {small:.1f} ms/frame "
          f"({', '.join(f'{v:.0f}' for v in runs['roi'])})")
    print(f"ratio: {full / small:.1f}x the frame rate ({1000 / full:.1f} -> {1000 / small:.1f} frames/s), "
          f"{a.threads} torch thread(s), fp32, window {a.window_ms:g} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
