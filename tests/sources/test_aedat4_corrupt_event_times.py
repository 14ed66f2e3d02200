"""AEDAT4 event packets whose bytes changed (a bad disk, a copy gone wrong) still decode when
they are uncompressed or LZ4 (no checksum), and a changed timestamp was read as it was: the
DAVIS346 pegboard recording with bytes flipped gave ``evfocus info`` a first time of
-3,458,758,131,188,935,398 µs and a duration of 3.5e18 µs, and ``evfocus reconstruct`` stamped a
frame with that time. Events a camera cannot have written (times over 1 s outside their packet's
index range; without an index, a run of events that jumps away and comes back) are left out,
counted (``corrupt_times``) and said in one warning; a camera clock restart is still kept."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.sources import open_file
from evfocus_live.writers.aedat4 import Aedat4Writer

T0_US = 1_633_953_690_975_950  # a DAVIS's clock (µs since 1970)
BAD_T = -3_458_758_131_188_935_398  # the time a flipped byte gave on the real recording


def _corrupt_file(tmp_path, index: bool = True, n_bad: int = 1):
    """30,000 events in packets of 3000, uncompressed; ``n_bad`` events in packet 5 get BAD_T."""
    ev = make_events(30_000, t0_us=T0_US, duration_us=300_000, seed=7)
    path = tmp_path / "rec.aedat4"
    w = Aedat4Writer(path, 346, 260, compression="none", max_packet_events=3000)
    w.write(ev)
    if not index:  # (a recorder killed: the file as it was before close wrote the index)
        w._fh.flush()
        data = path.read_bytes()
    w.close()
    data = bytearray(path.read_bytes() if index else data)
    k = 5 * 3000 + 1234
    for j in range(n_bad):
        i = data.find(int(ev["t"][k + j]).to_bytes(8, "little", signed=True))
        assert i > 0
        data[i:i + 8] = BAD_T.to_bytes(8, "little", signed=True)
    path.write_bytes(bytes(data))
    good = np.ones(len(ev), bool)
    good[k:k + n_bad] = False
    return path, ev, good


@pytest.mark.parametrize("index", [True, False], ids=["index", "no-index"])
@pytest.mark.parametrize("n_bad", [1, 40])
def test_events_with_corrupt_times_are_left_out_and_said_once(tmp_path, caplog, index, n_bad):
    path, ev, good = _corrupt_file(tmp_path, index, n_bad)
    with caplog.at_level(logging.WARNING):
        with open_file(path) as src:
            got = np.concatenate(list(src))
            stats = src.stats
    assert np.array_equal(got, ev[good])
    assert stats["corrupt_times"] == n_bad
    said = [r.getMessage() for r in caplog.records if "corrupt data?" in r.getMessage()]
    assert len(said) == 1 and f"{n_bad} event(s)" in said[0], said


def test_info_gives_the_true_span(tmp_path, capsys):
    path, ev, good = _corrupt_file(tmp_path)
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["t_first_us"], info["t_last_us"]) == (int(ev["t"].min()), int(ev["t"].max()))
    assert info["events"] == int(good.sum()) and info["decoder"]["corrupt_times"] == 1
    assert main(["info", str(path)]) == 0
    assert "corrupt     1 event left out" in capsys.readouterr().out


def test_reconstruct_stamps_no_frame_with_a_corrupt_time(tmp_path):
    path, ev, _ = _corrupt_file(tmp_path)
    out = tmp_path / "out"
    assert main(["reconstruct", str(path), "-o", str(out), "--window-ms", "50", "--no-progress"]) == 0
    t = np.loadtxt(out / "timestamps.txt", dtype=np.int64, ndmin=2)[:, 1]
    assert len(t) >= 5 and t.min() > T0_US and t.max() <= int(ev["t"].max()) + 1


def test_a_clock_restart_inside_a_packet_is_kept():
    """A step back (or forward) that the rest of the packet steps on from is a clock, not damage."""
    from evfocus_live.sources.aedat4_file import implausible_times

    t = np.r_[np.arange(5_000_000, 5_001_000), np.arange(100, 2100)].astype(np.int64)
    assert not implausible_times(t, None).any()
    assert not implausible_times(t, (5_000_000, 2099)).any()  # (the index: first and last times)


def test_runs_out_and_back_are_flagged_without_an_index():
    from evfocus_live.sources.aedat4_file import implausible_times

    t = np.arange(1_000_000, 1_010_000, dtype=np.int64)
    t[100:103] = BAD_T
    t[500] = 9_000_000_000_000_000_000
    t[501] = -5
    bad = implausible_times(t, None)
    assert np.array_equal(np.flatnonzero(bad), [100, 101, 102, 500, 501])


@pytest.mark.parametrize("index", [True, False], ids=["index", "no-index"])
def test_a_shuffled_recording_over_seconds_keeps_every_event(tmp_path, index):
    """Rows out of time order over 10 s (a file sorted by pixel, then written to AEDAT4) step back
    and forth by seconds inside each packet: that is not changed bytes, and nothing is left out
    (the slicer takes them as late events)."""
    ev = make_events(30_000, t0_us=T0_US, duration_us=10_000_000, seed=8)
    np.random.default_rng(8).shuffle(ev)
    path = tmp_path / "shuffled.aedat4"
    w = Aedat4Writer(path, 346, 260, max_packet_events=3000)
    w.write(ev)
    if not index:
        w._fh.flush()
        data = path.read_bytes()
    w.close()
    if not index:
        path.write_bytes(data)
    with open_file(path) as src:
        got = np.concatenate(list(src))
        assert src.stats["corrupt_times"] == 0
    assert np.array_equal(got, ev)
