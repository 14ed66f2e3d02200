"""Help > About named the model but not which evfocus-live wrote its checkpoint (its
``evfocus_version``): weights brought from another install could not be told apart. The model
line now says it; weights without the field (the shipped ones) say nothing of it."""

from __future__ import annotations

import pytest
import torch
from gui_support import make_window, pattern, wait_frames

from evfocus_live.gui.window import about_text
from evfocus_live.nn.registry import load_checkpoint, save_checkpoint


def _loaded(tmp_path, tiny_model, version):
    path = save_checkpoint(tmp_path / "run.pt", tiny_model)
    ck = torch.load(path, weights_only=True)
    if version is None:
        ck.pop("evfocus_version")
    else:
        ck["evfocus_version"] = version
    torch.save(ck, path)
    return load_checkpoint(path)


def _model_line(win):
    return next(line for line in about_text(win.session).splitlines() if line.startswith("model:"))


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("version", ["0.0.7", None], ids=["recorded", "unrecorded"])
def test_about_names_the_version_that_wrote_the_model(qtbot, tmp_path, tiny_model, version):
    win = make_window(qtbot, tmp_path, pattern(), _loaded(tmp_path, tiny_model, version))
    wait_frames(qtbot, win)
    line = _model_line(win)
    if version:
        assert line.endswith("(written by evfocus-live 0.0.7)"), line
    else:
        assert "written by" not in line, line
    win.close()
