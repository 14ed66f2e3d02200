"""A float or uint64 time column whose changed byte makes one row's time no time at all (NaN,
inf, ~1e308 s, >= 2**63 µs) refused the whole ``.npy``/``.npz``/``.h5``/text file ("1 event(s)
have non-finite timestamps"), while a changed integer time was left out and counted
(tests/sources/test_column_corrupt_times.py). Such a row is now left out the same way, wherever
it is (the first and last rows too), said in one warning and in ``evfocus info``'s ``corrupt``
line; a time column mostly of them is still refused (tests/cli/test_bad_input.py)."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
from conftest import make_events
from reader_support import assert_one_row_left_out, read_whole as _read, save_columns

from evfocus_live.cli import main
from evfocus_live.sources import open_file

N = 20_000
ROWS = {"first": 0, "middle": N // 2, "last": N - 1}
KINDS = ["npy", "npy-nx4", "npy-us", "npy-u64", "h5", "npz", "txt"]


def _columns(kind: str, ev) -> dict:
    # (u64: from an epoch µs start, so that a row's 8 bytes are found once in the file)
    t = (ev["t"] + 1_633_953_690_975_950).astype(np.uint64) if kind == "npy-u64" else ev["t"] * (1.0 if kind == "npy-us" else 1e-6)
    return dict(t=t, x=ev["x"], y=ev["y"], p=ev["p"])


def _files(tmp_path, kind: str, row: int):
    """(sound file, the same with row ``row``'s time no time: its top byte changed, events)."""
    ev = make_events(N, duration_us=2_000_000, seed=5)
    c = _columns(kind, ev)
    ext = "." + kind.split("-")[0]
    sound, bad = tmp_path / f"sound{ext}", tmp_path / f"bad{ext}"
    save_columns(kind, sound, c)
    if kind == "txt":  # (a changed digit reads as a number: "nan" as a converter writes it)
        lines = sound.read_text().splitlines(keepends=True)
        lines[row + 1] = "nan" + lines[row + 1][lines[row + 1].index(" "):]
        bad.write_text("".join(lines))
        return sound, bad
    data = bytearray(sound.read_bytes())
    raw = c["t"][row:row + 1].tobytes()
    i = data.find(raw)
    assert i > 0 and data.find(raw, i + 1) < 0
    data[i + 7] ^= 0xC0 if kind == "npy-u64" else 0x7F ^ data[i + 7]  # (float: over ~1e289, or NaN/inf)
    bad.write_bytes(bytes(data))
    return sound, bad


@pytest.mark.parametrize("where", list(ROWS))
@pytest.mark.parametrize("kind", KINDS)
def test_a_row_whose_time_is_no_number_is_left_out_and_said_once(tmp_path, caplog, kind, where):
    row = ROWS[where]
    assert_one_row_left_out(caplog, *_files(tmp_path, kind, row), row, "NaN/inf")


@pytest.mark.parametrize("kind", ["npy", "txt"])
def test_info_reads_the_file_and_says_the_row_in_its_corrupt_line(tmp_path, capsys, kind):
    _, bad = _files(tmp_path, kind, 7)
    assert main(["info", str(bad), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["events"] == N - 1 and info["decoder"]["corrupt_times"] == 1
    assert info["duration_us"] < 2_000_000
    assert main(["info", str(bad)]) == 0
    out = capsys.readouterr().out
    assert "corrupt     1 event left out" in out and "NaN/inf" in out


def test_float_us_with_a_nan_in_the_unit_sample_still_reads_as_us(tmp_path):
    # (the unit is decided from the first and last rows: one NaN there made µs read as seconds)
    _, bad = _files(tmp_path, "npy-us", 3)
    got, stats, t_range = _read(bad)
    assert stats["corrupt_times"] == 1 and t_range[1] - t_range[0] < 2_000_000


def test_a_seek_onto_a_row_that_is_no_time_lands_by_its_neighbour(tmp_path):
    row = ROWS["middle"]
    sound, bad = _files(tmp_path, "npy", row)
    want, _, _ = _read(sound)
    with open_file(bad) as src:
        src.seek(int(want["t"][row]))
        first = src.read()[0]
    assert first["t"] >= want["t"][row] and first["t"] <= want["t"][row + 1]


@pytest.mark.parametrize("row", [0, 1500], ids=["first", "middle"])
def test_a_dsec_file_with_an_offset_leaves_the_row_out_too(tmp_path, row):
    """DSEC's ``t_offset`` is added to every time read: not to a row that is no time."""
    ev = make_events(3000, seed=10)
    t = ev["t"].astype(np.uint64)
    t[row] |= np.uint64(1 << 63)  # (a flipped top bit: beyond int64 µs)
    off = 51_805_120_000
    with h5py.File(tmp_path / "events.h5", "w") as f:
        f.create_dataset("events/t", data=t)
        for k in "xyp":
            f.create_dataset(f"events/{k}", data=ev[k])
        f.create_dataset("t_offset", data=np.int64(off))
        f.create_dataset("ms_to_idx", data=np.zeros(3, np.uint64))
    got, stats, t_range = _read(tmp_path / "events.h5")
    want = np.delete(ev["t"], row) + off
    assert stats["corrupt_times"] == 1 and np.array_equal(got["t"], want)
    assert t_range == (int(want.min()), int(want.max()))
