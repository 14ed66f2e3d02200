"""File > Load settings refused by the running source cleared the session's whole message queue
to say the refusal once: a warning the reader thread had queued (a camera's broken clock, a RAW
file's clock reset), before the load or during its seconds-long model load, never reached the
status bar. Only the refusal's own errors are folded into the one line now; the source's
warnings are shown before it."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.config import WindowConfig

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]

QUEUED = "camera clock went backwards by 3 ms: events reordered"
DURING = "RAW clock reset at packet 12: timestamps continue from the last"


def test_a_refused_load_shows_the_source_warnings_queued_meanwhile(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model,
                      window=WindowConfig(mode="duration", window_ms=20.0))
    wait_frames(qtbot, win)
    s = win.session
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    path = tmp_path / "lab.toml"
    path.write_text(f'version = 1\n[window]\nwindow_ms = 25.0\n[model]\nname = "{junk}"\n')
    real = s.set_model_config

    def load_while_the_reader_warns(cfg):
        s.messages.append(("warning", DURING))  # (as the reader thread's on_warning appends it)
        return real(cfg)

    s.set_model_config = load_while_the_reader_warns
    s.messages.append(("warning", QUEUED))  # (queued since the last tick)
    assert not win.load_settings_from(path)
    log = win.status_log
    assert QUEUED in log and DURING in log, log[-4:]
    said = log[-1]
    assert str(path) in said and "[model]" in said and "no settings loaded" in said, said
    assert s.window_cfg.window_ms == 20.0  # (put back)
    win.close()
