"""Events outside the sensor: dropped, logged once, then summed."""

from __future__ import annotations

import json
import logging

import h5py
import numpy as np
import pytest
from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.sources import hdf5_file, npy_file, open_file
from evfocus_live.sources.text_file import TextFileSource


def test_aedat4_out_of_sensor_events_logged_once_then_summed(tmp_path, caplog):
    """A header with a too-small sensor logged one warning per packet (~100 per second of
    recording); now the first packet's drop and, at the end, the exact total of the rest."""
    import logging
    import re

    from conftest import DAVIS_FILE, REAL_FILES

    p = tmp_path / "narrow.aedat4"
    p.write_bytes(DAVIS_FILE.read_bytes().replace(b'key="sizeX" type="int">346<',
                                                  b'key="sizeX" type="int">200<'))
    with caplog.at_level(logging.WARNING), open_file(p) as src:
        assert src.width == 200
        n = sum(len(b) for b in src)
    lines = [r.getMessage() for r in caplog.records if "outside the 200x260 sensor" in r.getMessage()]
    assert len(lines) == 2, lines
    dropped = sum(int(re.search(r"dropped (\d+)", m).group(1)) for m in lines)
    assert n + dropped == REAL_FILES["davis346"]["events"]
    from evfocus_live.cli.info import describe
    info = describe(str(p), progress=False)  # the count is in `evfocus info --json`, as for RAW
    assert info["events"] == n and info["decoder"]["dropped"] == dropped


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
