"""File > Save settings: the viewer writes the window, model and post-processing that run to a
settings file that ``evfocus reconstruct --config`` and ``evfocus-live --config`` read back
(the viewer kept none of them, and nothing carried them to the commands); a folder it cannot
write to is said on the status bar, not raised."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

import evfocus_live.config_file as config_file
from evfocus_live.config import WindowConfig
from evfocus_live.config_file import load_settings

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.gui
def test_the_viewer_saves_what_runs_and_the_commands_read_it(qtbot, tmp_path, tiny_model, monkeypatch):
    from evfocus_live.gui.app import _configs, build_parser

    win = make_window(qtbot, tmp_path, pattern(), tiny_model, post=("auto_hdr",),
                      window=WindowConfig(mode="duration", window_ms=25.0, downsample=2))
    wait_frames(qtbot, win)
    path = win.save_settings_to(tmp_path / "lab.toml")
    s = win.session
    got = load_settings(path)
    assert (got.window, got.model, got.post) == (s.window_cfg, s.model_cfg, s.post_cfg)
    assert any("settings saved to" in m for m in win.status_log), win.status_log
    argv = ["--config", str(path)]
    args = build_parser().parse_args(argv)
    args._argv = argv
    _, w, m, p = _configs(args)
    assert (w, m, p) == (s.window_cfg, s.model_cfg, s.post_cfg)

    def read_only(*a, **kw):  # (the tests run as root, whom a chmod does not stop)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(config_file, "open", read_only, raising=False)
    assert win.save_settings_to(tmp_path / "ro.toml") is None
    assert "cannot save settings to" in win.status_log[-1] and "Permission denied" in win.status_log[-1]
    win.close()
