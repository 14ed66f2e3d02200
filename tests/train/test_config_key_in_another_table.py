"""A training config's key put under the wrong table (``batch_size`` under [train]): the error
said "unknown key" and listed the table's own keys, none of which it was; it now names the
table the key belongs to."""

from __future__ import annotations

import pytest

from evfocus_live.errors import ConfigError
from evfocus_live.train.trainer import normalize_config


@pytest.mark.parametrize("table, key, home", [("train", "batch_size", "data"), ("data", "steps", "train"),
                                              ("augment", "lr", "train")])
def test_a_key_under_another_table_names_its_table(table, key, home):
    with pytest.raises(ConfigError) as err:
        normalize_config({"model": {"arch": "evfocus"}, table: {key: 1}}, "my.toml")
    msg = str(err.value)
    assert f"unknown key(s) in [{table}]: {key}" in msg and f"{key} is a [{home}] key" in msg, msg


def test_a_typo_still_gets_its_suggestion():
    with pytest.raises(ConfigError, match=r"did you mean batch_size\?"):
        normalize_config({"model": {"arch": "evfocus"}, "data": {"batch_sise": 2}}, "my.toml")
