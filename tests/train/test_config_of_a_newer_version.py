"""A training config written for a newer evfocus-live (a section, key, model option or
architecture this install does not have) was refused with the known keys listed, as if it held
a typo: the line now asks whether it is a newer version's and says to upgrade. A typo still gets
its suggestion, without that question."""

from __future__ import annotations

import pytest

from evfocus_live.errors import ConfigError
from evfocus_live.train.trainer import normalize_config

NEWER = "a config for a newer evfocus-live? upgrade evfocus-live"


@pytest.mark.parametrize("cfg", [
    {"model": {"arch": "evfocus"}, "schedule": {"warm": 1}},
    {"model": {"arch": "evfocus"}, "train": {"keep_best": True}},
    {"model": {"arch": "evfocus", "attention_heads": 4}},
    {"model": {"arch": "spiking_unet"}},
], ids=["section", "key", "model option", "arch"])
def test_a_newer_versions_config_says_upgrade(cfg):
    with pytest.raises(ConfigError) as err:
        normalize_config(cfg, "lab.toml")
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("lab.toml: ") and NEWER in msg, msg


@pytest.mark.parametrize("cfg", [
    {"model": {"arch": "evfocus"}, "data": {"batch_sise": 2}},
    {"model": {"arch": "evfocus", "dual_decodr": True}},
    {"model": {"arch": "evfocs"}},
], ids=["key", "model option", "arch"])
def test_a_typo_is_not_called_newer(cfg):
    with pytest.raises(ConfigError) as err:
        normalize_config(cfg, "lab.toml")
    assert "newer" not in str(err.value), str(err.value)
