"""Third review round of the readers (a lab user's files): drop warnings on large files,
text files from spreadsheets and other tools."""

from __future__ import annotations

import json
import logging

import h5py
import numpy as np
import pytest

from conftest import make_events
from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.sources import hdf5_file, npy_file, open_file
from evfocus_live.sources.text_file import TextFileSource


def _all(src):
    with src:
        return np.concatenate(list(src))


def _drop_warnings(caplog):
    return [r for r in caplog.records if r.levelno == logging.WARNING and "outside the" in r.getMessage()]


@pytest.mark.parametrize("fmt", ["npy", "h5", "txt"])
def test_out_of_sensor_drops_logged_once_then_summed(tmp_path, caplog, monkeypatch, fmt):
    """A header one pixel too small drops events in every batch: one warning for the first
    batch and one sum at the end, not a line per batch (hundreds on a large file); the
    count is in ``stats`` (``evfocus info --json`` shows it)."""
    monkeypatch.setattr(npy_file, "BATCH_EVENTS", 1000)
    monkeypatch.setattr(hdf5_file, "BATCH_EVENTS", 1000)
    ev = make_events(20_000, seed=3)
    ev["x"] %= 345
    ev["x"][::100] = 345  # outside a 345-wide sensor: 200 events, in each of 20 batches
    kw = {}
    if fmt == "npy":
        p = tmp_path / "e.npy"
        np.save(p, ev)
        kw = dict(width=345, height=260)
    elif fmt == "h5":
        p = tmp_path / "e.h5"
        with h5py.File(p, "w") as f:
            for k in "txyp":
                f.create_dataset(f"events/{k}", data=ev[k])
            f.attrs["width"], f.attrs["height"] = 345, 260
    else:
        p = tmp_path / "e.txt"
        p.write_text("345 260\n" + "".join(f"{t} {x} {y} {q}\n" for t, x, y, q in ev.tolist()))
        kw = dict(block_bytes=4096)
    src = TextFileSource(p, **kw) if fmt == "txt" else open_file(p, **kw)
    with caplog.at_level(logging.WARNING):
        src.time_range_us()
        got = _all(src)
    assert len(got) == 19_800 and src.stats["dropped"] == 200
    warns = _drop_warnings(caplog)
    assert len(warns) == 2, [w.getMessage() for w in warns]
    n_first = int(warns[0].getMessage().split("dropped ")[1].split()[0])
    n_rest = int(warns[1].getMessage().split("dropped ")[1].split()[0])
    assert n_first + n_rest == 200 and "more" in warns[1].getMessage()


