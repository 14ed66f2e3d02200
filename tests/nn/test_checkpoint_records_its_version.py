"""A checkpoint did not record which evfocus-live wrote it, so one from a newer install was
refused with a guess ("saved by a newer evfocus-live?"). ``save_checkpoint`` now writes
``evfocus_version``; a newer file's refusal names both versions, a newer file that loads still
loads, an old file without the key loads as before, and the model card says the version."""

from __future__ import annotations

import pytest
import torch
from runtime_support import edited_checkpoint

from evfocus_live import __version__
from evfocus_live.errors import CheckpointError
from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import load_checkpoint, read_checkpoint, save_checkpoint
from evfocus_live.train.card import main as card_main

_saved = edited_checkpoint


def test_a_checkpoint_records_the_version_that_wrote_it(tmp_path):
    path = _saved(tmp_path)
    assert read_checkpoint(path)["evfocus_version"] == __version__
    assert load_checkpoint(path).evfocus_version == __version__


@pytest.mark.parametrize("edit", [lambda ck: ck["config"].update(future_option=3),
                                  lambda ck: ck.update(arch="evfocus2"),
                                  lambda ck: ck["state_dict"].update(new_head=torch.zeros(3))],
                         ids=["option", "arch", "weights"])
def test_a_newer_versions_refusal_names_both_versions(tmp_path, edit):
    path = _saved(tmp_path, lambda ck: (edit(ck), ck.update(evfocus_version="9.1.0")))
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    msg = str(info.value)
    assert "\n" not in msg and str(path) in msg
    assert f"written by evfocus-live 9.1.0, this is {__version__}: upgrade evfocus-live to load it" in msg, msg
    assert "?" not in msg


def test_a_newer_versions_file_that_loads_is_loaded(tmp_path):
    path = _saved(tmp_path, lambda ck: ck.update(evfocus_version="9.1.0"))
    assert load_checkpoint(path).evfocus_version == "9.1.0"


def test_an_old_file_without_the_version_loads(tmp_path):
    path = _saved(tmp_path, lambda ck: ck.pop("evfocus_version"))
    assert load_checkpoint(path).evfocus_version is None


def test_the_model_card_says_the_version(tmp_path, monkeypatch):
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "mymodels"))
    torch.manual_seed(0)
    run = tmp_path / "final.pt"
    save_checkpoint(run, EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)), {"step": 2})
    assert card_main(["mine", str(run)]) == 0
    card = (tmp_path / "mymodels" / "mine.md").read_text()
    assert f"- written by evfocus-live {__version__}" in card
    assert read_checkpoint(tmp_path / "mymodels" / "mine.pt")["evfocus_version"] == __version__
