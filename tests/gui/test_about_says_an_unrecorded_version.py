"""Help > About named the evfocus-live that wrote the model's checkpoint where it was recorded,
and said nothing at all otherwise: a wrapped model without ``evfocus_version`` (a plugin's, a
checkpoint from before the field) read the same as one with nothing to say. It says "version
not recorded" now, and the shipped weights (whose files record none) say they came with this
install."""

from __future__ import annotations

import pytest
import torch
from gui_support import make_window, pattern, wait_frames

from evfocus_live.gui.window import about_text


class _Wrapped(torch.nn.Module):
    """A plugin-style wrapper around a model: the contract, none of the inner model's attributes."""

    def __init__(self, inner):
        super().__init__()
        self.inner, self.config = inner, dict(inner.config)

    def reset_states(self):
        self.inner.reset_states()

    def forward(self, voxel):
        return self.inner(voxel)


def _model_line(win):
    return next(line for line in about_text(win.session).splitlines() if line.startswith("model:"))


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("shipped", [False, True], ids=["wrapped", "shipped"])
def test_about_says_what_is_known_of_the_models_version(qtbot, tmp_path, tiny_model, shipped):
    model = _Wrapped(tiny_model)
    if shipped:
        model.evfocus_shipped = "evfocus"  # (as load_shipped marks it: tested below without a window)
    win = make_window(qtbot, tmp_path, pattern(), model)
    wait_frames(qtbot, win)
    line = _model_line(win)
    said = "(shipped with this evfocus-live)" if shipped else "(evfocus-live version not recorded)"
    assert line.endswith(said), line
    win.close()


def test_the_shipped_weights_are_marked_as_shipped():
    from evfocus_live.nn.registry import load_model

    model = load_model("evfocus")
    assert model.evfocus_version is None and model.evfocus_shipped == "evfocus"
