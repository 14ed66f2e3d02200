"""`dual_decoder: yes` in a YAML config (the project's loader reads YAML 1.2 booleans, so `yes`
stays a string) or `dual_decoder = "false"` in TOML got past the config check and failed when
the network was built: a line without the file or the table, with the whole config dict in it
(`invalid evfocus config {'dual_decoder': 'yes', 'num_bins': 5}: ...`), after "device auto ->
cpu". Every true/false option, and sigma_dilations, are now checked with the rest of [model]."""

from __future__ import annotations

import pytest

from evfocus_live.errors import ConfigError
from evfocus_live.train.trainer import load_config


@pytest.mark.parametrize("suffix, text, key", [
    (".yaml", "model:\n  arch: evfocus\n  dual_decoder: yes\n", "dual_decoder"),
    (".toml", '[model]\narch = "evfocus"\ndual_decoder = "false"\n', "dual_decoder"),
    (".toml", '[model]\narch = "evfocus"\nsigma_dilations = [1, 0]\n', "sigma_dilations"),
    (".toml", '[model]\narch = "evfocus"\nsigma_dilations = "1, 2"\n', "sigma_dilations"),
])
def test_a_bad_switch_is_named_with_its_file_and_table(tmp_path, suffix, text, key):
    pytest.importorskip("yaml") if suffix == ".yaml" else None
    path = tmp_path / f"my{suffix}"
    path.write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}: [model] {key} must be"), msg
