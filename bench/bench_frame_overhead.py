"""Where a frame's time goes on `evfocus reconstruct`'s path, and today's code against a git revision's.

Run: ``nice python bench/bench_frame_overhead.py [--baseline REV] [--repeat 7] [--no-model]``.

For each real recording (``../shared/data``: the DAVIS346 pegboard .aedat4 346x260, the Gen3
spinner EVT2 .raw 640x480, the Gen4.1 street EVT3 .raw 1280x720), one 33 ms window (the
recording repeated back to back in time where it is shorter) goes through the stages the
synchronous pipeline runs per frame: voxel grid (5 bins, normalised, as the shipped model takes it),
the light ``evfocus`` model's forward (fp32, one torch thread, the TorchScript step
``evfocus reconstruct`` runs), its frame to uint8, the defocus readout (|grid| summed over
the bins, smoothed, the activity-weighted mean of the sigma map), the event image, auto-HDR,
and the PNG ``reconstruct`` writes. Each stage's CPU time (``time.thread_time``: on a
loaded 2-core machine wall time is mostly the neighbours'), best of ``--repeat``, and its
share of their sum.

Then ``--baseline REV`` (default ``28548f6``, before the defocus readout's one-pass |grid| sum)
loads ``core/defocus.py`` as it was at REV beside today's and times old against new,
interleaved (old, new, new, old, ...), after checking that both give the same bits: the
readout's activity weights as the pipeline made them (torch's ``abs().sum(0)`` on the grid,
then the old ``activity_weights``) and as it makes them now (the grid itself into
``activity_weights``). Prints the median ms of old and new, their ranges, and old/new per pair.
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
from bench_pipeline_overhead import fmt, interleaved, recording, same_bits, slices  # noqa: E402

log = logging.getLogger("bench_frame_overhead")

#: the revision before the one-pass |grid| sum
DEFAULT_BASELINE = "28548f6"
WINDOW_US = 33_000
FILES = ("davis346_pegboard_aestream.aedat4", "prophesee_gen3_spinner_evt2.raw", "prophesee_gen41_evk3_street_evt3.raw")


def best_ms(fn, repeat: int) -> float:
    fn()  # warm-up: numba cache load, the TorchScript build, the allocator
    best = float("inf")
    for _ in range(repeat):
        t0 = time.thread_time()
        fn()
        best = min(best, time.thread_time() - t0)
    return best * 1e3


def stage_table(window: np.ndarray, w: int, h: int, repeat: int, model: bool) -> dict[str, float]:
    """ms per stage (CPU time, best of ``repeat``) of one window, as ``Pipeline._model_part``,
    ``_post_part`` and ``reconstruct``'s ``_write_png`` run them."""
    import cv2
    import torch

    from evfocus_live.core.defocus import activity_weights, defocus_readout_px
    from evfocus_live.core.postprocess import AutoHdr
    from evfocus_live.core.render import event_image
    from evfocus_live.core.voxel import model_voxel
    from evfocus_live.nn.registry import load_model
    from evfocus_live.nn.runtime import InferenceModel

    vox = model_voxel(window, 5, w, h)[None]
    ms = {"voxel grid": best_ms(lambda: model_voxel(window, 5, w, h), repeat)}
    if model:
        runner = InferenceModel(load_model("evfocus", "cpu"), backend="jit")
        with torch.inference_mode():
            for _ in range(3):  # the plain first frame, then the traced step's build
                runner(vox)
            ms["model forward"] = best_ms(lambda: runner(vox), repeat)
            out = runner(vox)
        img, sigma = out["image"], out["sigma"][0, 0].numpy()
    else:
        img = torch.rand(1, 1, h, w)
        sigma = np.random.default_rng(0).random((h, w), dtype=np.float32) * 8
    ms["frame to uint8"] = best_ms(lambda: (img[0, 0].float().clamp(0, 1) * 255 + 0.5).to(torch.uint8).numpy(), repeat)
    image = (img[0, 0].float().clamp(0, 1) * 255 + 0.5).to(torch.uint8).numpy()
    ms["defocus readout"] = best_ms(lambda: defocus_readout_px(sigma, activity_weights(vox[0, :5].numpy()),
                                                               n_events=len(window)), repeat)
    ms["event image"] = best_ms(lambda: event_image(window, w, h), repeat)
    hdr = AutoHdr()
    ms["post: auto_hdr"] = best_ms(lambda: hdr(image, 0), repeat)
    ms["PNG (reconstruct)"] = best_ms(lambda: cv2.imencode(".png", image), repeat)
    return ms


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", metavar="REV", default=DEFAULT_BASELINE,
                    help=f"git revision whose core/defocus.py is the old code (default {DEFAULT_BASELINE})")
    ap.add_argument("--repeat", type=positive_int, default=7, help="interleaved old/new pairs, and best-of for the stage table (default 7)")
    ap.add_argument("--no-model", action="store_true", help="do not time the model forward (a random frame stands in)")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        old_defocus = load_revision(a.baseline, "core.defocus")
    except (ValueError, OSError) as exc:
        return fail(ap.prog, exc)
    import torch

    from evfocus_live.benchmark import SHARED_DATA
    from evfocus_live.core import defocus
    from evfocus_live.core.voxel import model_voxel

    torch.set_num_threads(1)
    paths = [SHARED_DATA / f for f in FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        return fail(ap.prog, f"real recordings missing: {', '.join(missing)} (set $EVFOCUS_SHARED_DATA)")
    for path in paths:
        ev, w, h = recording(path, 2.5 * WINDOW_US / 1e6)
        window = slices(ev, WINDOW_US, 0, 1)[0]
        print(f"\n{path.name}: {w}x{h}, a 33 ms window of {len(window):,} events")
        ms = stage_table(window, w, h, a.repeat, not a.no_model)
        total = sum(ms.values())
        print(f"  {'stage (CPU time, best of %d)' % a.repeat:34} {'ms':>8} {'share':>7}")
        for name, v in sorted(ms.items(), key=lambda kv: -kv[1]):
            print(f"  {name:34} {v:8.2f} {100 * v / total:6.1f} %")
        print(f"  {'sum':34} {total:8.2f}")

        bins = model_voxel(window, 5, w, h)

        def old_weights():  # the pipeline's readout weights at the baseline
            return old_defocus.activity_weights(bins.float().abs().sum(0, keepdim=True).cpu().numpy())

        def new_weights():
            return defocus.activity_weights(bins.numpy())

        if not same_bits(old_weights(), new_weights()):
            return fail(ap.prog, f"{path.name}: the readout's activity weights differ from the baseline's")
        n = max(1, int(2e6 // max(len(window), 1)))

        def times(fn, n=n):
            def run():
                for _ in range(n):
                    fn()
                return n
            return run

        rows = {"readout activity weights": interleaved(times(old_weights), times(new_weights), a.repeat)}
        print(f"  {'old against new':32} {'old ms':>22} {'new ms':>22}  {'old/new':>16}")
        for name, r in rows.items():
            print(f"  {name:32} {fmt(r)}")
        if not a.no_model:
            saved = sum(statistics.median(r["old"]) - statistics.median(r["new"]) for r in rows.values())
            print(f"  saved per frame: {saved:.2f} ms, {100 * saved / total:.1f} % of the stages' sum")
    return 0


if __name__ == "__main__":
    sys.exit(main())
