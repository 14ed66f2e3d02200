"""A model plugin's ``config["num_bins"]`` (the voxel bins it takes) out of the contract: one
line naming the plugin when it is loaded, not a traceback (None: an ``int()`` TypeError; 0: a
ValueError from the voxel kernel), silently 2 bins (2.5) or gigabytes of voxel grid (10**6)."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import numpy as np
import pytest
import torch

from evfocus_live.errors import CheckpointError
from evfocus_live.plugins import MODELS
from plugin_support import _with_extra

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class BinsNet(torch.nn.Module):
    """A model plugin whose config says ``num_bins = BINS``."""
    BINS = 5

    def __init__(self):
        super().__init__()
        self.config = {"num_bins": self.BINS}

    def reset_states(self):
        pass

    def forward(self, voxel):
        return {"image": torch.sigmoid(voxel.sum(1, keepdim=True))}


def bins_factory(name, device):
    return BinsNet().to(device)


@pytest.mark.parametrize("bins", [None, 0, 2.5, 10**6, "5", True])
def test_a_model_plugin_with_bad_num_bins_is_one_line_at_load(monkeypatch, bins):
    from evfocus_live.nn.registry import load_model
    _with_extra(monkeypatch, [EntryPoint("binsnet", "test_plugin_model_bins:bins_factory", MODELS)])
    monkeypatch.setattr(BinsNet, "BINS", bins)
    with pytest.raises(CheckpointError) as ei:
        load_model("binsnet", "cpu")
    msg = str(ei.value)
    assert "binsnet" in msg and "num_bins" in msg and repr(bins) in msg and "\n" not in msg, msg


@pytest.mark.parametrize("bins", [3, 3.0, np.int64(7)])
def test_a_model_plugin_with_whole_num_bins_loads(monkeypatch, bins):
    from evfocus_live.nn.registry import load_model, model_num_bins
    _with_extra(monkeypatch, [EntryPoint("binsnet", "test_plugin_model_bins:bins_factory", MODELS)])
    monkeypatch.setattr(BinsNet, "BINS", bins)
    assert model_num_bins(load_model("binsnet", "cpu")) == int(bins)


def test_reconstruct_with_a_none_num_bins_plugin_exits_2(monkeypatch, tmp_path, capsys):
    from conftest import make_events

    from evfocus_live.cli import main as cli_main
    _with_extra(monkeypatch, [EntryPoint("binsnet", "test_plugin_model_bins:bins_factory", MODELS)])
    monkeypatch.setattr(BinsNet, "BINS", None)
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(5_000, width=64, height=48, duration_us=100_000))
    rc = cli_main(["reconstruct", str(rec), "-o", str(tmp_path / "out"), "--model", "binsnet", "--device", "cpu",
                   "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "binsnet" in err and "num_bins" in err and "Traceback" not in err, err
