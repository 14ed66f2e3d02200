"""`evfocus train --resume` of a last.pt written by a newer evfocus-live (its
``evfocus_version``): a tensor it added was refused as "a checkpoint of a different model ...
use another --out or drop --resume", an optimiser it changed as "[train] trainable changed
(was None, now None)", and a [model] option it added was dropped without a word and the run
went on. Each now names both versions and says to upgrade, as the other loaders do."""

from __future__ import annotations

import os
import shutil

import pytest
import torch
from train_support import tiny_cfg, tiny_data  # noqa: F401 (a fixture)

from evfocus_live import __version__
from evfocus_live.errors import CheckpointError
from evfocus_live.train.trainer import train

pytestmark = pytest.mark.usefixtures("one_torch_thread")

EDITS = {
    "tensor": lambda ck: ck["state_dict"].update({"future.weight": torch.zeros(2)}),
    "option": lambda ck: ck["config"].update(future_option=3),
    "arch": lambda ck: ck.update(arch="evfocus2"),
    "optimiser": lambda ck: ck["optimizer"]["param_groups"][0].update(params=[0]),
}


@pytest.fixture(scope="module")
def run_dir(tiny_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("newer") / "run"
    train(tiny_cfg(tiny_data, out, steps=2), progress=False)
    return out


def _edited(run_dir, tmp_path, edit, version):
    out = tmp_path / "run"
    shutil.copytree(run_dir, out)
    ck = torch.load(out / "last.pt", weights_only=True)
    EDITS[edit](ck)
    if version is not None:
        ck["evfocus_version"] = version
    torch.save(ck, out / "last.pt.tmp")
    os.replace(out / "last.pt.tmp", out / "last.pt")
    return out


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_newer_last_pt_names_both_versions(run_dir, tiny_data, tmp_path, edit):
    out = _edited(run_dir, tmp_path, edit, "9.0.0")
    with pytest.raises(CheckpointError) as info:
        train(tiny_cfg(tiny_data, out, steps=3), resume=True, progress=False)
    msg = str(info.value)
    assert "\n" not in msg and str(out / "last.pt") in msg
    assert f"written by evfocus-live 9.0.0, this is {__version__}: upgrade evfocus-live to resume it" in msg, msg
    assert "drop --resume" not in msg and "trainable changed" not in msg, msg


def test_an_unversioned_file_with_an_unknown_option_keeps_the_guess(run_dir, tiny_data, tmp_path):
    out = _edited(run_dir, tmp_path, "option", None)
    with pytest.raises(CheckpointError, match=r"future_option: file 3.*saved by a newer evfocus-live\? upgrade"):
        train(tiny_cfg(tiny_data, out, steps=3), resume=True, progress=False)


def test_an_older_versions_different_model_keeps_its_advice(run_dir, tiny_data, tmp_path):
    out = _edited(run_dir, tmp_path, "tensor", "0.0.1")
    with pytest.raises(CheckpointError, match="different model.*drop --resume"):
        train(tiny_cfg(tiny_data, out, steps=3), resume=True, progress=False)


def test_a_newer_last_pt_that_fits_resumes(run_dir, tiny_data, tmp_path):
    out = _edited(run_dir, tmp_path, "tensor", "9.0.0")
    ck = torch.load(out / "last.pt", weights_only=True)
    ck["state_dict"].pop("future.weight")
    torch.save(ck, out / "last.pt")
    assert train(tiny_cfg(tiny_data, out, steps=3), resume=True, progress=False)["step"] == 3
