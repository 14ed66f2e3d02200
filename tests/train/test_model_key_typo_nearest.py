"""A hand-edited fine-tuning config with ``[model] sigma_haed = 16``: ``[data]``'s typos named
the nearest key (``bach_size (did you mean batch_size?)``), ``[model]``'s only listed the 15
options of the architecture. The nearest is named first now, the list kept."""

from __future__ import annotations

import pytest

from evfocus_live.errors import ConfigError
from evfocus_live.train.trainer import normalize_config


def test_a_model_key_typo_names_the_nearest_option(tmp_path):
    with pytest.raises(ConfigError) as err:
        normalize_config({"model": {"arch": "evfocus", "sigma_haed": 16}, "data": {"train": str(tmp_path)}})
    assert "sigma_haed is not an option of evfocus (did you mean sigma_head? known: base," in str(err.value)


def test_a_key_far_from_every_option_keeps_the_list(tmp_path):
    with pytest.raises(ConfigError) as err:
        normalize_config({"model": {"arch": "evfocus", "wibble": 1}, "data": {"train": str(tmp_path)}})
    assert "wibble is not an option of evfocus (known: base," in str(err.value)
