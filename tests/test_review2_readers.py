"""Second review round of the readers: files without events, inline comments in text files."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import make_events
from evfocus_live.errors import InputError
from evfocus_live.sources import open_file
from evfocus_live.sources.text_file import TextFileSource
from evfocus_live.writers import Aedat4Writer


@pytest.mark.parametrize("body", ["", "# only a comment\n\n", "0.000012 3 4"])
def test_text_without_rows_fails_at_open(tmp_path, body):
    """A header-only text file read as an empty stream: `evfocus reconstruct` wrote
    0 frames and exit 0 where an empty .npy or .h5 gives one line and exit 2."""
    p = tmp_path / "e.txt"
    p.write_text("346 260\n" + body)  # the last case: the only row is cut
    with pytest.raises(InputError, match="contains no events"):
        open_file(p)


def test_text_rows_after_long_comment_block_still_read(tmp_path):
    p = tmp_path / "e.txt"
    p.write_text("346 260\n" + "# padding line of a long preamble\n" * 5000 + "0.5 1 2 1\n")
    with TextFileSource(p) as src:  # (detection looks at the first 4 KiB only)
        ev = np.concatenate(list(src))
    assert ev.tolist() == [(500_000, 1, 2, 1)]


def test_aedat4_without_event_packets_fails_at_open(tmp_path):
    """A recording closed (or killed) before its first packet read as an empty stream."""
    p = tmp_path / "e.aedat4"
    Aedat4Writer(p, 346, 260).close()
    with pytest.raises(InputError, match="contains no events"):
        open_file(p)


def test_text_inline_comments_are_comments(tmp_path):
    """'#' starts a comment (module docstring): a file with inline comments was refused as
    'not a valid text file', and its last row (no newline) dropped as truncated."""
    ev = make_events(50, seed=2)
    rows = [f"{t / 1e6:.6f} {x} {y} {p}  # note {i}" for i, (t, x, y, p) in enumerate(ev.tolist())]
    p = tmp_path / "c.txt"
    p.write_text("346 260  # DAVIS346\n" + "\n".join(rows))  # no newline after the last row
    with open_file(p) as src:
        got = np.concatenate(list(src))
    assert np.array_equal(got, ev)


@pytest.mark.parametrize("version", [2, 3])
def test_raw_without_events_fails_at_open(tmp_path, version):
    """A RAW recording stopped before its first event (time words only) read as an empty
    stream: `evfocus reconstruct` wrote 0 frames and exit 0."""
    if version == 3:
        words = np.array([0x8005, 0x8006, 0x6003, 0x0010], "<u2")  # TIME_HIGH x2, TIME_LOW, ADDR_Y
    else:
        words = np.array([0x8 << 28 | 5, 0x8 << 28 | 6, 0x2 << 28], "<u4")  # TIME_HIGH x2, junk
    p = tmp_path / "stopped.raw"
    p.write_bytes(f"% evt {version}.0\n% format EVT{version};height=480;width=640\n% end\n".encode()
                  + words.tobytes())
    with pytest.raises(InputError, match="contains no events"):
        open_file(p)
    words[-1] = 0x2000 | 7 if version == 3 else 0x1 << 28 | 7 << 11 | 9  # now one event
    p.write_bytes(p.read_bytes()[:-words.itemsize] + words[-1:].tobytes())
    with open_file(p) as src:
        assert len(np.concatenate(list(src))) == 1


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
    assert info["events"] == n and info["decoder"] == {"dropped": dropped}


def test_aedat4_time_range_is_min_max_after_a_clock_restart(tmp_path):
    """time_range_us gave (first packet's first t, last packet's last t): after a camera's
    clock restart that is inverted, e.g. (1_000_000, 500_000), and `--start-s` said "start
    is after the end of the recording (-0.5 s)". Now (min, max), as every other reader."""
    a = make_events(4000, t0_us=1_000_000, duration_us=1_000_000, seed=1)
    b = make_events(4000, t0_us=0, duration_us=500_000, seed=2)
    p = tmp_path / "restart.aedat4"
    with Aedat4Writer(p, 346, 260, max_packet_events=1000) as w:
        w.write(a)
        w.write(b)
    expected = (int(b["t"].min()), int(a["t"].max()))
    with open_file(p) as src:
        assert src.time_range_us() == expected           # from the packet index
    with open_file(p) as src:
        src._dtp = -1                                    # no index: decoded once
        assert src.time_range_us() == expected
        src.seek(int(a["t"][-1]))       # still the packet holding it, and the stream from there
        assert np.concatenate(list(src)).tolist() == np.concatenate([a[-1:], b]).tolist()


def test_text_without_size_line_says_what_is_missing(tmp_path):
    """An ECD-style events.txt (rows only) was refused as 'content is not a valid text
    file'; the one line now names the missing 'W H' first line."""
    p = tmp_path / "events.txt"
    p.write_text("0.000001 1 2 1\n0.000002 3 4 0\n")
    with pytest.raises(InputError, match="first line must be the sensor size 'W H'; it is an event row"):
        open_file(p)


def test_text_file_rewritten_shorter_while_read_ends_instead_of_spinning(tmp_path, caplog):
    """read() returned empty batches forever (never None) once the file got shorter than
    its size at opening: the replay hung. (It then ended with a warning; since s21 it is one
    InputError, as for the other readers: the events after the cut are lost.)"""
    p = tmp_path / "e.txt"
    p.write_text("346 260\n" + "".join(f"{i / 1e6:.6f} 1 2 1\n" for i in range(3000)))
    src = TextFileSource(p, block_bytes=4096)
    assert len(src.read())
    data = p.read_bytes()
    p.write_bytes(data[:data.index(b"\n", 10_000) + 1])
    with pytest.raises(InputError, match="the file shrank while being read"):
        for _ in range(50):
            if src.read() is None:
                break
    src.close()
