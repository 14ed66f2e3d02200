"""``evfocus train my.toml --data runs/a/final.pt`` (a checkpoint where the training data goes,
meaning to start from it) failed with h5py's "not a simulator sequence with /frames (file
signature not found)", which named no way on: it now says it is a checkpoint, and that --init
takes one, whatever the file's name (torch.save's zip)."""

from __future__ import annotations

import shlex

import pytest
import torch

from evfocus_live.errors import InputError
from evfocus_live.train.dataset import list_sequences


@pytest.mark.parametrize("name", ["final.pt", "weights.pth", "my run.ckpt", "renamed.h5"])
def test_a_checkpoint_given_as_data_points_to_init(tmp_path, name):
    path = tmp_path / name
    torch.save({"state_dict": {"w": torch.zeros(2)}, "config": {}}, path)
    with pytest.raises(InputError) as exc:
        list_sequences(path)
    msg = str(exc.value)
    assert "model checkpoint" in msg and f"--init {shlex.quote(str(path))}" in msg


def test_a_simulator_sequence_is_still_taken(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "seq_00000.h5"
    with h5py.File(path, "w") as f:
        f.attrs["width"] = 4
    assert list_sequences(path) == [path]
