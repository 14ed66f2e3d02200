"""A settings file's ``[model] precision`` is the viewer's choice (auto | fp32 | bf16 | fp16),
as ``--precision`` reads it: ``ModelConfig`` keeps fp16 as ``precision = "fp32"`` with
``half``, whose default is true, so a hand-written ``precision = "fp32"`` ran fp16 on a GPU."""
import pytest

from evfocus_live.config_file import load_settings
from evfocus_live.errors import ConfigError
from evfocus_live.gui.precision import precision_choice


@pytest.mark.parametrize("choice", ["auto", "fp32", "bf16", "fp16"])
def test_a_written_precision_runs_as_chosen(tmp_path, choice):
    path = tmp_path / "lab.toml"
    path.write_text(f'version = 1\n[model]\nprecision = "{choice}"\n')
    settings = load_settings(path)
    assert precision_choice(settings.model) == choice
    assert settings.has("model", "half")  # (so it replaces what the command line's config had)


def test_fp32_is_not_half(tmp_path):
    path = tmp_path / "lab.toml"
    path.write_text('version = 1\n[model]\nprecision = "fp32"\n')
    assert load_settings(path).model.half is False


def test_an_explicit_half_is_kept(tmp_path):
    path = tmp_path / "lab.toml"
    path.write_text('version = 1\n[model]\nprecision = "fp32"\nhalf = true\n')
    assert precision_choice(load_settings(path).model) == "fp16"


def test_an_unknown_precision_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "lab.toml"
    path.write_text('version = 1\n[model]\nprecision = "fp8"\n')
    with pytest.raises(ConfigError, match="lab.toml"):
        load_settings(path)
