"""File > Load settings: the viewer saved settings files but could not read one back; now it
applies a file's window, model and post-processing to the running source as the side panel
would (the controls show them). A bad file, or settings the running source refuses, is one
status-bar line naming the file and the key, and nothing of it is applied."""

from __future__ import annotations

import pytest
from gui_support import FRAME_TIMEOUT_MS, make_window, pattern, wait_frames

from evfocus_live.config import WindowConfig

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]

GOOD = """version = 1
[window]
mode = "duration"
window_ms = 25.0
downsample = 2
[post]
steps = ["median"]
[post.options.median]
ksize = 5
"""


def _controls(win):
    return (win.window_mode.currentData(), win.window_ms.value(), win.downsample_combo.currentData(),
            tuple(n for n, cb in win.post_checks.items() if cb.isChecked()))


def _runs(win):
    s = win.session
    return s.window_cfg, s.post_cfg, s.model_cfg


def test_load_applies_the_file_and_the_controls_show_it(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    path = tmp_path / "lab.toml"
    path.write_text(GOOD)
    assert win.load_settings_from(path)
    w, p, _ = _runs(win)
    assert (w.mode, w.window_ms, w.downsample) == ("duration", 25.0, 2)
    assert p.steps == ("median",) and p.options["median"] == {"ksize": 5}
    assert _controls(win) == ("duration", 25.0, 2, ("median",))
    assert (win.opts.window, win.opts.post) == (w, p)
    assert f"settings loaded from {path}" in win.status_log[-1]
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.image.shape == (36, 48),
                    timeout=FRAME_TIMEOUT_MS)
    win.close()


@pytest.mark.parametrize("text, key", [
    ("[window]\nwindow_ms = 40.0\n[post.options.median]\nksz = 5\n", "[post.options.median]"),
    ("[window]\nwindow_ms = 40.0\n[model]\nname = \"evfocsu\"\n", "[model] name"),
    ("[window]\nwindow_ms = 40.0\nwindow_sm = 3\n", "[window] window_sm"),
    ("[window]\nmode = \"timestamps\"\n", "[window] mode"),
])
def test_a_bad_file_is_one_line_naming_it_and_nothing_is_applied(qtbot, tmp_path, tiny_model, text, key):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model,
                      window=WindowConfig(mode="duration", window_ms=20.0))
    wait_frames(qtbot, win)
    before, controls = _runs(win), _controls(win)
    path = tmp_path / "bad.toml"
    path.write_text("version = 1\n" + text)
    assert not win.load_settings_from(path)
    said = win.status_log[-1]
    assert str(path) in said and key in said and "\n" not in said, said
    assert _runs(win) == before and _controls(win) == controls
    win.close()


def test_settings_the_source_refuses_put_back_what_was_switched(qtbot, tmp_path, tiny_model):
    """The window and filters are switched before the model loads; a model that fails to load
    then (a file that is no checkpoint) puts them back."""
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model,
                      window=WindowConfig(mode="duration", window_ms=20.0))
    wait_frames(qtbot, win)
    before, controls = _runs(win), _controls(win)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    path = tmp_path / "lab.toml"
    path.write_text(GOOD + f'[model]\nname = "{junk}"\n')
    assert not win.load_settings_from(path)
    said = win.status_log[-1]
    assert str(path) in said and "[model]" in said and "nothing" not in said.split(str(path))[0], said
    assert _runs(win) == before and _controls(win) == controls
    # an ROI this sensor cannot hold: refused before anything is switched
    path.write_text(GOOD.replace("downsample = 2", "roi = [60, 0, 48, 32]"))
    assert not win.load_settings_from(path)
    assert str(path) in win.status_log[-1] and "[window]" in win.status_log[-1], win.status_log[-1]
    assert _runs(win) == before and _controls(win) == controls
    wait_frames(qtbot, win)  # (still running)
    win.close()


def test_load_with_no_source_running_is_for_the_next_source(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    win.session.stop()
    win.session = None
    path = tmp_path / "lab.toml"
    path.write_text(GOOD)
    assert win.load_settings_from(path)
    assert (win.opts.window.mode, win.opts.window.downsample, win.opts.post.steps) == ("duration", 2, ("median",))
    assert _controls(win) == ("duration", 25.0, 2, ("median",))
    assert win.open_source(pattern(96, 72))
    assert win.session.pipeline.downsample == 2 and win.session.post_cfg.options["median"] == {"ksize": 5}
    win.close()


def test_a_file_that_sets_only_the_precision_keeps_the_model_that_runs(qtbot, tmp_path, tiny_model):
    """(the same name: rebuilt as the precision box rebuilds it, the model given kept, not the
    shipped weights of that name loaded in its place)"""
    from evfocus_live.gui import settings

    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    name = win.session.model_cfg.name
    path = tmp_path / "lab.toml"
    path.write_text('version = 1\n[model]\nprecision = "fp32"\nhalf = false\n')
    assert win.load_settings_from(path), win.status_log
    s = win.session
    assert s.model_cfg.precision == "fp32" and s.model_cfg.name == name and s._given_model
    assert win.opts.model.precision == "fp32" and win.precision_combo.currentData() == "fp32"
    # (kept, as the precision box keeps its choice)
    assert settings.precision(("auto", "fp32", "bf16", "fp16")) == "fp32"
    wait_frames(qtbot, win)
    win.close()
