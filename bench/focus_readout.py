"""How the viewer's defocus readout follows the simulated camera's focus knob.

For each live scene and knob position the simulated camera runs for ``--seconds``; its
events are cut into windows of 0.35 events per pixel (the live default), each model
reads them from a reset, and its defocus readout (what the viewer's bar shows:
``core.defocus``, the map weighted by event activity) over the second half is compared
with the true blur sigma of the subject layer. Prints a
Markdown table and, per model, the mean absolute error and the correlation over all
scene/knob pairs, and how smooth its maps are (``grid_roughness_px``: a head whose
dilations share a factor prints an 8 px checkerboard). Example::

    python bench/focus_readout.py --models evfocus runs/x/final.pt --scenes mixed natural text
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import torch

from evfocus_live.config import WindowConfig
from evfocus_live.core.defocus import activity_weights, defocus_readout_px
from evfocus_live.core.slicing import make_slicer
from evfocus_live.core.voxel import model_voxel
from evfocus_live.errors import EvFocusError
from evfocus_live.nn.registry import load_model, model_count_channel, model_num_bins
from evfocus_live.simulate.camera import LIVE_SCENES, LiveSim

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _options import Parser, fail, positive_float, unit_float  # noqa: E402

log = logging.getLogger("focus_readout")


def windows(live: LiveSim, seconds: float, step_us: float = 5000.0):
    """The live simulator's events cut as the viewer cuts them (``core.slicing``, the
    default "events" mode: 0.35 events per pixel)."""
    slicer = make_slicer(WindowConfig(), live.width, live.height)
    t_end = live.t_us + seconds * 1e6
    while live.t_us < t_end:
        yield from slicer.push(live.advance(live.t_us + step_us))


def grid_roughness_px(sigma_px: np.ndarray) -> tuple[float, float]:
    """Mean |second difference| of a defocus map sampled every 4 px (the quarter-resolution
    grid a head's map is upsampled from), over steps of 4 and 8 px, rows and columns. A
    smooth map's second difference grows with the step; an 8 px checkerboard makes the
    4 px one the larger."""
    q = np.asarray(sigma_px, np.float64)[2::4, 2::4]

    def d2(k):
        return (np.abs(q[:, :-2 * k] - 2 * q[:, k:-k] + q[:, 2 * k:]).mean()
                + np.abs(q[:-2 * k] - 2 * q[k:-k] + q[2 * k:]).mean()) / 2

    return float(d2(1)), float(d2(2))


@torch.inference_mode()
def readout(model, live: LiveSim, seconds: float, weighted: bool = True) -> tuple[float, list[tuple[float, float]]]:
    """Mean readout over the second half of ``seconds`` of the live camera, from a reset,
    and the maps' grid roughness there. The voxel grids have the model's own ``num_bins``."""
    model.reset_states()
    bins = model_num_bins(model)
    t0 = live.t_us
    vals, rough = [], []
    for win in windows(live, seconds):
        t_us = win.t_us
        vox = model_voxel(win.events, bins, live.width, live.height, count_channel=model_count_channel(model))
        out = model(vox[None])
        vox = vox[:bins]  # the activity: the bins, not an event-count channel
        if t_us - t0 >= 0.5 * seconds * 1e6 and "sigma" in out:
            sigma = out["sigma"][0, 0].numpy()
            vals.append(defocus_readout_px(sigma, activity_weights(vox.numpy())) if weighted else float(sigma.mean()))
            rough.append(grid_roughness_px(sigma))
    return (float(np.mean(vals)) if vals else float("nan")), rough


def agreement(true_px: np.ndarray, read_px: np.ndarray) -> tuple[float, float, int]:
    """Mean |read - true| and the correlation over the scene/knob pairs that gave a readout,
    and how many gave none (a dim scene at strong blur may not fill one window in the
    second half of a short run: it is left out, not allowed to turn the summary into NaN)."""
    ok = np.isfinite(read_px)
    t, p = np.asarray(true_px, np.float64)[ok], np.asarray(read_px, np.float64)[ok]
    mae = float(np.abs(p - t).mean()) if ok.any() else float("nan")
    corr = float(np.corrcoef(p, t)[0, 1]) if ok.sum() > 1 and p.std() > 0 and t.std() > 0 else float("nan")
    return mae, corr, int((~ok).sum())


def main(argv=None) -> int:
    ap = Parser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["evfocus"])
    ap.add_argument("--scenes", nargs="+", default=["mixed", "natural", "shapes", "text"], choices=list(LIVE_SCENES))
    ap.add_argument("--knobs", nargs="+", type=unit_float, default=[0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.7, 0.9],
                    help="focus knob positions, 0..1 (0.5 in focus)")
    ap.add_argument("--seconds", type=positive_float, default=1.0)
    ap.add_argument("--plain-mean", action="store_true",
                    help="the map's plain mean instead of the viewer's activity-weighted readout")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(1)
    try:
        models = {m: load_model(m).eval() for m in a.models}
    except EvFocusError as exc:
        return fail(ap.prog, exc)
    rows, rough = [], {}
    for scene in a.scenes:
        for knob in a.knobs:
            true = LiveSim(scene, focus=knob).subject_sigma_px()
            # a fresh camera per model: the same events for each
            read = {}
            for name, m in models.items():
                read[name], r = readout(m, LiveSim(scene, focus=knob), a.seconds, weighted=not a.plain_mean)
                rough.setdefault(name, []).extend(r)
            rows.append((scene, knob, true, read))
            log.info("%s knob %.2f: true %.2f px, %s", scene, knob, true,
                     ", ".join(f"{k} {v:.2f}" for k, v in read.items()))
    print("| scene | knob | subject σ (px) | " + " | ".join(a.models) + " |")
    print("|---|---|---|" + "---|" * len(a.models))
    for scene, knob, true, read in rows:
        print(f"| {scene} | {knob:.2f} | {true:.2f} | "
              + " | ".join(f"{read[m]:.2f}" if np.isfinite(read[m]) else "–" for m in a.models) + " |")
    t = np.array([r[2] for r in rows])
    for m in a.models:
        mae, corr, missing = agreement(t, np.array([r[3][m] for r in rows]))
        r4, r8 = np.mean(rough.get(m) or [(np.nan, np.nan)], 0)
        print(f"{m}: mean |read - true| {_num(mae, '.2f')} px, correlation {_num(corr, '.3f')}; "
              f"map |2nd difference| over 4 px {_num(r4, '.3f')}, over 8 px {_num(r8, '.3f')}"
              + (f" ({missing} of {len(rows)} pairs gave no window in the second half: left out; "
                 "raise --seconds)" if missing else ""))
    if len(set(t.tolist())) < 2:  # one knob (or scenes of one blur): nothing to correlate with
        print("correlation –: it needs at least two different true blurs (give several --knobs)")
    return 0


def _num(value: float, spec: str) -> str:
    """A summary number, or "–" where it is undefined (NaN): "nan" read as a result."""
    return format(value, spec) if np.isfinite(value) else "–"


if __name__ == "__main__":
    raise SystemExit(main())
