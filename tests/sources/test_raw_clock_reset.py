"""A Prophesee camera whose clock is reset mid-recording: TIME_HIGH goes back over a second and
then steps on as a sensor's does. The decoder took any jump back for damage and ended the file
there, losing the rest; garbage (random bytes) jumps again at its next TIME_HIGH words."""

from __future__ import annotations

import json
import logging
import re

import numpy as np
import pytest
from conftest import EVT2_FILE, EVT3_FILE, make_events
from evt_reference import encode_evt2, encode_evt3

from evfocus_live.cli import main
from evfocus_live.sources import evt, open_file
from evfocus_live.sources.raw_file import RawFileSource

REAL = {3: (EVT3_FILE, 1280, 720), 2: (EVT2_FILE, 640, 480)}


def _reset_file(tmp_path, version: int, garbage: int = 0):
    """The real file, then 0.2 s of events on a clock restarted at 20 ms (its sensor's steps),
    then ``garbage`` random bytes."""
    path, w, h = REAL[version]
    after = make_events(5000, w, h, t0_us=20_000, duration_us=200_000, seed=7)
    data = path.read_bytes() + (encode_evt3(after) if version == 3 else encode_evt2(after))
    data += np.random.default_rng(3).integers(0, 256, garbage, dtype=np.uint8).tobytes()
    out = tmp_path / f"reset{version}_{garbage}.raw"
    out.write_bytes(data)
    return out, after


def _real_events(version: int) -> np.ndarray:
    with RawFileSource(REAL[version][0]) as src:
        return np.concatenate(list(src))


@pytest.mark.parametrize("version", [3, 2])
@pytest.mark.parametrize("block_bytes", [None, 4096, 6002])
def test_a_clock_reset_is_decoded_on_and_said_once_with_its_byte(tmp_path, caplog, version, block_bytes):
    path, after = _reset_file(tmp_path, version)
    kw = {} if block_bytes is None else dict(block_bytes=block_bytes)
    with caplog.at_level(logging.WARNING), open_file(path, **kw) as src:
        got = np.concatenate(list(src))
        # before: the events after the reset were lost, with a "damaged or garbage" warning
        assert np.array_equal(got, np.concatenate([_real_events(version), after]))
        assert src.stats["clock_resets"] == 1 and src.stats["damaged_at_byte"] is None
        assert src.time_range_us() == (int(after["t"][0]), int(got["t"].max()))  # the index agrees
        src.seek(int(got["t"][0]))  # a replay that loops: said once in all
        assert sum(len(b) for b in src) == len(got)
    said = [r.getMessage() for r in caplog.records if "TIME_HIGH" in r.getMessage() or "clock" in r.getMessage()]
    assert len(said) == 1 and "clock goes back by" in said[0], said
    at = int(re.search(r"at byte (\d+)", said[0]).group(1))
    assert at == REAL[version][0].stat().st_size  # the appended part's first TIME_HIGH


@pytest.mark.parametrize("version", [3, 2])
def test_garbage_after_a_reset_still_ends_the_file(tmp_path, caplog, capsys, version):
    path, after = _reset_file(tmp_path, version, garbage=65_536)
    with caplog.at_level(logging.WARNING):
        assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    n = len(_real_events(version)) + len(after)
    assert n <= info["events"] <= n + 2_000  # (garbage words before its first TIME_HIGH decode as events)
    dec = info["decoder"]
    assert dec["clock_resets"] == 1 and dec["damaged_at_byte"] >= path.stat().st_size - 65_536
    assert main(["info", str(path)]) == 0
    assert "1 reset(s) of the sensor clock" in capsys.readouterr().out


@pytest.mark.parametrize("version", [3, 2])
def test_a_jump_back_that_does_not_step_on_is_damage(version):
    """The next TIME_HIGH words must step on: a jump back followed by one that jumps again
    (garbage) ends decoding, as before."""
    enc = encode_evt3 if version == 3 else encode_evt2
    ev = make_events(2000, 640, 480, t0_us=5_000_000, duration_us=200_000, seed=1)
    back = make_events(20, 640, 480, t0_us=100_000, duration_us=100, seed=2)   # 4.9 s back ...
    jump = make_events(20, 640, 480, t0_us=9_000_000, duration_us=100, seed=3)  # ... then +8.9 s
    st = evt.new_state()
    got = evt.decode_all(enc(ev) + enc(back) + enc(jump) + enc(ev), version, 640, 480, state=st)
    assert np.array_equal(got, ev) and st[evt.DAMAGED] == 1 and st[evt.CLOCK_BACKS] == 0
    assert st[evt.DAMAGE_JUMP_US] < -4_000_000


def test_reconstruct_starts_its_windows_over_at_the_reset(tmp_path, tiny_ckpt, caplog):
    path, after = _reset_file(tmp_path, 3)
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", str(path), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                     "--no-progress", "--window-ms", "20"]) == 0
    ts = [int(ln.split()[-1]) for ln in (out / "timestamps.txt").read_text().splitlines()]
    assert ts[0] > 11_000_000 and min(ts) < 300_000  # both clocks' frames, not only the first's
    said = [r.getMessage() for r in caplog.records if "clock" in r.getMessage()]
    assert len(said) == 1 and "clock goes back" in said[0], said  # the reader's: the slicer's not again
