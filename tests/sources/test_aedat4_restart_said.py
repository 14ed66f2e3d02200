"""An AEDAT4 recording whose camera clock restarted, read on: the reader now says the restart as the
RAW reader says a reset (one warning per restart, with the byte its clock begins at, ``clocks()``'s;
not again on a loop's next pass). It said nothing: the events jumped back in time silently, and only
the pipeline's slicer guessed at "a clock restart?"."""

from __future__ import annotations

import logging
import re

import numpy as np
import pytest
from conftest import DAVIS_FILE, make_events
from reader_support import aedat4_clocks_file, aedat4_reset_file

from evfocus_live.sources.aedat4_file import Aedat4FileSource


def _said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "clock" in r.getMessage()]


def _bytes(said: list[str]) -> list[int]:
    return [int(re.search(r"at byte (\d+)", m).group(1)) for m in said]


@pytest.mark.parametrize("index", [True, False])
@pytest.mark.parametrize("packet_events", [2000, 3000])  # (3000: the restart is inside a packet)
def test_a_restart_read_on_is_said_once_with_its_byte(tmp_path, caplog, index, packet_events):
    path, first, second = aedat4_reset_file(tmp_path, index, packet_events)
    with caplog.at_level(logging.WARNING), Aedat4FileSource(path) as src:
        assert len(np.concatenate(list(src))) == 40_000
        src.seek(src.time_range_us()[0])  # a loop's next pass: not said again
        assert sum(len(b) for b in src) == 40_000
        clocks = src.clocks()
    said = _said(caplog)
    assert len(said) == 1 and "the sensor clock goes back by 5.180 s" in said[0], said  # (before: none)
    assert _bytes(said) == [clocks[1][0]]


@pytest.mark.parametrize("packet_events", [2000, 3000])
def test_said_where_the_reading_crosses_it_not_at_a_seek_past_it(tmp_path, caplog, packet_events):
    path, first, second = aedat4_reset_file(tmp_path, packet_events=packet_events)
    with caplog.at_level(logging.WARNING):
        with Aedat4FileSource(path) as src:
            src.seek(120_000)  # straight to the second clock: no restart read
            assert len(np.concatenate(list(src))) == np.count_nonzero(second["t"] >= 120_000)
        assert _said(caplog) == []
        with Aedat4FileSource(path) as src:
            t = int(first["t"][-30])  # the first clock's end (with 3000: the packet the restart is in)
            src.seek(t)
            assert len(np.concatenate(list(src))) == np.count_nonzero(first["t"] >= t) + len(second)
    assert len(_said(caplog)) == 1


def test_each_restart_is_said_with_its_own_byte(tmp_path, caplog):
    parts = [make_events(10_000, 64, 48, t0_us=t0, duration_us=200_000, seed=i)
             for i, t0 in enumerate((9_000_000, 4_000_000, 20_000))]
    with caplog.at_level(logging.WARNING), Aedat4FileSource(
            aedat4_clocks_file(tmp_path / "two.aedat4", *parts, packet_events=2500)) as src:
        assert sum(len(b) for b in src) == 30_000
        clocks = src.clocks()
    said = _said(caplog)
    assert len(clocks) == 3 and _bytes(said) == [c[0] for c in clocks[1:]], said


@pytest.mark.parametrize("index", [True, False])
def test_shuffled_rows_and_a_real_recording_say_nothing(tmp_path, caplog, index):
    ev = make_events(40_000, 64, 48, duration_us=4_000_000, seed=5)
    np.random.default_rng(6).shuffle(ev)  # steps back over 1 s all along, on one clock
    with caplog.at_level(logging.WARNING):
        for path in (aedat4_clocks_file(tmp_path / "shuffled.aedat4", ev, index=index, packet_events=1000),
                     DAVIS_FILE):
            with Aedat4FileSource(path) as src:
                assert sum(len(b) for b in src) > 0
    assert _said(caplog) == []


@pytest.mark.parametrize("packet_events", [2000, 3000])
def test_stats_count_the_restarts_up_to_where_reading_is(tmp_path, packet_events):
    """As the RAW decoder's ``clock_resets`` (``evfocus info``'s ``clock`` line), after seeks too."""
    path, first, second = aedat4_reset_file(tmp_path, packet_events=packet_events)
    with Aedat4FileSource(path) as src:
        assert src.stats["clock_resets"] == 0
        list(src)
        assert src.stats["clock_resets"] == 1
        src.seek(120_000)  # the second clock's
        assert src.stats["clock_resets"] == 1
        src.seek(int(first["t"][-30]))  # the first clock's end: then on to the second
        assert src.stats["clock_resets"] == 0
        list(src)
        assert src.stats["clock_resets"] == 1
