"""A file written by ``torch.save`` that holds no model weights (events saved as a tensor, or a
dict of tensors) was called "a model checkpoint ... give it with --model", sending its owner to
an option that refuses it. It is now named as a PyTorch file of no model, with the way to
save events that are read. A checkpoint, or a bare state_dict, is still named a checkpoint."""

from __future__ import annotations

import pytest
import torch

from evfocus_live.errors import InputError
from evfocus_live.sources import detect_format


def _refusal(path) -> str:
    with pytest.raises(InputError) as err:
        detect_format(path)
    return str(err.value)


@pytest.mark.parametrize("events", [
    torch.zeros((10, 4), dtype=torch.int64),
    {"t": torch.arange(10), "x": torch.zeros(10), "y": torch.zeros(10), "p": torch.ones(10)},
], ids=["tensor", "dict"])
def test_events_saved_by_torch(tmp_path, events):
    path = tmp_path / "rec.pt"
    torch.save(events, path)
    why = _refusal(path)
    assert "checkpoint" not in why and "--model" not in why
    assert "torch.save" in why and ".npy" in why


def test_a_bare_state_dict_is_still_a_checkpoint(tmp_path):
    path = tmp_path / "weights.pt"
    torch.save(torch.nn.Conv2d(2, 2, 3).state_dict(), path)
    assert "is a model checkpoint" in _refusal(path)
