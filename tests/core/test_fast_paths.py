"""The faster non-network stages give the results of the code they replaced, bit for bit.

* the voxel grid's normalisation (branch-free sums) against the previous definition: the
  float64 sums of the non-zero voxels taken one after the other in memory order (numpy's
  ``cumsum`` adds strictly in order, unlike ``sum``), on real recordings' windows;
* the event pane's decay accumulator and time surface: the numba paths against the numpy
  ones (the previous code, kept as ``backend="numpy"``) on the real recordings fed in 2 ms
  batches as the viewer feeds them, potentials and images compared bit for bit.

Speed is measured by ``bench/bench_pipeline_overhead.py``, not here.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DAVIS_FILE, EVT3_FILE, make_events

from evfocus_live.core.render import PALETTES, EventAccumulator, TimeSurface
from evfocus_live.core.voxel import voxel_grid
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.sources import open_file


def read_all(path):
    with open_file(path) as src:
        ev = np.concatenate(list(src))
        return ev[np.argsort(ev["t"], kind="stable")], src.width, src.height


def normalize_before(flat: np.ndarray) -> np.ndarray:
    """The previous ``_normalize_numba``: float64 running sums over the non-zero float32
    voxels in memory order (the squares in float32), then ``float32((v - mean) * inv)``."""
    nz = flat[flat != 0]
    if not len(nz):
        return flat.copy()
    s = float(np.cumsum(nz.astype(np.float64))[-1])
    s2 = float(np.cumsum((nz * nz).astype(np.float64))[-1])
    c = len(nz)
    mean = s / c
    var = s2 / c - mean * mean
    inv = 1.0 / float(np.sqrt(var)) if var > 1e-16 else 1.0
    return np.where(flat != 0, ((flat.astype(np.float64) - mean) * inv).astype(np.float32), flat)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.view(np.uint8), b.view(np.uint8))


@pytest.mark.parametrize("path, window_us", [(DAVIS_FILE, 33_000), (EVT3_FILE, 4_000)])
def test_voxel_normalisation_is_the_previous_one_bit_for_bit(path, window_us):
    ev, w, h = read_all(path)
    t0 = int(ev["t"][0])
    edges = np.searchsorted(ev["t"], np.arange(t0, int(ev["t"][-1]) + window_us, window_us))
    windows = [ev[a:b] for a, b in zip(edges[:-1], edges[1:]) if b - a > 100]
    assert len(windows) >= 2
    for win in windows:
        raw = voxel_grid(win, 5, w, h, normalize=False).numpy().reshape(-1)
        got = voxel_grid(win, 5, w, h).numpy().reshape(-1)
        assert 0.001 < (raw != 0).mean() < 0.9  # a real mix of set and empty voxels
        assert same_bits(got, normalize_before(raw))


def test_voxel_normalisation_with_signed_zeros_and_cancelled_voxels():
    """ON and OFF events that cancel leave exact zeros (and -0.0) among set voxels: they are
    not counted, as before, and stay zeros."""
    from evfocus_live.core.voxel import _normalize_numba

    rng = np.random.default_rng(5)
    flat = rng.normal(0, 2, 50_000).astype(np.float32)
    flat[rng.random(flat.size) < 0.6] = 0.0
    flat[rng.random(flat.size) < 0.1] = -0.0
    got = flat.copy()
    _normalize_numba(got)
    assert same_bits(got, normalize_before(flat))
    assert (np.signbit(got) & (got == 0)).sum() == (np.signbit(flat) & (flat == 0)).sum() > 0
    # a window of equal and opposite events on the same pixel and time: all zero, untouched
    e = np.zeros(4, EVENT_DTYPE)
    e["t"], e["x"], e["y"], e["p"] = [0, 0, 10, 10], [3, 3, 4, 4], [1, 1, 2, 2], [1, 0, 1, 0]
    assert not voxel_grid(e, 5, 8, 4).any()


def batches_of(ev: np.ndarray, step_us: int = 2_000) -> list[np.ndarray]:
    """The viewer's feed: a replay is handed on in slices of 2 ms of sensor time."""
    t0 = int(ev["t"][0])
    edges = np.searchsorted(ev["t"], np.arange(t0, int(ev["t"][-1]) + step_us, step_us))
    return [ev[a:b] for a, b in zip(edges[:-1], edges[1:]) if b > a]


