"""Event images: polarity colours, decaying accumulator, time surface."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.core.render import PALETTES, EventAccumulator, TimeSurface, event_image
from evfocus_live.events import EVENT_DTYPE


def ev(items):
    """items: (t, x, y, p) tuples."""
    a = np.zeros(len(items), EVENT_DTYPE)
    for i, (t, x, y, p) in enumerate(items):
        a[i] = (t, x, y, p)
    return a


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("palette", ["dark", "white"])
def test_event_image_colours(palette, backend):
    pal = PALETTES[palette]
    e = ev([(0, 1, 1, 1), (1, 2, 1, 0), (2, 3, 1, 1), (3, 3, 1, 0), (4, 4, 2, 1), (5, 4, 2, 1), (6, 4, 2, 0),
            (7, 50, 50, 1)])  # the last one is outside the 10x5 sensor
    img = event_image(e, 10, 5, palette=palette, backend=backend)
    assert img.shape == (5, 10, 3) and img.dtype == np.uint8 and img.flags.c_contiguous
    assert tuple(img[1, 1]) == pal["on"]
    assert tuple(img[1, 2]) == pal["off"]
    assert tuple(img[1, 3]) == pal["both"]
    assert tuple(img[2, 4]) == pal["on"]  # 2 ON vs 1 OFF
    assert tuple(img[0, 0]) == pal["bg"]
    # ON and OFF are clearly different colours and both stand out from the background
    on, off, bg = (np.array(pal[k], float) for k in ("on", "off", "bg"))
    assert np.abs(on - off).sum() > 200 and np.abs(on - bg).sum() > 200 and np.abs(off - bg).sum() > 200


def test_event_image_empty_and_large():
    img = event_image(np.empty(0, EVENT_DTYPE), 1280, 720)
    assert img.shape == (720, 1280, 3) and (img == PALETTES["dark"]["bg"]).all()
    big = make_events(200_000, width=1280, height=720)
    img = event_image(big, 1280, 720)
    assert (img != PALETTES["dark"]["bg"]).any(axis=2).sum() > 100_000


def test_event_image_backends_agree():
    """The numba pass (the default) and the numpy bincount version give the same image,
    with events outside the sensor and ties in the window."""
    big = make_events(300_000, width=1300, height=730, seed=3)  # some beyond 1280x720
    a = event_image(big, 1280, 720, backend="numba")
    b = event_image(big, 1280, 720, backend="numpy")
    assert np.array_equal(a, b) and (a == PALETTES["dark"]["both"]).all(axis=2).any()
    with pytest.raises(ValueError, match="backend"):
        event_image(big, 1280, 720, backend="gpu")


def test_accumulator_decay_and_polarity():
    acc = EventAccumulator(4, 2, decay_ms=10.0, contribution=0.5)
    acc.update(ev([(0, 0, 0, 1), (0, 1, 0, 0)]))
    img = acc.render()
    assert img.shape == (2, 4, 3)
    assert img[0, 0, 0] > 150 and img[0, 1, 0] < 100 and img[1, 3, 0] in (127, 128)
    before = acc.potential[0]
    acc.update(ev([(10_000, 3, 1, 1)]))  # one time constant later
    assert acc.potential[0] == pytest.approx(before * np.exp(-1), rel=1e-4)
    assert acc.potential[7] == pytest.approx(0.5)
    acc.reset()
    assert not acc.potential.any()
    plain = EventAccumulator(4, 2, decay_ms=0, contribution=0.25)
    for k in range(3):
        plain.update(ev([(k * 1_000_000, 2, 1, 1)]))
    assert plain.potential[6] == pytest.approx(0.75)


def test_time_surface_recent_brighter_and_out_of_order():
    ts = TimeSurface(5, 1, tau_ms=1.0)
    ts.update(ev([(0, 0, 0, 1), (1000, 1, 0, 1), (3000, 2, 0, 0), (2000, 2, 0, 0)]))
    assert ts.last[0, 2] == 3000  # per-pixel max despite the late event
    img = ts.render().astype(int)
    bg = np.array(PALETTES["dark"]["bg"])
    d = np.abs(img[0] - bg).sum(axis=1)
    assert d[2] > d[1] > d[0] and d[4] == 0
    # ON pixels tinted towards the ON colour, OFF towards the OFF colour
    assert img[0, 1, 2] > img[0, 1, 0] and img[0, 2, 0] > img[0, 2, 2]


def test_pad_even_repeats_the_last_row_and_column():
    from evfocus_live.core.render import pad_even
    img = np.arange(3 * 5 * 3, dtype=np.uint8).reshape(3, 5, 3)
    out = pad_even(img)
    assert out.shape == (4, 6, 3)
    assert np.array_equal(out[:3, :5], img) and np.array_equal(out[3, :5], img[2]) and np.array_equal(out[:3, 5], img[:, 4])
    even = np.zeros((4, 6), np.uint8)
    assert pad_even(even) is even
