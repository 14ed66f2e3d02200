"""File > Load settings of a file naming a compare model that does not load (a checkpoint moved
since, a plugin not installed here) ran on without it, said, and wrote "none" over the "vs" box's
pick remembered for the next launch: the user's own choice was erased by a file they could not
use. The remembered pick changes only where the file's compare model runs (or the file says none)."""

from __future__ import annotations

import pytest
from model_fallback_support import comparing_window
from evfocus_live.gui import settings


@pytest.fixture
def win(qtbot, tmp_path, tiny_model, one_torch_thread):
    w = comparing_window(qtbot, tmp_path, tiny_model, "firenet")
    assert settings.compare() == "firenet"
    yield w
    w.close()


@pytest.mark.gui
def test_a_compare_model_that_does_not_load_keeps_the_pick(win, tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    path = tmp_path / "lab.toml"
    path.write_text(f'version = 1\n[model]\ncompare = "{bad}"\n')
    assert win.load_settings_from(path)
    assert win.session.pipeline.compare is None  # (said, and run without, as before)
    assert any("bad.pt" in m and "comparing with none" in m for m in win.status_log), win.status_log[-4:]
    assert settings.compare() == "firenet"


@pytest.mark.gui
@pytest.mark.parametrize("named, kept", [("e2vid", "e2vid"), ("none", "none")])
def test_a_compare_model_that_runs_or_none_is_remembered(win, tmp_path, named, kept):
    path = tmp_path / "lab.toml"
    path.write_text(f'version = 1\n[model]\ncompare = "{named}"\n')
    assert win.load_settings_from(path)
    assert settings.compare() == kept
