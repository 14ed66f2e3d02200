"""A training run refused at its start (another model's weights for --init, a folder with no
sequences) ended with its one line but left an empty OUT folder behind (`runs/i1`, `runs/e`,
...), which a later look at runs/ took for a run. The folder is now made once the model,
weights and data are taken."""

from __future__ import annotations

import pytest
from train_support import tiny_cfg, tiny_data  # noqa: F401 (a fixture)

from evfocus_live.errors import CheckpointError, InputError
from evfocus_live.nn.registry import build_model, save_checkpoint
from evfocus_live.train.trainer import train

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_init_of_another_model_leaves_no_folder(tiny_data, tmp_path):
    other = save_checkpoint(tmp_path / "other.pt", build_model("firenet", {}), {"step": 1})
    out = tmp_path / "runs" / "i1"
    with pytest.raises(CheckpointError):
        train(tiny_cfg(tiny_data, out), init=str(other), progress=False)
    assert not out.exists()


def test_empty_data_folder_leaves_no_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    out = tmp_path / "runs" / "e"
    with pytest.raises(InputError):
        train(tiny_cfg(tmp_path / "empty", out), progress=False)
    assert not out.exists()
