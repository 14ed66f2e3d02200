"""`evfocus info` on an AEDAT4 file with a corrupt packet in the middle: it refused the whole
file ("corrupt AEDAT4 packet at byte N", exit 2) while `reconstruct` kept the frames before
it, and info on a damaged RAW file reports what was read and where decoding stopped."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from conftest import DAVIS_FILE, REAL_FILES

from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.sources import open_file


def _corrupt_packet(tmp_path, which: str = "middle"):
    """A copy of the DAVIS recording with the payload of one event packet overwritten
    (``which``: "middle" or "first"); (path, payload offset, events before that packet)."""
    with open_file(DAVIS_FILE) as src:
        k = len(src._offs) // 2 if which == "middle" else 0
        off = int(src._offs[k])
        before = sum(len(src._packet_events(i)[0]) for i in range(k))
    data = bytearray(DAVIS_FILE.read_bytes())
    data[off + 20:off + 60] = b"\xff" * 40  # inside the LZ4 frame: it no longer decodes
    p = tmp_path / f"corrupt_{which}.aedat4"
    p.write_bytes(bytes(data))
    return p, off, before


def test_info_describes_the_events_before_a_corrupt_packet(tmp_path, capsys, caplog):
    p, off, before = _corrupt_packet(tmp_path)
    assert 0 < before < REAL_FILES["davis346"]["events"]
    with caplog.at_level(logging.WARNING):
        assert main(["info", str(p), "--json"]) == 0  # as for a damaged RAW file (was 2)
    info = json.loads(capsys.readouterr().out)
    assert info["events"] == before
    with open_file(DAVIS_FILE) as src:
        ev = np.concatenate(list(src))[:before]
    assert (info["t_first_us"], info["t_last_us"]) == (int(ev["t"].min()), int(ev["t"].max()))
    dec = info["decoder"]
    assert dec["damaged_at_byte"] == off and dec["events_before_damage"] == before
    assert dec["bytes_not_decoded"] > 0 and "corrupt AEDAT4 packet" in dec["damage"]
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 1 and f"at byte {off}" in said[0] and f"{before:,} events before it" in said[0]

    assert main(["info", str(p)]) == 0
    out = capsys.readouterr().out
    assert f"events      {before:,}" in out
    assert (f"decoding stopped at byte {off:,} (corrupt AEDAT4 packet" in out
            and f"{dec['bytes_not_decoded']:,} bytes not decoded" in out
            and f"{before:,} events kept before it" in out), out


def test_info_on_a_whole_aedat4_file_says_no_damage(capsys):
    assert main(["info", str(DAVIS_FILE), "--json"]) == 0
    dec = json.loads(capsys.readouterr().out)["decoder"]
    assert dec["damaged_at_byte"] is None and dec["events_before_damage"] is None
    assert main(["info", str(DAVIS_FILE)]) == 0
    assert "damage" not in capsys.readouterr().out


def test_a_corrupt_first_packet_is_still_the_error(tmp_path, capsys):
    """Nothing before it to describe: one line, exit 2, as before."""
    p, off, before = _corrupt_packet(tmp_path, "first")
    assert before == 0
    assert main(["info", str(p)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"corrupt AEDAT4 packet at byte {off}" in err[0], err


def test_a_pass_from_a_seek_does_not_count_the_events_before_damage(tmp_path):
    """As the RAW reader's stats: only a pass from the file's start knows them."""
    p, off, before = _corrupt_packet(tmp_path)
    with open_file(p) as src:
        src.seek(int(src.time_range_us()[0]) + 1)
        with pytest.raises(InputError):
            list(src)
        assert src.stats["damaged_at_byte"] == off and src.stats["events_before_damage"] is None
        src._rewind(0)  # (what a replay from the start does)
        got = []
        with pytest.raises(InputError):
            for b in src:
                got.append(len(b))
        assert sum(got) == before and src.stats["events_before_damage"] == before
