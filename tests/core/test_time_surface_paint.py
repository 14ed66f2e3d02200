"""The event pane's time-surface paint at the Prophesee street recording's 1280x720.

The numba paint goes through the sensor in bands (exponent, numpy's exp, colour per band)
for speed; what it shows must stay the image of the formula: per pixel
``bg + exp(-age_on / tau) * (on - bg) + exp(-age_off / tau) * (off - bg)``, clipped and
truncated to uint8, ``tau`` = the pane's decay in ms. Checked here on real events fed as
the viewer feeds them, at several decay settings and paint times, against the numpy path
(the previous code: the same bits) and against that formula in float64 (one grey level:
float32 against float64 rounding). Speed: ``bench/bench_pipeline_overhead.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import EVT3_FILE

from evfocus_live.core.render import PALETTES, TimeSurface
from evfocus_live.gui.eventview import EventView
from evfocus_live.sources import open_file

BATCH_US = 2_000  # the viewer's feed of a replay (TapSource.CHUNK_US)


@pytest.fixture(scope="module")
def street():
    with open_file(EVT3_FILE) as src:
        ev = np.concatenate(list(src))
        w, h = src.width, src.height
    assert (w, h) == (1280, 720)
    ev = ev[np.argsort(ev["t"], kind="stable")]
    t0 = int(ev["t"][0])
    edges = np.searchsorted(ev["t"], np.arange(t0, int(ev["t"][-1]) + BATCH_US + 1, BATCH_US))
    return [ev[a:b] for a, b in zip(edges[:-1], edges[1:]) if b > a], w, h


def formula(last: np.ndarray, now_us: int, decay_ms: float, palette: str, w: int, h: int) -> np.ndarray:
    """The time surface's definition in float64, straight from ``last`` [2, H*W] (OFF, ON)."""
    tau_us = max(decay_ms * 1e3, 1.0)
    s = np.exp(-np.clip((now_us - last).astype(np.float64), 0, None) / tau_us)
    pal = {k: np.asarray(v, np.float64) for k, v in PALETTES[palette].items()}
    img = pal["bg"] + s[1][:, None] * (pal["on"] - pal["bg"]) + s[0][:, None] * (pal["off"] - pal["bg"])
    return np.clip(img, 0, 255).astype(np.uint8).reshape(h, w, 3)


@pytest.mark.parametrize("decay_ms", [1.0, 30.0, 500.0])
def test_banded_paint_is_the_formula_on_real_events(street, decay_ms):
    batches, w, h = street
    fast, ref = TimeSurface(w, h, tau_ms=decay_ms, backend="numba"), TimeSurface(w, h, tau_ms=decay_ms, backend="numpy")
    assert w * h > fast.PAINT_BAND  # several bands, the last one partial
    assert (w * h) % fast.PAINT_BAND
    for i, b in enumerate(batches):
        fast.update(b)
        ref.update(b)
        if i not in (0, len(batches) - 1):
            continue
        now = fast.t_us
        for later_us in (0, 3_000, 40_000):
            for palette in PALETTES:
                got = fast.render(now + later_us, palette=palette)
                assert got.shape == (h, w, 3) and got.dtype == np.uint8 and got.flags.c_contiguous
                assert np.array_equal(got, ref.render(now + later_us, palette=palette)), (i, later_us, palette)
                want = formula(fast.last, now + later_us, decay_ms, palette, w, h)
                diff = np.abs(got.astype(np.int16) - want)
                assert diff.max() <= 1, (i, later_us, palette)
    lit = formula(fast.last, fast.t_us, decay_ms, "dark", w, h) != np.asarray(PALETTES["dark"]["bg"], np.uint8)
    assert lit.any(axis=2).mean() > 0.05  # a real share of the sensor was painted, not just background


@pytest.mark.parametrize("band", [1, 997, 1280 * 720, 10**7])
def test_band_size_does_not_change_the_image(street, band):
    """Band edges inside rows, one pixel per band, one band for the whole sensor."""
    batches, w, h = street
    ts = TimeSurface(w, h, tau_ms=5.0, backend="numba")
    for b in batches[:3]:
        ts.update(b)
    whole = ts.render(palette="white")
    if band == 1:  # (a 1280x720 sensor one pixel at a time is slow: a corner of it)
        small = TimeSurface(7, 3, tau_ms=5.0, backend="numba")
        for b in batches[:3]:
            small.update(b)
        small.PAINT_BAND = 1
        ref = TimeSurface(7, 3, tau_ms=5.0, backend="numpy")
        for b in batches[:3]:
            ref.update(b)
        assert np.array_equal(small.render(palette="white"), ref.render(palette="white"))
        return
    ts.PAINT_BAND = band
    assert np.array_equal(ts.render(palette="white"), whole)


def test_event_view_time_surface_follows_decay_ms(street):
    """The pane as the viewer drives it: its decay setting is the surface's time constant."""
    batches, w, h = street
    view = EventView(w, h, mode="time_surface", decay_ms=30.0)
    for b in batches[:2]:
        view.add(b)
    last = view._ts.last.copy()
    for decay_ms in (2.0, 30.0, 400.0):
        view.decay_ms = decay_ms
        got = view.render()
        want = formula(last, view.t_now_us, decay_ms, "dark", w, h)
        assert np.abs(got.astype(np.int16) - want).max() <= 1, decay_ms
    assert not np.array_equal(view.render(), formula(last, view.t_now_us, 2.0, "dark", w, h))
