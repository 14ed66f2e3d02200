"""Event palettes (``--palette``): Metavision users expect Light / Dark / CoolWarm / Gray, and a
colour-blind user needs one that tells ON from OFF by brightness, not by red against blue. Each
palette's ON and OFF colours appear where ON and OFF events fell, in each event-pane mode (the
network window's image, the decaying accumulation, the time surface), and the numba and numpy
paths paint the same bits."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.config import DisplayConfig
from evfocus_live.core.render import (PALETTE_CHOICES, PALETTES, EventAccumulator, TimeSurface, event_image,
                                      palette_colours, recolour)
from evfocus_live.errors import ConfigError
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.gui.eventview import EventView

W, H = 7, 5
ON_XY, OFF_XY, EMPTY_XY = (1, 1), (4, 2), (6, 4)
BACKENDS = ("numba", "numpy")


def two_events(t_us: int = 1_000) -> np.ndarray:
    ev = np.zeros(2, EVENT_DTYPE)
    ev["x"], ev["y"], ev["p"], ev["t"] = [ON_XY[0], OFF_XY[0]], [ON_XY[1], OFF_XY[1]], [1, 0], t_us
    return ev


def at(img: np.ndarray, xy: tuple[int, int]) -> tuple[int, ...]:
    return tuple(int(v) for v in img[xy[1], xy[0]])


def rgb(c) -> tuple[int, ...]:
    return tuple(int(v) for v in c)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("palette", PALETTE_CHOICES)
def test_window_image_paints_the_palettes_colours(palette, backend):
    pal = palette_colours(palette)
    img = event_image(two_events(), W, H, palette=palette, backend=backend)
    assert at(img, ON_XY) == rgb(pal["on"]) and at(img, OFF_XY) == rgb(pal["off"])
    assert at(img, EMPTY_XY) == rgb(pal["bg"])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("palette", PALETTE_CHOICES)
def test_time_surface_paints_the_palettes_colours(palette, backend):
    pal = palette_colours(palette)
    ts = TimeSurface(W, H, tau_ms=30.0, backend=backend)
    ts.update(two_events())
    img = ts.render(palette=palette)  # (at the events' own time: full strength)
    assert at(img, ON_XY) == rgb(pal["on"]) and at(img, OFF_XY) == rgb(pal["off"])
    assert at(img, EMPTY_XY) == rgb(pal["bg"])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("palette", PALETTE_CHOICES)
def test_decay_view_paints_the_palettes_ramp(palette, backend):
    acc = EventAccumulator(W, H, decay_ms=0, contribution=1.0, backend=backend)
    acc.update(two_events())
    img = acc.render(palette=palette)
    ramp = palette_colours(palette)["acc"]
    bg, on, off = ramp if ramp is not None else ((127, 127, 127), (255, 255, 255), (0, 0, 0))
    assert at(img, ON_XY) == rgb(on) and at(img, OFF_XY) == rgb(off) and at(img, EMPTY_XY) == rgb(bg)


def test_gray_tells_polarity_by_brightness_alone():
    """No hue at all: ON brighter than the background, OFF darker, in every mode."""
    pal = PALETTES["gray"]
    for c in pal.values():
        if c is not None and np.ndim(c) == 1:
            assert len(set(c)) == 1, c
    assert sum(pal["off"]) < sum(pal["bg"]) < sum(pal["on"])


def test_light_is_white_and_the_default_is_dark():
    assert palette_colours("light") is PALETTES["white"]
    assert DisplayConfig().palette == "dark"
    assert np.array_equal(event_image(two_events(), W, H), event_image(two_events(), W, H, palette="dark"))


def test_unknown_palette_names_the_choices():
    with pytest.raises(ValueError, match="coolwarm"):
        palette_colours("pink")
    with pytest.raises(ConfigError, match="choose from dark, light, white, gray, coolwarm"):
        DisplayConfig(palette="pink")


def _stream(seed: int, n_batches: int = 6, w: int = 64, h: int = 48):
    rng = np.random.default_rng(seed)
    t = 0
    for _ in range(n_batches):
        n = 3_000
        ev = np.zeros(n, EVENT_DTYPE)
        ev["x"], ev["y"] = rng.integers(0, w, n), rng.integers(0, h, n)
        ev["p"] = rng.integers(0, 2, n)
        ev["t"] = np.sort(t + rng.integers(0, 2_000, n))
        t += 2_000
        yield ev


@pytest.mark.parametrize("palette", PALETTE_CHOICES)
def test_numba_and_numpy_paint_the_same_bits(palette):
    w, h = 64, 48
    fast = [EventAccumulator(w, h, decay_ms=5.0, backend="numba"), TimeSurface(w, h, tau_ms=5.0, backend="numba")]
    slow = [EventAccumulator(w, h, decay_ms=5.0, backend="numpy"), TimeSurface(w, h, tau_ms=5.0, backend="numpy")]
    for ev in _stream(3):
        for a, b in zip(fast, slow):
            a.update(ev)
            b.update(ev)
        assert np.array_equal(event_image(ev, w, h, palette=palette, backend="numba"),
                              event_image(ev, w, h, palette=palette, backend="numpy"))
        assert np.array_equal(fast[0].render(palette=palette), slow[0].render(palette=palette))
        later = fast[1].t_us + 1_500
        assert np.array_equal(fast[1].render(later, palette=palette), slow[1].render(later, palette=palette))
    ramp = palette_colours(palette)["acc"]
    lit = fast[0].render(palette=palette) != np.asarray(ramp[0] if ramp else (127, 127, 127), np.uint8)
    assert lit.any(axis=2).mean() > 0.2  # (a real share of the ramp's middle, not only its ends)


@pytest.mark.parametrize("mode", ["decay", "time_surface"])
def test_event_view_paints_in_its_palette(mode):
    view = EventView(W, H, mode=mode, decay_ms=1e9, palette="coolwarm")
    for _ in range(4):  # (the decay view's full strength: 4 x its 0.25 per event)
        view.add(two_events())
    pal = PALETTES["coolwarm"]
    assert at(view.render(), ON_XY) == rgb(pal["on"])
    view.palette = "gray"
    assert at(view.render(), OFF_XY) == (0, 0, 0) and at(view.render(), ON_XY) == (255, 255, 255)


@pytest.mark.parametrize("old, new", [("dark", "gray"), ("coolwarm", "light"), ("gray", "gray")])
def test_a_window_image_recoloured_is_the_image_painted_anew(old, new):
    ev = np.concatenate([two_events(), two_events()[:1], two_events()[1:]])
    ev = np.concatenate([ev, np.array([(5, 3, 3, 1), (6, 3, 3, 0)], EVENT_DTYPE)])  # (a tie: "both")
    assert np.array_equal(recolour(event_image(ev, W, H, palette=old), old, new), event_image(ev, W, H, palette=new))
