"""Configs hold their fields in the plain kind the code reading them assumes.

The kind checks took a ``Path`` as ``ModelConfig.name`` (and ``SourceConfig.spec``,
``WindowConfig.timestamps_path``) but kept the Path: saving those settings was an
AttributeError ('PosixPath' object has no attribute 'endswith') and errors named the model
``PosixPath('...')``. They refused a ``torch.device`` as ``ModelConfig.device`` (what torch code
hands about; ``resolve_device`` always took one) and numpy's bool as a flag (``loop=mask.any()``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from evfocus_live.config import ModelConfig, PostConfig, SourceConfig, WindowConfig
from evfocus_live.config_file import load_settings, save_settings
from evfocus_live.errors import ConfigError


def test_paths_are_kept_as_their_str():
    assert ModelConfig(name=Path("models/firenet.pt")).name == "models/firenet.pt"
    assert type(ModelConfig(name=Path("m.pt")).name) is str
    assert type(SourceConfig(spec=Path("rec.aedat4")).spec) is str
    assert type(WindowConfig(mode="timestamps", timestamps_path=Path("t.txt")).timestamps_path) is str


def test_settings_of_a_path_model_are_saved_and_read_back(tmp_path):
    ckpt = tmp_path / "mine.pt"
    path = save_settings(tmp_path / "s.toml", WindowConfig(), ModelConfig(name=ckpt), PostConfig())
    assert load_settings(path).model.name == str(ckpt)


@pytest.mark.parametrize("device", [torch.device("cpu"), torch.device("cuda", 1)])
def test_a_torch_device_is_taken_by_its_name(device):
    assert ModelConfig(device=device).device == str(device)


def test_numpy_bools_are_taken_as_bools():
    cfg = SourceConfig(loop=np.bool_(True))
    assert cfg.loop is True
    assert ModelConfig(half=np.False_).half is False
    assert WindowConfig(timestamps_aps=np.False_).timestamps_aps is False


@pytest.mark.parametrize("make", [lambda: ModelConfig(half=np.int64(1)), lambda: ModelConfig(device=Path("cpu")),
                                  lambda: SourceConfig(loop=1)])
def test_other_kinds_are_still_refused(make):
    with pytest.raises(ConfigError):
        make()