@pytest.mark.parametrize("path", [DAVIS_FILE, EVT3_FILE])
@pytest.mark.parametrize("decay_ms", [30.0, 1.0, 0.0])
def test_accumulator_numba_is_the_numpy_one_bit_for_bit(path, decay_ms):
    ev, w, h = read_all(path)
    step = 2_000 if path == DAVIS_FILE else 300  # (the street file spans 8.8 ms)
    ref, new = (EventAccumulator(w, h, decay_ms=decay_ms, backend=b) for b in ("numpy", "numba"))
    assert new.backend == "numba" and ref.backend == "numpy"
    for i, b in enumerate(batches_of(ev, step)):
        ref.update(b)
        new.update(b)
        assert same_bits(new.potential, ref.potential), f"batch {i}"
        if i % 5 == 0:
            assert same_bits(new.render(), ref.render())
    img = new.render()
    assert img.shape == (h, w, 3) and img.flags.c_contiguous and len(np.unique(img)) > 5
    new.reset()
    ref.reset()
    tail = batches_of(ev, step)[-1]
    new.update(tail)
    ref.update(tail)
    assert same_bits(new.potential, ref.potential)


def test_accumulator_signed_zeros_events_outside_and_going_back():
    """A negative potential that decays to -0.0, events outside the sensor, a batch from
    the past (no decay), a changed decay constant: the same bits as the numpy path."""
    accs = [EventAccumulator(6, 4, decay_ms=0.001, contribution=1e-30, backend=b) for b in ("numpy", "numba")]
    feed = [[(0, 1, 1, 0), (0, 2, 2, 1)],
            [(50, 1, 1, 1), (60, 3, 3, 0), (70, 40, 1, 1)],  # t +50 us: 50 time constants of decay
            [(10, 5, 3, 0), (10, 0, 0, 1)],  # back in time: no decay
            [(10_000, 1, 1, 1), (10_000, 1, 1, 0)]]  # a cancelled pair
    for k, items in enumerate(feed):
        e = np.zeros(len(items), EVENT_DTYPE)
        for i, it in enumerate(items):
            e[i] = it
        for a in accs:
            if k == 3:
                a.decay_ms = 2.0
            a.update(e)
        assert same_bits(accs[1].potential, accs[0].potential), f"step {k}"
        assert same_bits(accs[1].render(), accs[0].render())
    assert np.signbit(accs[0].potential).any()  # the -0.0 case did come up


@pytest.mark.parametrize("path", [DAVIS_FILE, EVT3_FILE])
def test_time_surface_numba_is_the_numpy_one_bit_for_bit(path):
    ev, w, h = read_all(path)
    outside = make_events(500, width=w + 40, height=h + 20, t0_us=int(ev["t"][0]), duration_us=5_000, seed=9)
    ev = np.concatenate([ev, outside])
    ev = ev[np.argsort(ev["t"], kind="stable")]
    step = 2_000 if path == DAVIS_FILE else 300
    ref, new = (TimeSurface(w, h, tau_ms=3.0, backend=b) for b in ("numpy", "numba"))
    assert same_bits(new.render(), ref.render())  # nothing seen yet: the background
    for i, b in enumerate(batches_of(ev, step)):
        late = b[::-1].copy()  # out of order within the batch: the per-pixel maximum
        ref.update(late)
        new.update(late)
        assert np.array_equal(new.last, ref.last) and new.t_us == ref.t_us
        if i % 7 == 0:
            for palette in PALETTES:
                assert same_bits(new.render(palette=palette), ref.render(palette=palette))
                later = int(b["t"][-1]) + 20_000
                assert same_bits(new.render(later, palette=palette), ref.render(later, palette=palette))
    img = new.render()
    assert img.shape == (h, w, 3) and img.flags.c_contiguous and len(np.unique(img.reshape(-1, 3), axis=0)) > 50


