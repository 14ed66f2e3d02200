"""``evfocus-live runs/my/final.pt`` or ``evfocus reconstruct lab.toml -o out`` (the positional
taken for the model or the settings) said "unknown event file format (supported: ...)", which
named neither the mix-up nor the option to use. Such a file is now named for what it is."""

from __future__ import annotations

import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import detect_format


def _checkpoint(path):
    import torch

    torch.save({"arch": "evfocus", "state_dict": {}}, path)
    return path


@pytest.mark.parametrize("name", ["final.pt", "weights.pth", "model.bin"])
def test_a_checkpoint_is_named_as_one(tmp_path, name):
    path = _checkpoint(tmp_path / name)
    with pytest.raises(InputError) as err:
        detect_format(path)
    assert str(err.value) == (f"{path}: is a model checkpoint, not an event recording: give it with --model "
                              "(evfocus info describes it)")


@pytest.mark.parametrize("name", ["lab.toml", "my.yaml"])
def test_a_config_is_named_as_one(tmp_path, name):
    path = tmp_path / name
    path.write_text("[window]\nwindow_ms = 33\n")
    with pytest.raises(InputError) as err:
        detect_format(path)
    assert f"{path}: is a settings or training config, not an event recording" in str(err.value)
    assert "--config" in str(err.value)


def test_reconstruct_says_it_in_one_line(tmp_path, capsys):
    from evfocus_live.cli import main

    path = _checkpoint(tmp_path / "final.pt")
    assert main(["reconstruct", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is a model checkpoint, not an event recording" in err[0], err
    assert not (tmp_path / "out").exists()


def test_other_unknown_files_are_unchanged(tmp_path):
    path = tmp_path / "notes.bin"
    path.write_bytes(b"\x00\x01 nothing known")
    with pytest.raises(InputError, match="unknown event file format"):
        detect_format(path)
