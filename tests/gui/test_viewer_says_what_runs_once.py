"""The viewer's terminal said what runs in the model loader's "device auto -> cpu" and the
runtime's "inference backend eager under bf16 autocast ..." (again at each source switch).
Those are DEBUG now; the viewer says "running ... on DEVICE in PRECISION" once, at the first
model (the status bar and the About box say it after a switch)."""

from __future__ import annotations

import logging

import pytest
from cli_support import write_aedat4
from gui_support import make_window, wait_frames

from evfocus_live.nn import registry

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_what_runs_is_said_once_across_a_switch(qtbot, tmp_path, tiny_model, caplog, monkeypatch):
    monkeypatch.setattr(registry, "_DEVICE_LOGGED", set())
    a, b = write_aedat4(tmp_path / "a.aedat4"), write_aedat4(tmp_path / "b.aedat4")
    with caplog.at_level(logging.INFO):
        win = make_window(qtbot, tmp_path, str(a), tiny_model, speed=0.0)
        wait_frames(qtbot, win)
        assert win.open_source(str(b))
        wait_frames(qtbot, win)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO
            and r.getMessage().startswith(("device auto", "inference backend eager", "running "))]
    assert said == [f"running {win.session.model_cfg.name} on cpu in {win.session.pipeline.runner.precision}"], said
