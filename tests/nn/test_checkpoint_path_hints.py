"""A checkpoint path researchers get slightly wrong (`--model runs/my`, the run folder, or a
typo `runs/my/finl.pt`) is refused in one line that names the checkpoint meant, not just
"checkpoint not found"."""

from __future__ import annotations

import pytest
import torch

from evfocus_live.errors import CheckpointError
from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import load_model, save_checkpoint


@pytest.fixture
def run(tmp_path):
    run = tmp_path / "runs" / "my"
    run.mkdir(parents=True)
    torch.manual_seed(0)
    net = EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1))
    save_checkpoint(run / "final.pt", net)
    save_checkpoint(run / "last.pt", net)
    return run


def test_a_run_folder_names_its_checkpoints(run):
    with pytest.raises(CheckpointError) as err:
        load_model(str(run), "cpu")
    msg = str(err.value)
    assert "a folder" in msg and str(run / "final.pt") in msg and str(run / "last.pt") in msg
    assert "\n" not in msg


def test_a_typo_suggests_the_file_beside_it(run):
    with pytest.raises(CheckpointError, match=r"did you mean .*final\.pt\?"):
        load_model(str(run / "finl.pt"), "cpu")
    with pytest.raises(CheckpointError, match=r"did you mean .*final\.pt\?"):
        load_model(str(run / "final"), "cpu")  # the suffix left out


def test_nothing_alike_is_plain_not_found(run):
    with pytest.raises(CheckpointError) as err:
        load_model(str(run / "zzz.pt"), "cpu")
    assert "did you mean" not in str(err.value)
