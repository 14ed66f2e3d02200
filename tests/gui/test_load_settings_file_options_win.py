"""File > Load settings in a viewer already running a step with options: the file's options
for that step are applied (they lost to the running ones: ksize 3 stayed after loading 5)."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


def test_loaded_step_options_replace_the_running_ones(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    assert win.session.set_post(("median",), {"median": {"ksize": 3}})
    path = tmp_path / "lab.toml"
    path.write_text("version = 1\n[post]\nsteps = [\"median\"]\n[post.options.median]\nksize = 5\n")
    assert win.load_settings_from(path)
    assert win.session.post_cfg.options["median"] == {"ksize": 5}
    assert win.opts.post.options["median"] == {"ksize": 5}
    win.close()
