"""The viewer's daily gaps (session 20): adaptive windows in ``evfocus-live`` and the side
panel, Open Recent with the last folder, and the window's geometry kept between runs.

Settings never touch the user's own: ``conftest.isolated_settings`` points them at a fresh
folder per test (``EVFOCUS_SETTINGS_DIR``).
"""

from __future__ import annotations

import math

import pytest
from conftest import REAL_FILES
from PySide6 import QtCore
from test_gui import wait_idle
from test_review2_gui import make_window, wait_frames

from evfocus_live.core.slicing import AdaptiveSlicer
from evfocus_live.gui import app

DAVIS = REAL_FILES["davis346"]  # 346x260, 130 ms, 117 k events
TIMEOUT_MS = 30_000


def live_args(*argv: str):
    return app.build_parser().parse_args(list(argv))


# ---------------------------------------------------------------------- 1. adaptive windows
def test_adaptive_ms_builds_the_adaptive_window_config():
    _, window, _, _ = app._configs(live_args("--adaptive-ms", "25", "--downsample", "2"))
    assert (window.mode, window.window_ms, window.downsample) == ("adaptive", 25.0, 2)
    assert (window.adaptive_min_epp, window.adaptive_max_epp) == (0.05, 1.0)
    # the default is untouched: fixed-count windows
    assert app._configs(live_args())[1].mode == "events"


@pytest.mark.parametrize("bad", ["0", "-5", "nan", "inf", "1e9", "0.01"])
def test_a_bad_adaptive_ms_is_one_line_and_exit_2(capsys, bad):
    assert app.main(["--headless", f"--adaptive-ms={bad}"]) == app.EXIT_USER_ERROR
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("evfocus-live: error: --adaptive-ms"), err


@pytest.mark.parametrize("argv", [["--adaptive-ms", "abc"], ["--adaptive-ms", "10", "--window-ms", "5"],
                                  ["--adaptive-ms", "10", "--window-events", "500"]])
def test_adaptive_ms_is_a_number_and_excludes_the_other_windows(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        app.main(["--headless", *argv])
    assert exc.value.code == 2
    assert "--adaptive-ms" in capsys.readouterr().err.strip().splitlines()[-1]


def test_the_help_says_what_adaptive_does(capsys):
    with pytest.raises(SystemExit):
        app.main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--adaptive-ms X adaptive windows of about X ms, kept within 0.05..1 events per pixel" in out


def is_adaptive(frame, window_ms: float, width: int, height: int) -> bool:
    """A frame from an adaptive window of ``window_ms``: at most 4x that long, at most one
    event per pixel (a fixed 1500-event window is neither)."""
    span_us = frame.t_us - frame.t_start_us
    return 0 < span_us <= 4 * window_ms * 1000 and frame.n_events <= width * height and frame.n_events != 1500


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_combo_switches_the_simulated_camera_to_adaptive_windows(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    s = win.session
    assert s.is_live and win.window_mode.currentData() == "events"
    wait_frames(qtbot, win)
    i = win.window_mode.findData("adaptive")
    assert i >= 0 and "0.05..1 events per pixel" in win.window_mode.itemData(i, QtCore.Qt.ItemDataRole.ToolTipRole)
    win.window_ms.setValue(20.0)  # (the duration box is the adaptive window's X too)
    win.window_mode.setCurrentIndex(i)
    assert s.pipeline.window_cfg.mode == "adaptive" and s.pipeline.window_cfg.window_ms == 20.0
    assert isinstance(s.pipeline.slicer, AdaptiveSlicer) and win.opts.window.mode == "adaptive"
    w, h = s.pipeline.width, s.pipeline.height
    assert s.pipeline.slicer.min_events == int(0.05 * w * h) and s.pipeline.slicer.max_events == w * h
    qtbot.waitUntil(lambda: is_adaptive(s.pipeline.latest, 20.0, w, h), timeout=TIMEOUT_MS)
    for _ in range(3):  # frames keep coming (painted), each from an adaptive window
        wait_frames(qtbot, win)
        assert is_adaptive(s.pipeline.latest, 20.0, w, h), s.pipeline.latest
    # a new X applies at once; back to fixed events works too
    win.window_ms.setValue(40.0)
    assert s.pipeline.slicer.window_us == 40_000
    wait_frames(qtbot, win, 2)
    win.window_mode.setCurrentIndex(win.window_mode.findData("events"))
    assert s.pipeline.window_cfg.mode == "events"
    qtbot.waitUntil(lambda: win.last_frame.n_events == 1500, timeout=TIMEOUT_MS)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_adaptive_windows_on_a_looping_replay_with_seeks(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, str(DAVIS["path"]), tiny_model, speed=0.0, loop=True)
    s = win.session
    qtbot.waitUntil(s.range_ready.is_set, timeout=TIMEOUT_MS)
    t0, t1 = s.time_range_us
    wait_frames(qtbot, win)
    win.window_ms.setValue(10.0)
    win.window_mode.setCurrentIndex(win.window_mode.findData("adaptive"))
    assert isinstance(s.pipeline.slicer, AdaptiveSlicer)
    # as fast as possible round the 130 ms loop: 13 windows of ~10 ms a pass, several passes
    seen: list = []
    s.pipeline._on_frame, inner = (lambda fr: (seen.append(fr), inner(fr))), s.pipeline._on_frame
    qtbot.waitUntil(lambda: sum(1 for a, b in zip(seen, seen[1:]) if b.t_us < a.t_us) >= 2, timeout=TIMEOUT_MS)
    assert all(is_adaptive(fr, 10.0, 346, 260) for fr in seen), [(f.t_us - f.t_start_us, f.n_events) for f in seen]
    # each pass ends with its partial window, then starts over at the first event
    assert any(fr.t_start_us == t0 for fr in seen)
    # a seek (running) goes on from there, in adaptive windows
    target = t0 + (t1 - t0) // 2
    win.toggle_pause()
    wait_idle(qtbot, s)
    seen.clear()
    win.seek(target)
    qtbot.waitUntil(lambda: win.last_frame.t_us >= target and s.paused, timeout=TIMEOUT_MS)
    win.toggle_pause()
    qtbot.waitUntil(lambda: len(seen) >= 6, timeout=TIMEOUT_MS)
    assert seen[0].t_start_us >= target and all(is_adaptive(fr, 10.0, 346, 260) for fr in seen)
    assert not math.isnan(float(win.last_frame.image.mean()))
    win.close()
