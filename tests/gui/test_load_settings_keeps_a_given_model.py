"""File > Load settings with no source running dropped a model object given to the viewer
(``ViewerOptions.model_obj``) for any model setting the file changed, a precision alone
included: the next source loaded the config's name in its place (the shipped weights, or none),
where a running source's rebuild keeps the object. Only another model name drops it now."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


def test_a_precision_loaded_with_no_source_keeps_the_model_given(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    win.session.stop()
    win.session = None  # (as after a source that failed)
    path = tmp_path / "lab.toml"
    path.write_text('version = 1\n[model]\nprecision = "fp32"\n')
    assert win.load_settings_from(path), win.status_log
    assert win.opts.model_obj is tiny_model and win.opts.model.precision == "fp32"
    assert win.open_source(pattern(96, 72))
    s = win.session
    assert s._given_model and s.model_cfg.precision == "fp32" and not s.model_cfg.half
    wait_frames(qtbot, win)
    win.close()
