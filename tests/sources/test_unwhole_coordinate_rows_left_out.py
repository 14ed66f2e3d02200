"""A float x, y or p column whose changed byte makes one row's value NaN, inf or no whole
number (3.5: finite, since read as its pixel: tests/sources/test_subpixel_coordinates_read_as_pixels.py) refused the whole ``.npy``/``.npz``/``.h5``/text file ("1 event(s) have
non-finite x values"), while a row whose time is no number was left out and counted
(tests/sources/test_no_time_rows_left_out.py). Such a row is now left out the same way: in
reads, time ranges and seeks, counted in the same warning and ``evfocus info``'s ``corrupt``
line; a batch of over 10 % such rows is still refused."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import make_events
from reader_support import assert_one_row_left_out, read_whole as _read, save_columns

from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.sources import open_file

N = 20_000
KINDS = ["npy", "npy-nx4", "h5", "npz", "txt"]
ROWS = {"first": 0, "middle": N // 2, "last": N - 1}


def _save(kind: str, path, c: dict) -> None:
    save_columns(kind, path, c, xyp=("<f4",) * 3)


def _files(tmp_path, kind: str, rows, col: str = "x", value=np.nan):
    """(sound file, the same with ``col`` of ``rows`` set to ``value``)."""
    ev = make_events(N, duration_us=2_000_000, seed=5)
    c = dict(t=ev["t"] * 1e-6, x=ev["x"].astype(np.float64), y=ev["y"].astype(np.float64), p=ev["p"].astype(np.float64))
    ext = "." + kind.split("-")[0]
    sound, bad = tmp_path / f"sound{ext}", tmp_path / f"bad{ext}"
    _save(kind, sound, c)
    c[col] = c[col].copy()
    c[col][rows] = value
    _save(kind, bad, c)
    return sound, bad


@pytest.mark.parametrize("where", list(ROWS))
@pytest.mark.parametrize("kind", KINDS)
def test_a_row_whose_x_is_nan_is_left_out_and_said_once(tmp_path, caplog, kind, where):
    row = ROWS[where]
    assert_one_row_left_out(caplog, *_files(tmp_path, kind, row), row, "x/y/p")


@pytest.mark.parametrize("col,value", [("y", np.inf), ("p", -np.inf), ("x", np.nan), ("y", np.nan)])
@pytest.mark.parametrize("kind", ["npy", "h5"])
def test_inf_and_non_whole_values_of_any_column_are_left_out(tmp_path, kind, col, value):
    rows = [5, 777, 15_000]
    sound, bad = _files(tmp_path, kind, rows, col, value)
    want, _, _ = _read(sound)
    got, stats, _ = _read(bad)
    assert np.array_equal(got, np.delete(want, rows)) and stats["corrupt_times"] == 3


@pytest.mark.parametrize("kind", KINDS)
def test_mostly_nan_x_is_still_refused(tmp_path, capsys, kind):
    # (an .npz with a NaN x was refused as it opened: tests/sources/test_npz_reader.py had it)
    _, bad = _files(tmp_path, kind, slice(None, None, 3))
    with pytest.raises(InputError, match="x/y/p values that are NaN/inf"):
        _read(bad)
    assert main(["info", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "x/y/p values that are NaN/inf" in err and "Traceback" not in err, err


def test_the_size_is_inferred_from_the_sound_rows(tmp_path):
    ev = make_events(5000, seed=3)
    a = np.c_[ev["t"] * 1e-6, ev["x"], ev["y"], ev["p"]]
    a[100, 1] = np.nan
    np.save(tmp_path / "e.npy", a)
    with open_file(tmp_path / "e.npy") as src:
        assert (src.width, src.height) == (int(ev["x"].max()) + 1, int(ev["y"].max()) + 1)
        assert sum(map(len, src)) == 5000 - 1


def test_a_seek_onto_a_nan_x_row_lands_by_its_neighbour(tmp_path):
    rows = list(range(N // 2 - 2, N // 2 + 3))
    sound, bad = _files(tmp_path, "npy", rows)
    want, _, _ = _read(sound)
    with open_file(bad) as src:
        src.seek(int(want["t"][N // 2]))
        first = src.read()[0]
    assert want["t"][N // 2 - 3] <= first["t"] <= want["t"][N // 2 + 3]
    assert np.isin(first["t"], np.delete(want["t"], rows))


def test_a_nan_at_the_last_row_leaves_the_time_range_end_out(tmp_path):
    ev = make_events(N, duration_us=2_000_000, seed=5)
    ev["t"][-1] = 9_000_000  # (the only event past 2 s: its x is NaN)
    a = np.c_[ev["t"] * 1e-6, ev["x"], ev["y"], ev["p"]]
    a[-1, 1] = np.nan
    np.save(tmp_path / "e.npy", a)
    with open_file(tmp_path / "e.npy") as src:
        assert src.time_range_us()[1] < 2_000_000


def test_info_says_the_row_in_its_corrupt_line(tmp_path, capsys):
    _, bad = _files(tmp_path, "npy", 7, "p", np.nan)
    assert main(["info", str(bad), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["events"] == N - 1 and info["decoder"]["corrupt_times"] == 1
    assert main(["info", str(bad)]) == 0
    out = capsys.readouterr().out
    assert "corrupt     1 event left out" in out and "x/y/p no numbers (NaN/inf)" in out
