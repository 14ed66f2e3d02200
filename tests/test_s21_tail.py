"""Three QA findings on the readers and the CLI: a RAW file with a garbage tail; ``evfocus
info`` counting APS frames ``aps_frames()`` leaves out; reversed time folded silently by
``evfocus reconstruct``.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from conftest import EVT2_FILE, EVT3_FILE, make_events

from evfocus_live.cli import main
from evfocus_live.sources import evt, open_file
from evfocus_live.sources.raw_file import RawFileSource

#: the real files' facts (../shared/data/SOURCES.md): events and (min t, max t)
REAL = {3: (EVT3_FILE, 219_596, (11_718_656, 11_727_457)), 2: (EVT2_FILE, 539_481, (1_317_888, 1_367_888))}


def _info_json(capsys, path) -> dict:
    rc = main(["info", str(path), "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return json.loads(out)


def _garbage_tail(tmp_path, version: int, seed: int, n_bytes: int = 65_536):
    """A real RAW file with random bytes after its events (a recorder that crashed with an
    unflushed buffer)."""
    path, _, _ = REAL[version]
    rng = np.random.default_rng(seed)
    out = tmp_path / f"tail{version}_{seed}.raw"
    out.write_bytes(path.read_bytes() + rng.integers(0, 256, n_bytes, dtype=np.uint8).tobytes())
    return out


# ---------------------------------------------------------------- 1. RAW garbage tail
@pytest.mark.parametrize("version", [3, 2])
def test_real_files_never_jump_time_high(version):
    """The rule's premise, on the real files: TIME_HIGH moves by one tick at most, never back."""
    path, n, t_range = REAL[version]
    st = evt.new_state()
    with RawFileSource(path) as src:
        data = path.read_bytes()[src._data_off:]
        assert (src.time_range_us(), sum(len(b) for b in src)) == (t_range, n)
    evt.decode_all(data, version, state=st)
    assert st[evt.DAMAGED] == 0
    words = np.frombuffer(data[: len(data) // 4 * 4], "<u2" if version == 3 else "<u4").astype(np.int64)
    shift, tick = (12, 4096) if version == 3 else (28, 64)
    th = (words[(words >> shift) == 8] & ((1 << shift) - 1)) * (4096 if version == 3 else 64)
    assert set(np.diff(th).tolist()) <= {0, tick}


@pytest.mark.parametrize("version", [3, 2])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_garbage_tail_ends_the_stream_with_one_warning(tmp_path, capsys, caplog, version, seed):
    path = _garbage_tail(tmp_path, version, seed)
    _, n, (t0, t1) = REAL[version]
    with caplog.at_level(logging.WARNING):
        info = _info_json(capsys, path)
    # before: EVT2 ran to 2.2e12 µs (2.2 million s), EVT3 to 16.7 s, with thousands of garbage events
    assert info["t_first_us"] == t0 and info["t_last_us"] <= t1 + evt.MAX_TIME_HIGH_JUMP_US
    assert n <= info["events"] <= n + 2_000  # (garbage words before its first TIME_HIGH decode as events)
    said = [r.getMessage() for r in caplog.records if "TIME_HIGH" in r.getMessage()]
    assert len(said) == 1 and "keeping the events before it" in said[0]
    assert "at byte" in said[0]


def test_garbage_tail_replay_seek_and_time_range(tmp_path, caplog):
    """The viewer's time label and seek bar (time_range_us), a replay that loops (seek back)."""
    path = _garbage_tail(tmp_path, 3, seed=0)
    _, n, t_range = REAL[3]
    with caplog.at_level(logging.WARNING), open_file(path) as src:
        assert src.time_range_us() == t_range
        for _ in range(3):  # a replay that loops: the same events, one warning in all
            src.seek(t_range[0])
            assert sum(len(b) for b in src) == n
        src.seek(t_range[1] + 5_000_000)  # past the end: nothing (the garbage times are gone)
        assert src.read() is None
    assert sum("TIME_HIGH" in r.getMessage() for r in caplog.records) == 1


def test_garbage_tail_reconstruct(tmp_path, tiny_ckpt, caplog):
    path = _garbage_tail(tmp_path, 3, seed=1)
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", str(path), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                     "--no-progress", "--window-ms", "2"]) == 0
    ts = [int(ln.split()[-1]) for ln in (out / "timestamps.txt").read_text().splitlines()]
    assert 4 <= len(ts) <= 6 and max(ts) <= REAL[3][2][1] + 2_000  # 8.8 ms in 2 ms windows, not 16.7 s
    assert any("TIME_HIGH" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("version", [3, 2])
def test_decoder_stops_at_a_time_high_jump_and_stays_stopped(version):
    """Split anywhere, the stop holds across calls; a jump back (not a wrap) stops it too."""
    from evt_reference import encode_evt2, encode_evt3

    enc = encode_evt3 if version == 3 else encode_evt2
    ev = make_events(2_000, 640, 480, t0_us=100_000, duration_us=200_000, seed=3)
    late = make_events(50, 640, 480, t0_us=5_000_000, duration_us=1_000, seed=4)  # +4.7 s
    early = make_events(50, 640, 480, t0_us=0, duration_us=1_000, seed=5)       # back 0.3 s: kept
    for tail, stops in ((late, True), (early, False)):
        data = enc(ev) + enc(tail) + enc(ev)
        st = evt.new_state()
        got = evt.decode_all(data, version, width=640, height=480, state=st)
        if stops:  # at the jump forward (no TIME_HIGH steps on from it), else at the jump back
            assert np.array_equal(got[:len(ev)], ev) and st[evt.DAMAGED] == 1
            if len(got) == len(ev):
                assert st[evt.DAMAGE_JUMP_US] > 4_000_000
            else:
                assert np.array_equal(got[len(ev):], tail) and st[evt.DAMAGE_JUMP_US] < -4_000_000
        else:
            assert len(got) == 2 * len(ev) + len(tail) and st[evt.DAMAGED] == 0


# ---------------------------------------------------------------- 2. info counts the APS frames used
def test_info_counts_the_aps_frames_reconstruct_uses(tmp_path, capsys, caplog, tiny_ckpt):
    from aps_support import KEPT, ROI_FRAMES, write_davis

    path = write_davis(tmp_path / "roi.aedat4", ROI_FRAMES)
    with caplog.at_level(logging.WARNING):
        info = _info_json(capsys, path)
    # before: 6 (every frame packet), while --at aps gave 4
    assert info["aps_frames"] == len(KEPT) == 4 and info["aps_frames_left_out"] == 2
    assert (info["aps_t_first_us"], info["aps_t_last_us"]) == (KEPT[0][0], KEPT[-1][0])
    assert any("does not fit" in r.getMessage() for r in caplog.records)
    assert main(["info", str(path)]) == 0
    assert "2 more frame(s) in the file left out" in capsys.readouterr().out
    out = tmp_path / "out"
    assert main(["reconstruct", str(path), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", "--at", "aps"]) == 0
    assert len((out / "timestamps.txt").read_text().splitlines()) == info["aps_frames"]


def test_info_on_the_real_davis_file_leaves_nothing_out(capsys):
    from conftest import DAVIS_FILE

    info = _info_json(capsys, DAVIS_FILE)
    assert info["aps_frames"] == 3 and "aps_frames_left_out" not in info


# ---------------------------------------------------------------- 3. late events said once
def _late_said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "time order is broken" in r.getMessage()]


def test_reversed_file_reconstruct_says_it_once_with_the_count(tmp_path, tiny_ckpt, caplog):
    ev = make_events(10_000, t0_us=0, duration_us=300_000, seed=1)[::-1].copy()
    np.save(tmp_path / "rev.npy", ev)
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", str(tmp_path / "rev.npy"), "-o", str(tmp_path / "out"), "--model",
                     str(tiny_ckpt), "--device", "cpu", "--no-progress", "--window-ms", "10"]) == 0
    said = _late_said(caplog)
    # before: one frame for 300 ms of events, no warning
    assert len(said) == 1, said
    late = int(np.count_nonzero(ev["t"] < np.maximum.accumulate(ev["t"]) - 10_000))
    assert said[0].startswith(f"{late} of 10000 events") and "10.0 ms" in said[0]


def test_real_evt3_steps_back_stay_silent(tmp_path, tiny_ckpt, caplog):
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", str(EVT3_FILE), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt),
                     "--device", "cpu", "--no-progress", "--window-ms", "1"]) == 0
    assert _late_said(caplog) == []


