"""The "vs" box's remembered compare model, read at the next launch, is left out where it is the
model that launch runs (``evfocus-live --model e2vid`` after comparing with e2vid): the viewer
ran e2vid beside itself, each window twice for the same picture, half the frame rate ("the two
models cannot keep up"), with no word of it (the warning ``--compare`` gets is said before the
remembered choice is read)."""

from __future__ import annotations

import pytest
from viewer_launch_support import launched_with

from evfocus_live.gui import settings


@pytest.mark.gui
def test_a_remembered_compare_that_is_the_model_is_left_out(monkeypatch, caplog):
    settings.save_compare("e2vid")
    caplog.set_level("INFO", logger="evfocus_live.gui")
    opts = launched_with(monkeypatch, "--model", "e2vid", "--device", "cpu")
    assert opts.model.name == "e2vid" and opts.model.compare is None
    assert any("e2vid" in r.getMessage() and "the model itself" in r.getMessage() for r in caplog.records)
    assert settings.compare() == "e2vid"  # (kept: the next launch with another model compares with it)
    opts = launched_with(monkeypatch, "--model", "evfocus", "--device", "cpu")
    assert opts.model.compare == "e2vid"


@pytest.mark.gui
def test_the_same_weights_by_their_file_are_the_model_too(monkeypatch):
    from evfocus_live.nn.registry import SHIPPED, models_dir

    settings.save_compare(str(models_dir() / SHIPPED["e2vid"]))
    assert launched_with(monkeypatch, "--model", "e2vid", "--device", "cpu").model.compare is None
