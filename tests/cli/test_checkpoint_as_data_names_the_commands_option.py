"""``evfocus eval --data final.pt`` said "give it with --model", an option eval does not have
(its models go with ``--models``): the checkpoint given as the recording is now sent to the
option of the command that was run."""

from __future__ import annotations

import pytest


def _checkpoint(path):
    import torch

    torch.save({"arch": "evfocus", "state_dict": {}}, path)
    return path


@pytest.mark.parametrize("argv, option", [
    (["eval", "--data"], "--models"),
    (["reconstruct"], "--model"),
])
def test_the_option_named_is_the_commands(tmp_path, capsys, argv, option):
    from evfocus_live.cli import main

    path = _checkpoint(tmp_path / "final.pt")
    extra = ["-o", str(tmp_path / "out")] if argv == ["reconstruct"] else []
    assert main([*argv, str(path), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is a model checkpoint, not an event recording" in err[0], err
    assert f"give it with {option} (" in err[0], err[0]


def test_the_default_is_put_back_after_eval(tmp_path):
    from evfocus_live.errors import InputError
    from evfocus_live.sources import detect_format, model_option

    path = _checkpoint(tmp_path / "final.pt")
    with model_option("--models"):
        pass
    with pytest.raises(InputError, match="give it with --model "):
        detect_format(path)
