"""The viewer's settings and windows: adaptive windows in ``evfocus-live`` and the side
panel, Open Recent with the last folder, and the window's geometry kept between runs.

Settings never touch the user's own: ``conftest.isolated_settings`` points them at a fresh
folder per test (``EVFOCUS_SETTINGS_DIR``).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from conftest import REAL_FILES, REPO, make_events
from PySide6 import QtCore
from gui_support import make_window, pattern, wait_frames, wait_idle

from evfocus_live.config import PostConfig
from evfocus_live.core.slicing import AdaptiveSlicer
from evfocus_live.gui import app, settings
from evfocus_live.gui.window import MainWindow, ViewerOptions
from evfocus_live.writers.aedat4 import Aedat4Writer

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
    # (the window the worker had in hand at the switch may still come out after it)
    qtbot.waitUntil(lambda: any(is_adaptive(fr, 10.0, 346, 260) for fr in seen), timeout=TIMEOUT_MS)
    seen.clear()
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


# ---------------------------------------------------------------------- 2. Open Recent
def small_recording(path: Path, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with Aedat4Writer(path, 64, 48) as wr:
        wr.write(make_events(20_000, 64, 48, duration_us=200_000, seed=seed))
    return path


def recent_entries(win) -> list[tuple[str, bool]]:
    """The Open Recent menu as a user sees it: (text, enabled), after it was filled for showing."""
    win.recent_menu.aboutToShow.emit()
    return [(a.text(), a.isEnabled()) for a in win.recent_menu.actions() if not a.isSeparator()]


def test_settings_live_in_the_isolated_folder(isolated_settings, monkeypatch):
    assert Path(settings.open_settings().fileName()).parent == isolated_settings
    settings.add_recent_file(isolated_settings / "a.raw")
    assert (isolated_settings / "evfocus-live.ini").is_file()
    # without the variable: Qt's per-user folder, which the fixture moved under the test's folder too
    monkeypatch.delenv(settings.SETTINGS_DIR_ENV)
    assert Path(settings.open_settings().fileName()).is_relative_to(isolated_settings)
    assert settings.recent_files() == []  # (another file: the user's own would be there)


def test_recent_list_is_most_recent_first_unique_and_at_most_8(tmp_path):
    assert settings.recent_files() == []
    for i in range(10):
        settings.add_recent_file(tmp_path / f"r{i}.aedat4")
    names = [Path(p).name for p in settings.recent_files()]
    assert names == [f"r{i}.aedat4" for i in range(9, 1, -1)] and settings.MAX_RECENT == 8
    settings.add_recent_file(tmp_path / "r5.aedat4")  # opened again: to the front, once
    names = [Path(p).name for p in settings.recent_files()]
    assert names[:2] == ["r5.aedat4", "r9.aedat4"] and names.count("r5.aedat4") == 1 and len(names) == 8
    assert all(Path(p).is_absolute() for p in settings.recent_files())
    settings.clear_recent_files()
    assert settings.recent_files() == []


def test_two_viewers_share_the_list_through_the_settings_file(tmp_path):
    """Another process (a second evfocus-live) adds a file; this one's list has it."""
    rec = tmp_path / "other" / "from_elsewhere.aedat4"
    code = ("import sys; from evfocus_live.gui import settings; settings.add_recent_file(sys.argv[1]); "
            "print(settings.open_settings().fileName())")
    out = subprocess.run([sys.executable, "-c", code, str(rec)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, check=True).stdout.strip()
    assert out == settings.open_settings().fileName()  # the same file (the fixture's folder)
    assert settings.recent_files() == [str(rec)] and settings.last_folder() == ""  # (its folder: not made)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_open_recent_in_the_viewer(qtbot, tmp_path, tiny_model, isolated_settings):
    a = small_recording(tmp_path / "a" / "first.aedat4", seed=1)
    b = small_recording(tmp_path / "b" / "second & more.aedat4", seed=2)
    win = make_window(qtbot, tmp_path, str(a), tiny_model)
    assert win.session is not None and not win.session.is_live
    assert win.open_source(str(b)) and win.open_source("sim")  # (a camera is no recent file)
    entries = recent_entries(win)
    assert [t for t, _ in entries] == [f"&1 second && more.aedat4  \u2014  {b.parent}",
                                       f"&2 first.aedat4  \u2014  {a.parent}", "Clear"]
    assert all(ok for _, ok in entries)
    # the same menu is File > Open Recent and the side panel's Recent button
    file_menu = win.menuBar().actions()[0].menu()
    assert win.recent_menu in [a.menu() for a in file_menu.actions()] and win.recent_button.menu() is win.recent_menu
    # choosing one opens it
    win.recent_menu.actions()[1].trigger()
    qtbot.waitUntil(lambda: win.session.source.format == "aedat4" and "first" in win.source_label.text(),
                    timeout=TIMEOUT_MS)
    assert [Path(p).name for p in settings.recent_files()] == ["first.aedat4", "second & more.aedat4"]
    # a file that went away is shown, disabled; opening it anyway says so and keeps the source
    b.unlink()
    entries = recent_entries(win)
    assert entries[1] == (f"&2 second && more.aedat4  \u2014  {b.parent}  (not found)", False)
    assert not win.open_recent(str(b)) and "no longer there" in win.status_log[-1]
    assert "first" in win.source_label.text()
    # Clear empties it (here and in the next viewer)
    [act for act in win.recent_menu.actions() if act.text() == "Clear"][0].trigger()
    assert settings.recent_files() == []
    assert recent_entries(win) == [("(no recent files)", False), ("Clear", False)]
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_open_dialog_starts_in_the_last_folder(qtbot, tmp_path, tiny_model, monkeypatch):
    from PySide6 import QtWidgets

    rec = small_recording(tmp_path / "recs" / "x.aedat4")
    asked: list[str] = []
    answer = {"path": str(rec)}

    def fake_dialog(parent, caption, folder, filt):
        asked.append(folder)
        return answer["path"], filt

    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", fake_dialog)
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    win.open_file_dialog()
    assert asked == [""]  # nothing remembered yet: the current folder
    qtbot.waitUntil(lambda: "x.aedat4" in win.source_label.text(), timeout=TIMEOUT_MS)
    win.open_file_dialog()
    assert asked[-1] == str(rec.parent)
    # a folder chosen for a file that does not open is still where the next dialog starts
    bad = tmp_path / "other" / "broken.aedat4"
    bad.parent.mkdir()
    bad.write_bytes(b"not an event file")
    answer["path"] = str(bad)
    win.open_file_dialog()
    assert "x.aedat4" in win.source_label.text()  # (kept)
    answer["path"] = ""  # cancelled
    win.open_file_dialog()
    assert asked[-1] == str(bad.parent)
    win.close()
    # a new viewer (the next run) starts there too; a folder that is gone: the current one
    win2 = make_window(qtbot, tmp_path, pattern(), tiny_model)
    win2.open_file_dialog()
    assert asked[-1] == str(bad.parent)
    bad.unlink()
    bad.parent.rmdir()
    win2.open_file_dialog()
    assert asked[-1] == ""
    win2.close()


# ---------------------------------------------------------------------- 3. window geometry
#: one viewer run in a subprocess on a 1920x1080 offscreen screen (the tests' own is 800x800,
#: narrower than the window may be, so Qt fits a restored window into it): prints its geometry,
#: optionally moved and resized first, then closes (as a user quits)
GEOMETRY_RUN = """
import json, sys
from PySide6 import QtWidgets
app = QtWidgets.QApplication([])
from evfocus_plugin_pattern import PatternSource
from evfocus_live.gui.session import DirectIntegration
from evfocus_live.gui.window import MainWindow, ViewerOptions
win = MainWindow(ViewerOptions(source=PatternSource(width=96, height=72), model_obj=DirectIntegration(5)))
win.show()
app.processEvents()
if len(sys.argv) > 1:
    win.setGeometry(*map(int, sys.argv[1:]))
    app.processEvents()
g = win.geometry()
print(json.dumps([g.x(), g.y(), g.width(), g.height(), win.window_mode.currentData()]))
win.close()
"""


def viewer_run(tmp_path, *geometry: int) -> list:
    screen = tmp_path / "screen.json"
    screen.write_text(json.dumps({"screens": [{"name": "big", "x": 0, "y": 0, "width": 1920, "height": 1080,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": f"offscreen:configfile={screen}"}
    out = subprocess.run([sys.executable, "-c", GEOMETRY_RUN, *map(str, geometry)], capture_output=True,
                         text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_window_size_and_place_come_back_in_the_next_run(tmp_path):
    assert settings.window_geometry() is None  # (nothing saved yet: the default size)
    assert viewer_run(tmp_path, 150, 120, 1100, 700)[:4] == [150, 120, 1100, 700]
    assert viewer_run(tmp_path) == [150, 120, 1100, 700, "events"]  # (the window mode: not remembered)


@pytest.mark.gui
def test_geometry_is_saved_at_close_and_a_screenshot_run_leaves_it(qtbot, tmp_path, tiny_model, tiny_ckpt):
    assert settings.window_geometry() is None
    win = MainWindow(ViewerOptions(source=pattern(), model_obj=tiny_model, post=PostConfig(steps=())))
    qtbot.addWidget(win)
    win.show()
    win.resize(1000, 700)
    win.window_mode.setCurrentIndex(win.window_mode.findData("duration"))  # (a choice: not remembered)
    win.close()
    saved = settings.window_geometry()
    assert saved is not None
    # a scripted screenshot (--screenshot) has the default size and leaves the saved one be
    win = MainWindow(ViewerOptions(source=pattern(), model_obj=tiny_model, remember_geometry=False))
    qtbot.addWidget(win)
    win.show()
    assert win.size() == QtCore.QSize(1400, 860) and win.window_mode.currentData() == "events"
    win.resize(1200, 500)
    win.close()
    assert settings.window_geometry() == saved
    # evfocus-live --screenshot, as a user (or the README's screenshot script) runs it
    png = tmp_path / "shot.png"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, "-m", "evfocus_live.gui.app", "--camera", "pattern", "--model",
                           str(tiny_ckpt), "--device", "cpu", "--screenshot", str(png), "--exit-after", "2"],
                          env={**env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert cv2.imread(str(png)).shape[:2] == (860, 1400)
    assert settings.window_geometry() == saved


def test_a_damaged_geometry_entry_gives_the_default_size(qtbot, caplog, tiny_model):
    s = settings.open_settings()
    s.setValue("window/geometry", QtCore.QByteArray(b"garbage"))
    s.sync()
    win = MainWindow(ViewerOptions(source=pattern(), model_obj=tiny_model))
    qtbot.addWidget(win)
    assert win.size() == QtCore.QSize(1400, 860)
    assert "saved window geometry is not readable" in caplog.text
    win.close()
