"""Where a RAW file's decoding stopped at damage (a garbage tail): the reader warned naming the
byte, but its ``stats`` did not keep it, so ``evfocus info`` could not say it."""

from __future__ import annotations

import json
import logging
import re

import numpy as np
import pytest
from conftest import EVT2_FILE, EVT3_FILE

from evfocus_live.cli import main
from evfocus_live.sources import evt, open_file

REAL = {3: EVT3_FILE, 2: EVT2_FILE}
TAIL_BYTES = 65_536


def _garbage_tail(tmp_path, version: int, seed: int):
    """A real RAW file with random bytes after its events (a recorder that crashed with an
    unflushed buffer)."""
    rng = np.random.default_rng(seed)
    out = tmp_path / f"tail{version}_{seed}.raw"
    out.write_bytes(REAL[version].read_bytes() + rng.integers(0, 256, TAIL_BYTES, dtype=np.uint8).tobytes())
    return out


@pytest.mark.parametrize("version", [3, 2])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_info_json_gives_the_byte_where_decoding_stopped(tmp_path, capsys, caplog, version, seed):
    path = _garbage_tail(tmp_path, version, seed)
    real_size, size = REAL[version].stat().st_size, path.stat().st_size
    with caplog.at_level(logging.WARNING):
        assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    dec = info["decoder"]
    at = dec["damaged_at_byte"]  # before: no such key
    said = [r.getMessage() for r in caplog.records if "TIME_HIGH word at byte" in r.getMessage()]
    assert len(said) == 1 and int(re.search(r"at byte (\d+)", said[0]).group(1)) == at
    assert real_size <= at < size and at + dec["bytes_not_decoded"] == size
    word = int.from_bytes(path.read_bytes()[at:at + (2 if version == 3 else 4)], "little")
    assert word >> (12 if version == 3 else 28) == 0x8  # a TIME_HIGH word
    assert abs(dec["damage_jump_us"]) > evt.MAX_TIME_HIGH_JUMP_US
    assert dec["events_before_damage"] == info["events"]

    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    assert (f"decoding stopped at byte {at:,}" in text and f"{dec['bytes_not_decoded']:,} bytes not decoded"
            in text and f"{info['events']:,} events kept" in text), text


@pytest.mark.parametrize("version", [3, 2])
def test_an_undamaged_file_says_no_damage(capsys, version):
    assert main(["info", str(REAL[version]), "--json"]) == 0
    dec = json.loads(capsys.readouterr().out)["decoder"]
    assert dec["damaged_at_byte"] is None and dec["events_before_damage"] is None
    assert main(["info", str(REAL[version])]) == 0
    assert "damage" not in capsys.readouterr().out


def test_a_pass_begun_at_a_seek_leaves_the_count_to_a_pass_from_the_start(tmp_path, caplog):
    path = _garbage_tail(tmp_path, 3, seed=0)
    with caplog.at_level(logging.WARNING), open_file(path, block_bytes=4096) as src:
        t0, t1 = src.time_range_us()
        src.seek((t0 + t1) // 2)
        mid = sum(len(b) for b in src)
        st = src.stats
        assert st["damaged_at_byte"] >= EVT3_FILE.stat().st_size and st["events_before_damage"] is None
        src.seek(t0)  # the first block: the file's start
        n = sum(len(b) for b in src)
        assert n > mid and src.stats["events_before_damage"] == n
        assert src.stats["damaged_at_byte"] == st["damaged_at_byte"]