def test_info_json_reports_drops_of_column_files(tmp_path, capsys):
    ev = make_events(2000, seed=5)
    ev["x"][:7] = 400
    p = tmp_path / "e.txt"
    p.write_text("346 260\n" + "".join(f"{t} {x} {y} {q}\n" for t, x, y, q in ev.tolist()))
    assert main(["info", str(p), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["events"] == 1993 and info["decoder"]["dropped"] == 7


@pytest.mark.parametrize("second_line, match", [
    ("t x y p", "line 2: 't' is not a number"),           # a column header under 'W H'
    ("1 2 3", "line 3: 4 columns where the rows before have 3"),
    ("1 a 3 1", "line 2: 'a' is not a number"),
])
def test_bad_row_in_the_first_lines_is_named(tmp_path, capsys, second_line, match):
    """A bad row in the sniffed head of a .txt/.csv named its line like one further down,
    not "content is not a valid text file"."""
    p = tmp_path / "e.txt"
    p.write_text(f"346 260\n{second_line}\n1 2 3 1\n2 3 4 0\n")
    assert main(["info", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and match in err, err


def test_csv_with_a_column_header_and_no_size_says_what_is_missing(tmp_path, capsys):
    p = tmp_path / "pandas.csv"  # df.to_csv(): index column and a header row
    p.write_text(",t,x,y,p\n0,10,1,2,1\n1,20,3,4,0\n")
    assert main(["info", str(p)]) == 2
    err = capsys.readouterr().err
    assert "first line must be the sensor size 'W H'" in err, err


def test_utf8_bom_text_file_reads(tmp_path):
    """Excel's "CSV UTF-8" starts with a byte order mark: read, not "not a valid text file"."""
    ev = make_events(500, seed=8)
    body = "346,260\r\n" + "".join(f"{t},{x},{y},{q}\r\n" for t, x, y, q in ev.tolist())
    for name in ("bom.csv", "bom.events"):  # by extension and by content
        p = tmp_path / name
        p.write_bytes(b"\xef\xbb\xbf" + body.encode())
        src = open_file(p)
        assert (src.width, src.height) == (346, 260)
        assert np.array_equal(_all(src), ev)


def test_binary_junk_named_txt_is_still_not_a_valid_text_file(tmp_path):
    p = tmp_path / "junk.txt"
    p.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputError, match="not a valid text file"):
        open_file(p)


@pytest.mark.parametrize("fmt", ["npy", "h5"])
def test_float_microseconds_read_as_seconds_are_warned(tmp_path, caplog, fmt):
    """``np.save(f, np.loadtxt(us_file))`` stores µs as float, which the readers take as
    seconds (E2VID): 10 ms between events becomes 10,000 s. Say so; real float seconds and
    integer µs stay silent."""
    ev = make_events(10_000, seed=9)
    cols = np.stack([ev["t"], ev["x"], ev["y"], ev["p"]], 1)

    def write(name, t):
        p = tmp_path / f"{name}.{fmt}"
        if fmt == "npy":
            np.save(p, np.column_stack([t, cols[:, 1:]]))
        else:
            with h5py.File(p, "w") as f:
                for k, c in zip(("ts", "xs", "ys", "ps"), (t, *cols[:, 1:].T)):
                    f.create_dataset(f"events/{k}", data=c)
        return p

    for name, t, warned in (("us_float", cols[:, 0].astype(float), True),
                            ("seconds", cols[:, 0] * 1e-6 + 0.25, False),
                            ("us_int", cols[:, 0], False)):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            open_file(write(name, t)).close()
        assert ("save t as integers" in caplog.text) == warned, (name, caplog.text)


def test_dsec_t_offset_is_added(tmp_path):
    """DSEC's events.h5 stores events/t in µs from a root ``t_offset``; its image and flow
    timestamps are absolute, so the offset is added (reading, time range and seek)."""
    ev = make_events(3000, seed=10)
    p = tmp_path / "events.h5"
    off = 51_805_120_000
    with h5py.File(p, "w") as f:
        f.create_dataset("events/t", data=ev["t"].astype(np.uint32))
        for k in "xyp":
            f.create_dataset(f"events/{k}", data=ev[k])
        f.create_dataset("t_offset", data=np.int64(off))
        f.create_dataset("ms_to_idx", data=np.zeros(3, np.uint64))
    src = open_file(p)
    assert src.format == "hdf5-dsec"
    assert src.time_range_us() == (int(ev["t"][0]) + off, int(ev["t"][-1]) + off)
    t_mid = int(ev["t"][1500]) + off
    src.seek(t_mid)
    got = _all(src)
    assert np.array_equal(got["t"], ev["t"][ev["t"] + off >= t_mid] + off)


def test_v2e_n_by_4_hdf5_reads(tmp_path, monkeypatch):
    """v2e's ``--dvs_h5`` writes ``/events`` as an N x 4 uint32 array (t µs, x, y, p 0/1),
    the most common simulator's output: read like an N x 4 .npy, in batches and by seek."""
    monkeypatch.setattr(hdf5_file, "BATCH_EVENTS", 700)
    ev = make_events(3000, seed=11)
    p = tmp_path / "v2e.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("events", data=np.stack([ev["t"], ev["x"], ev["y"], ev["p"]], 1).astype(np.uint32),
                         chunks=(512, 4), compression="gzip", maxshape=(None, 4))
    src = open_file(p, width=346, height=260)
    assert src.format == "hdf5-v2e"
    assert np.array_equal(_all(src), ev)
    src = open_file(p, width=346, height=260)
    t_mid = int(ev["t"][1777])
    src.seek(t_mid)
    assert np.array_equal(_all(src), ev[ev["t"] >= t_mid])


def test_events_as_one_record_dataset_reads(tmp_path):
    """``f["events"] = events`` (our dtype, or fields named as in a structured .npy) stores
    one dataset of records: read, not "HDF5 file has no event datasets"."""
    ev = make_events(2000, seed=12)
    p = tmp_path / "rec.h5"
    with h5py.File(p, "w") as f:
        f["events"] = ev
    src = open_file(p, width=346, height=260)
    assert src.format == "hdf5-compound" and np.array_equal(_all(src), ev)
    rec = np.zeros(len(ev), [("timestamp", "<f8"), ("x", "<i2"), ("y", "<i2"), ("polarity", "i1")])
    rec["timestamp"], rec["x"], rec["y"], rec["polarity"] = ev["t"] * 1e-6, ev["x"], ev["y"], ev["p"] * 2 - 1
    with h5py.File(p, "w") as f:
        f.create_dataset("events", data=rec, chunks=True, compression="gzip")
    assert np.array_equal(_all(open_file(p, width=346, height=260)), ev)
