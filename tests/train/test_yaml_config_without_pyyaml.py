"""A YAML training config in a plain install (no PyYAML) is one line naming the file and the
extra README installs it with (`pip install -e '.[yaml]'`); it named neither."""

from __future__ import annotations

import sys

import pytest

from evfocus_live.errors import ConfigError
from evfocus_live.train.trainer import load_config


def test_yaml_without_pyyaml_names_the_file_and_the_extra(tmp_path, monkeypatch):
    cfg = tmp_path / "my.yaml"
    cfg.write_text("train:\n  steps: 1\n")
    monkeypatch.setitem(sys.modules, "yaml", None)  # an import of it fails, as where it is not installed
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert str(info.value) == (f"{cfg}: YAML configs need PyYAML (pip install -e '.[yaml]', or pip install "
                               "pyyaml); or use TOML")
