import numpy as np

from evfocus_live import events as E
from conftest import make_events


def test_from_arrays_maps_signed_polarity_to_0_1():
    ev = E.from_arrays([1, 2, 3], [0, 1, 2], [5, 6, 7], [-1, 1, 0])
    assert ev.dtype == E.EVENT_DTYPE
    assert ev["p"].tolist() == [0, 1, 0]
    assert E.polarity_sign(ev).tolist() == [-1.0, 1.0, -1.0]


def test_time_slice_and_sorted():
    ev = make_events(1000, duration_us=1000)
    assert E.is_sorted(ev)
    part = E.time_slice(ev, 100, 200)
    assert np.all((part["t"] >= 100) & (part["t"] < 200))
    assert len(part) == np.count_nonzero((ev["t"] >= 100) & (ev["t"] < 200))
    assert not E.is_sorted(ev[::-1])


def test_concat_empty():
    assert len(E.concat([])) == 0
    ev = make_events(10)
    assert len(E.concat([ev, E.empty(), ev])) == 20


def test_concat_bytes_path_equals_numpy_and_copies():
    """The raw-byte join (contiguous batches) gives exactly numpy's result; strided views and
    other dtypes take the field-wise path; the result never aliases an input."""
    a, b = make_events(1000, seed=1), make_events(777, seed=2)
    ref = np.concatenate([a, b])
    out = E.concat([a, b])
    assert out.dtype == E.EVENT_DTYPE and np.array_equal(out, ref)
    assert np.array_equal(E.concat([a[::3], b]), np.concatenate([a[::3], b]))  # strided view
    wide = np.zeros(5, [("t", "<i8"), ("x", "<i4"), ("y", "<i4"), ("p", "i1")])
    wide["t"], wide["x"], wide["p"] = np.arange(5), 7, 1
    mixed = E.concat([wide, b])
    assert mixed.dtype == E.EVENT_DTYPE and (mixed["x"][:5] == 7).all() and np.array_equal(mixed[5:], b)
    one = E.concat([a])
    one["x"][0] += 1
    assert one["x"][0] != a["x"][0]


def test_first_line_of_an_error_is_one_line_with_a_fallback():
    from evfocus_live.errors import first_line
    assert first_line(RuntimeError("\n  usb: pipe error  \nstack...\n")) == "usb: pipe error"
    assert first_line(RuntimeError("")) == "RuntimeError"
    assert first_line(RuntimeError("   "), "no detail") == "no detail"
