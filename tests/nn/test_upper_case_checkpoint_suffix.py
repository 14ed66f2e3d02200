"""A checkpoint named in capitals (MODEL.PT: copied from a Windows share or a FAT stick) that
is not there was "unknown model 'MODEL.PT': use one of e2vid, ...", not "checkpoint not found"
as for model.pt."""

from __future__ import annotations

import pytest

from evfocus_live.errors import EvFocusError
from evfocus_live.nn.registry import load_model


@pytest.mark.parametrize("name", ["FEHLT.PT", "Fehlt.Pth"])
def test_missing_upper_case_checkpoint_said_as_a_checkpoint(name):
    with pytest.raises(EvFocusError, match=f"checkpoint not found: {name}"):
        load_model(name, "cpu")


def test_eval_labels_a_capitalised_checkpoint_as_a_checkpoint():
    from evfocus_live.train.evaluate import model_labels
    assert model_labels(["runs/lab1/final.PT", "x/MEIN_NETZ.PT"]) == ["lab1", "MEIN_NETZ"]
