"""A RAW file's sensor writes its clock (``TIME_HIGH`` words) on through a still scene: such a
file ends after its last event, and ``end_us()`` says where (a looping replay plays that pause:
``tests/pipeline/test_loop_plays_the_pause_at_the_end.py``). A file whose clock words stop with
its events (a converted recording) has none."""

from __future__ import annotations

import numpy as np
import pytest
from evt_reference import raw_file_bytes

from evfocus_live.events import EVENT_DTYPE
from evfocus_live.sources.raw_file import RawFileSource


def still_tail(version: int, from_us: int, to_us: int) -> bytes:
    """The ``TIME_HIGH`` words a still sensor writes from ``from_us`` to ``to_us``."""
    if version == 3:
        step = 1 << 12
        return np.array([0x8000 | ((t >> 12) & 0xFFF) for t in range(from_us + step, to_us + 1, step)], "<u2").tobytes()
    step = 1 << 6
    return np.array([(0x8 << 28) | (t >> 6) for t in range(from_us + step, to_us + 1, step * 64)], "<u4").tobytes()


def raw_file(tmp_path, version: int, tail_to_us: int | None) -> RawFileSource:
    ev = np.zeros(2000, EVENT_DTYPE)
    ev["t"] = np.linspace(0, 1_000_000, 2000).astype(np.int64)
    ev["x"], ev["y"], ev["p"] = 5, 5, 1
    data = raw_file_bytes(ev, version, 64, 48) + (still_tail(version, 1_000_000, tail_to_us) if tail_to_us else b"")
    path = tmp_path / f"evt{version}.raw"
    path.write_bytes(data)
    return RawFileSource(str(path))


@pytest.mark.parametrize("version", [2, 3])
def test_a_still_sensors_clock_words_end_the_file_after_its_last_event(tmp_path, version):
    src = raw_file(tmp_path, version, 3_000_000)
    assert src.time_range_us() == (0, 1_000_000)  # (its events)
    assert src.end_us() == pytest.approx(3_000_000, abs=4096)
    src.close()


@pytest.mark.parametrize("version", [2, 3])
def test_none_where_the_clock_words_stop_with_the_events(tmp_path, version):
    src = raw_file(tmp_path, version, None)
    assert src.end_us() is None
    src.close()