@pytest.mark.parametrize("kind", ["duration", "adaptive"])
def test_slicer_counts_late_events_and_says_them_once(kind, caplog):
    from evfocus_live.core.slicing import LATE_MIN_EVENTS, AdaptiveSlicer, DurationSlicer

    def slicer():
        return DurationSlicer(10) if kind == "duration" else AdaptiveSlicer(10, min_events=1, max_events=10**6)

    ev = make_events(20_000, t0_us=0, duration_us=1_000_000, seed=2)
    few = ev.copy()
    few["t"][1000:1000 + LATE_MIN_EVENTS - 1] -= 50_000  # stray late events: below the bar
    s = slicer()
    with caplog.at_level(logging.WARNING):
        for k in range(0, len(few), 4096):
            s.push(few[k:k + 4096])
        s.flush()
    assert s.late_events == LATE_MIN_EVENTS - 1 and _late_said(caplog) == []
    rev = ev[::-1].copy()
    s = slicer()
    with caplog.at_level(logging.WARNING):
        for _ in range(2):  # a replay that loops: said once
            s.reset(None)
            for k in range(0, len(rev), 4096):
                s.push(rev[k:k + 4096])
            s.flush()
    assert len(_late_said(caplog)) == 1 and s.late_events > 0.9 * s.seen_events


@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize("block_bytes", [None, 4096])
def test_a_real_gap_over_a_second_is_kept_not_called_garbage(tmp_path, caplog, version, block_bytes):
    """An encoder that writes TIME_HIGH only where events are (a converted recording with a
    pause) jumps once and then steps on as a sensor does: data, not damage (garbage jumps
    again at its very next TIME_HIGH). The first rule stopped the file at such a gap."""
    from evt_reference import raw_file_bytes

    a = make_events(3000, 64, 48, duration_us=200_000, seed=3)
    b = make_events(3000, 64, 48, t0_us=3_200_000, duration_us=200_000, seed=4)  # 3 s later
    ev = np.concatenate([a, b])
    path = tmp_path / f"gap{version}.raw"
    path.write_bytes(raw_file_bytes(ev, version, width=64, height=48))
    kw = {} if block_bytes is None else dict(block_bytes=block_bytes)
    with caplog.at_level(logging.WARNING), open_file(path, **kw) as src:
        parts = []
        while (batch := src.read()) is not None:
            parts.append(batch)
    got = np.concatenate(parts)
    assert len(got) == len(ev) and np.array_equal(got["t"], ev["t"])
    assert not [r for r in caplog.records if "TIME_HIGH" in r.getMessage()]
