"""`evfocus train runs/my/last.pt --resume` (the checkpoint where the config goes) said
"cannot parse config ('utf-8' codec can't decode byte 0x80 ...)": it must say that this is a
checkpoint and how a checkpoint is passed."""

from __future__ import annotations

import pytest
import torch

from evfocus_live.errors import ConfigError
from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import save_checkpoint
from evfocus_live.train.trainer import load_config


@pytest.mark.parametrize("name", ["last.pt", "weights.pth", "renamed.toml"])
def test_a_checkpoint_given_as_the_config_is_named_so(tmp_path, name):
    torch.manual_seed(0)
    ck = save_checkpoint(tmp_path / "ck.pt", EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)))
    path = tmp_path / name
    path.write_bytes(ck.read_bytes())
    with pytest.raises(ConfigError) as err:
        load_config(path)
    msg = str(err.value)
    assert "a model checkpoint, not a training config" in msg and "--init" in msg and "--resume" in msg
    assert "codec" not in msg and "\n" not in msg
