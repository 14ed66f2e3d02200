"""An AEDAT4 recording whose camera clock restarted (time back over 1 s): its reader had no
``clocks()``, so a seek to a time between the clocks (the viewer's slider spans both clocks' times on
one axis) went to the first packet reaching it, the file's start, however near the other clock it
was, and a time of the second clock only went there from the first clock too. The reader now finds
its clocks from the packets' times (the file's index: no events decoded) and seeks by the RAW
reader's rule: the clock being read when it holds the time, else the one that holds it, else the
nearest."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DAVIS_FILE, make_events
from reader_support import aedat4_clocks_file as _write
from reader_support import aedat4_reset_file as _reset_file

from evfocus_live.events import concat
from evfocus_live.sources.aedat4_file import Aedat4FileSource


def _span(ev) -> tuple[int, int]:
    return int(ev["t"][0]), int(ev["t"][-1])


@pytest.mark.parametrize("index", [True, False])
@pytest.mark.parametrize("packet_events", [2000, 3000])
def test_seeks_between_and_across_the_clocks_of_an_aedat4_file(tmp_path, index, packet_events):
    path, first, second = _reset_file(tmp_path, index, packet_events)
    with Aedat4FileSource(path) as src:
        assert (src._dtp >= 0) == index
        clocks = src.clocks()
        assert [c[1:] for c in clocks] == [_span(first), _span(second)]
        assert clocks[0][0] < clocks[1][0] < path.stat().st_size  # (where each clock's first packet is)
        src.seek(120_000)  # on the first clock (a fresh reader): a time only the second holds
        assert np.array_equal(np.concatenate(list(src)), second[second["t"] >= 120_000])  # before: from 5.0 s
        src.seek(3_000_000)  # between the clocks, nearer the first's start: there, the file's start
        assert np.array_equal(np.concatenate(list(src)), concat([first, second]))
        src.seek(1_000_000)  # nearer the second's end: its last time (it went to the file's start)
        assert np.array_equal(np.concatenate(list(src)), second[second["t"] == second["t"][-1]])
        src.seek(6_000_000)  # after every clock: nothing, as before
        assert not [b for b in src if len(b)]
        src.seek(src.time_range_us()[0])  # a loop's seek to the earliest time: the file's start
        assert np.array_equal(np.concatenate(list(src)), concat([first, second]))
        for t in (int(first["t"][-1]), int(first["t"][-50])):  # the first clock's end, then on
            src.seek(t)
            assert np.array_equal(np.concatenate(list(src)), concat([first[first["t"] >= t], second]))
        t = int(second["t"][500])  # (on the second clock now) the second clock's start
        src.seek(t)
        assert np.array_equal(np.concatenate(list(src)), second[second["t"] >= t])


def test_a_time_both_clocks_hold_is_sought_on_the_clock_being_read(tmp_path):
    first = make_events(10_000, 64, 48, t0_us=2_000_000, duration_us=2_000_000, seed=3)
    second = make_events(10_000, 64, 48, t0_us=500_000, duration_us=2_000_000, seed=4)  # back 3.5 s
    with Aedat4FileSource(_write(tmp_path / "overlap.aedat4", first, second, packet_events=1000)) as src:
        assert [c[1:] for c in src.clocks()] == [_span(first), _span(second)]
        t = 2_200_000  # on both clocks
        src.seek(t)  # on the first clock: its time there
        assert np.array_equal(np.concatenate(list(src)), concat([first[first["t"] >= t], second]))
        src.seek(1_000_000)  # the second's only: now read from there
        assert src.read()["t"][0] < 2_000_000
        src.seek(t)  # on the second clock: its time (before: the first clock's, in file order)
        assert np.array_equal(np.concatenate(list(src)), second[second["t"] >= t])


@pytest.mark.parametrize("packet_events", [2000, 3000])
def test_clocks_come_from_the_packet_index_without_decoding(tmp_path, monkeypatch, packet_events):
    """Only a packet the restart is inside is decoded (to split it there), none where there is none."""
    path, first, second = _reset_file(tmp_path, packet_events=packet_events)
    with Aedat4FileSource(path) as src:
        decoded = []
        packet_events_of = src._packet_events
        monkeypatch.setattr(src, "_packet_events", lambda k: decoded.append(k) or packet_events_of(k))
        assert [c[1:] for c in src.clocks()] == [_span(first), _span(second)]
        src.seek(1_000_000)  # (the seek's choice too; the read after it decodes, as any read)
        assert decoded == ([] if packet_events == 2000 else [20_000 // packet_events])


def test_a_recording_without_a_restart_is_one_clock():
    with Aedat4FileSource(DAVIS_FILE) as src:  # the real DAVIS346 recording
        (byte, a, b), = src.clocks()
        assert (a, b) == src.time_range_us() and 0 < byte < DAVIS_FILE.stat().st_size


@pytest.mark.parametrize("index", [True, False])
def test_shuffled_rows_are_one_clock(tmp_path, index):
    ev = make_events(40_000, 64, 48, duration_us=4_000_000, seed=5)
    np.random.default_rng(6).shuffle(ev)  # shuffled rows: packets step back over 1 s, no clock restarted
    with Aedat4FileSource(_write(tmp_path / "shuffled.aedat4", ev, index=index, packet_events=1000)) as src:
        assert [c[1:] for c in src.clocks()] == [src.time_range_us()]  # (before this rule: 24 clocks)


def test_a_real_recording_played_again_on_a_restarted_clock(tmp_path):
    """The real DAVIS346 recording (0.13 s), then the same again on a clock 10 s back."""
    with Aedat4FileSource(DAVIS_FILE) as src:
        real = np.concatenate(list(src))
    again = real.copy()
    again["t"] -= 10_000_000
    path = _write(tmp_path / "twice.aedat4", real, again, packet_events=20_000, size=(346, 260))
    with Aedat4FileSource(path) as src:
        assert [c[1:] for c in src.clocks()] == [_span(real), _span(again)]
        src.seek(int(real["t"][0]) - 2_000_000)  # between, nearer the first clock: its start
        assert np.array_equal(np.concatenate(list(src)), concat([real, again]))
        src.seek(int(again["t"][-1]) + 2_000_000)  # nearer the second's end: its last time
        assert np.array_equal(np.concatenate(list(src)), again[again["t"] == again["t"][-1]])


@pytest.mark.parametrize("seed", range(5))
def test_clock_starts_scanned_in_chunks_match_one_packet_at_a_time(seed):
    """The vectorised scan (an hour of dv packets is ~360 k) finds the clocks a loop over the packets does."""
    from evfocus_live.sources.aedat4_file import RESTART_BACK_US, _clock_starts

    rng = np.random.default_rng(seed)
    steps = rng.integers(0, 400_000, 3000)
    steps[rng.integers(1, 3000, 6)] -= rng.integers(3, 9, 6) * 1_000_000  # clocks restarted there
    lo = np.cumsum(steps)
    hi = lo + rng.integers(0, 2_000_000, 3000)
    want, top = [0], hi[0]
    for j in range(1, len(lo)):
        if lo[j] < top - RESTART_BACK_US:
            want.append(j)
            top = hi[j]
        else:
            top = max(top, hi[j])
    assert len(want) > 3
    for chunk in (1, 4, 1024):
        assert _clock_starts(lo, hi, chunk) == want