def test_event_pane_other_dtypes_take_the_numpy_path():
    """Events of another integer dtype (signed x, y) go the numpy way, as before: the numba
    passes index without bounds checks below 0."""
    other = np.zeros(3, [("t", "<i8"), ("x", "<i4"), ("y", "<i4"), ("p", "i1")])
    other["t"], other["x"], other["y"], other["p"] = [0, 5, 9], [1, 2, 3], [0, 1, 1], [1, 0, 1]
    for cls in (EventAccumulator, TimeSurface):
        a, b = cls(4, 2, backend="numpy"), cls(4, 2, backend="numba")
        a.update(other)
        b.update(other)
        assert same_bits(a.render(), b.render())


def test_render_backend_is_checked():
    with pytest.raises(ValueError, match="backend"):
        EventAccumulator(4, 4, backend="gpu")
    with pytest.raises(ValueError, match="backend"):
        TimeSurface(4, 4, backend="cuda")


def test_ring_buffer_raw_copies_keep_every_byte_and_convert_the_rest():
    """The ring copies contiguous EVENT_DTYPE batches as raw bytes: what comes out is the
    events that went in (wrapping around the end, dropping the oldest on overflow); a strided
    view or another dtype is converted as before."""
    from evfocus_live.ringbuffer import EventRingBuffer

    ev = make_events(10_000, seed=4)
    ev["t"] += np.int64(1) << 40  # all eight bytes of t matter
    rb = EventRingBuffer(3_000)
    out = []
    for a in range(0, 9_000, 700):  # pushes and pops that wrap around the end of the storage
        assert rb.push(ev[a:a + 700]) == 0
        out.append(rb.pop(max_events=650))
        if a % 2100 == 0:
            out.append(rb.pop())
    out.append(rb.pop())
    got = np.concatenate(out)
    assert same_bits(got, ev[:9_100])
    assert rb.push(ev[:2_500]) == 0 and rb.push(ev[2_500:4_000]) == 1_000  # the oldest 1000 go
    assert same_bits(rb.pop(), ev[1_000:4_000])
    strided = ev[:6_000:3]
    other = np.zeros(50, [("x", "<u2"), ("y", "<u2"), ("t", "<i8"), ("p", "i1")])
    other["t"], other["x"], other["y"], other["p"] = np.arange(50) + 7, 5, 6, 1
    rb.push(strided)
    assert same_bits(rb.pop(), np.ascontiguousarray(strided))
    rb.push(other)
    before = np.empty(len(other), EVENT_DTYPE)
    before[:] = other  # (numpy's structured assignment, which the ring did for every batch)
    assert same_bits(rb.pop(), before)


def grid_with(kernel, ev, bins, w, h):
    out = np.zeros((bins, h, w), np.float32)
    kernel(ev["t"], ev["x"], ev["y"], ev["p"], bins, out)
    return out


@pytest.mark.parametrize("bins", [5, 1, 3])
def test_voxel_rows_kernel_is_the_plain_one_bit_for_bit(bins):
    """Events added band of rows by band (large grids) give the grid of the one-pass kernel:
    events outside the sensor, times out of order, the last bin, a height that is not a
    multiple of the band, ON/OFF pairs that cancel."""
    from evfocus_live.core.voxel import ROWS_MIN_VOXELS, _voxel_numba, _voxel_rows_numba

    w, h = 301, 203
    ev = make_events(60_000, width=w + 9, height=h + 5, seed=11)
    ev["t"][::7] = ev["t"][::7][::-1]  # out of order
    pairs = ev[:500].copy()
    pairs["p"] = 1 - pairs["p"]
    ev = np.concatenate([ev, pairs])
    a, b = grid_with(_voxel_numba, ev, bins, w, h), grid_with(_voxel_rows_numba, ev, bins, w, h)
    assert same_bits(a, b) and a.any()
    # the real street scene at its size, where voxel_grid takes the banded path
    street, sw, sh = read_all(EVT3_FILE)
    assert bins * sw * sh >= ROWS_MIN_VOXELS or bins < 5
    for win in (street[:100_000], street[100_000:]):
        plain = grid_with(_voxel_numba, win, bins, sw, sh)
        assert same_bits(plain, grid_with(_voxel_rows_numba, win, bins, sw, sh))
        assert same_bits(voxel_grid(win, bins, sw, sh, normalize=False).numpy(), plain)
