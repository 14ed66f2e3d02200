"""Two recordings whose result said too little.

A very short one (the 8.8 ms EVK3 street recording) gave 1 frame at the default windows
(0.35 events per pixel) and no word why: one line now says what it holds and the windows
that give more frames. A file cut short (a recorder stopped mid-write, ``head -c``) exited 0
with only a warning on stderr: its result line on stdout says so now (exit stays 0: the frames
are valid), as an interrupted run's says INCOMPLETE."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from conftest import REAL_FILES, make_events

from evfocus_live.cli import main
from evfocus_live.config import WindowConfig

STREET = REAL_FILES["evt3"]["path"]  # 1280x720, 219,596 events in 8.8 ms
PEGBOARD = REAL_FILES["davis346"]["path"]

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _hints(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "windows of" in r.getMessage()]


def _run(inp, out, tiny_ckpt, *extra) -> int:
    return main(["reconstruct", str(inp), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", *extra])


def test_a_short_recording_says_which_windows_give_more_frames(tmp_path, tiny_ckpt, caplog, capsys):
    with caplog.at_level(logging.INFO):
        assert _run(STREET, tmp_path / "o", tiny_ckpt) == 0
    assert capsys.readouterr().out.strip() == f"{STREET}: 1 frame -> {tmp_path / 'o'}"
    assert _hints(caplog) == [
        f"{STREET}: only 1 frame: the recording holds 219,596 events in 8.8 ms, fewer than 3 windows of 322,560 "
        "events (0.35 per pixel, the default); --window-ms 0.88 or --window-events 22000 give about 10 frames"]
    caplog.clear()
    with caplog.at_level(logging.INFO):  # the advice holds
        assert _run(STREET, tmp_path / "o2", tiny_ckpt, "--window-events", "22000") == 0
    assert capsys.readouterr().out.strip() == f"{STREET}: 10 frames -> {tmp_path / 'o2'}"
    assert not _hints(caplog)


def test_enough_frames_get_no_hint(tmp_path, tiny_ckpt, caplog):
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(20_000, width=64, height=48, duration_us=100_000))  # ~18 default windows
    with caplog.at_level(logging.INFO):
        assert _run(rec, tmp_path / "o", tiny_ckpt) == 0
    assert not _hints(caplog)


@pytest.mark.parametrize("window, n_frames, n_events, span_us, line", [
    (WindowConfig(mode="duration", window_ms=33), 1, 219_596, 8_801,
     "only 1 frame: the recording holds 219,596 events in 8.8 ms, fewer than 3 windows of 33 ms; "
     "--window-ms 0.88 or --window-events 22000 give about 10 frames"),
    (WindowConfig(mode="events", window_events=4), 2, 5, 300,
     "only 2 frames: the recording holds 5 events in 0.3 ms, fewer than 3 windows of 4 events; "
     "--window-events 1 gives about 5 frames"),
    (WindowConfig(mode="events"), 3, 219_596, 8_801, None),  # enough frames
    (WindowConfig(mode="events", window_events=100), 1, 5_000, 8_801, None),  # not for want of events
    (WindowConfig(mode="timestamps", timestamps_path="t.txt"), 1, 219_596, 8_801, None),  # the times chose
])
def test_few_frames_hint(window, n_frames, n_events, span_us, line):
    from evfocus_live.cli.options import few_frames_hint

    assert few_frames_hint(n_frames, n_events, span_us, window, window.window_events or 322_560) == line


def _cut(src: Path, dst: Path, n_bytes: int) -> Path:
    dst.write_bytes(src.read_bytes()[:n_bytes])  # as `head -c N`
    return dst


@pytest.mark.parametrize("src, n_bytes, window", [(STREET, 300_001, ["--window-events", "60000"]),
                                                  (PEGBOARD, 700_000, ["--window-ms", "50"])])
def test_a_cut_recording_says_so_on_its_result_line(tmp_path, tiny_ckpt, capsys, src, n_bytes, window):
    inp = _cut(Path(src), tmp_path / f"cut{Path(src).suffix}", n_bytes)
    assert _run(inp, tmp_path / "o", tiny_ckpt, *window) == 0  # the frames are valid
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{inp}: ")
    assert ", from a TRUNCATED recording: the file is cut short at byte " in lines[0]
    n = int(lines[0].split(": ")[1].split()[0])
    assert n >= 1 and len(list((tmp_path / "o").glob("frame_*.png"))) == n


def test_a_whole_recording_is_not_flagged(tmp_path, tiny_ckpt, capsys):
    assert _run(STREET, tmp_path / "o", tiny_ckpt, "--window-events", "110000") == 0
    assert "TRUNCATED" not in capsys.readouterr().out


@pytest.mark.slow
def test_parallel_runs_flag_the_cut_input(tmp_path, tiny_ckpt, capsys):
    cut = _cut(Path(STREET), tmp_path / "cut.raw", 300_001)
    assert main(["reconstruct", str(STREET), str(cut), "-o", str(tmp_path / "o"), "--model", str(tiny_ckpt),
                 "--device", "cpu", "--no-progress", "--jobs", "2", "--window-events", "110000"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [ln.startswith(f"{STREET}: ") and "TRUNCATED" not in ln for ln in lines] == [True, False]
    assert lines[1].startswith(f"{cut}: ") and "TRUNCATED recording" in lines[1]


def test_the_headless_viewer_says_it_too(tiny_ckpt, caplog):
    from evfocus_live.gui.app import main as live_main

    with caplog.at_level(logging.INFO):
        assert live_main(["--headless", str(STREET), "--model", str(tiny_ckpt), "--device", "cpu", "--speed", "0",
                          "--exit-after", "60"]) == 0
    assert [h.split(";")[0] for h in _hints(caplog)] == [
        "only 1 frame: the recording holds 219,596 events in 8.8 ms, fewer than 3 windows of 322,560 events "
        "(0.35 per pixel, the default)"]
