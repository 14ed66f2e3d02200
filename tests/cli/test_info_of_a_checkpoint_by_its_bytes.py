"""``evfocus info last.ckpt`` (or a checkpoint saved without a suffix) said "unknown event file
format": only ``.pt``/``.pth`` names were described as checkpoints. torch's files are told by
their bytes too (its zip holds a ``data.pkl``; an ``.npz`` of events holds ``.npy`` files)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from evfocus_live.cli import main


@pytest.mark.parametrize("name, legacy", [("last.ckpt", False), ("weights", False), ("old_weights", True)])
def test_a_checkpoint_without_a_pt_name(tmp_path, capsys, name, legacy):
    path = tmp_path / name
    torch.save({"arch": "e2vid", "config": {}, "state_dict": {"w": torch.zeros(3)}, "meta": {"step": 4}}, path,
               _use_new_zipfile_serialization=not legacy)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "format      evfocus-live checkpoint" in out and "trained     4 steps" in out


def test_an_npz_of_events_is_still_events(tmp_path, capsys):
    path = tmp_path / "ev.npz"
    np.savez(path, t=np.arange(3), x=np.zeros(3), y=np.zeros(3), p=np.ones(3))
    assert main(["info", str(path)]) == 0
    assert "format      npz" in capsys.readouterr().out
