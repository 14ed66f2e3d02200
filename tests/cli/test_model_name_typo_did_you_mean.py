"""A mistyped model name (`evfocus eval --models evfocsu`, `--model e2vd` in the viewer and
`reconstruct`) listed every name but did not say which was meant, where `train --init evfocsu`
did: one helper says it for both now."""

from __future__ import annotations

import pytest

from evfocus_live.errors import CheckpointError
from evfocus_live.nn.registry import load_model


@pytest.mark.parametrize("typo, meant", [("evfocsu", "evfocus"), ("e2vd", "e2vid"), ("firenett", "firenet")])
def test_a_mistyped_model_name_says_the_name_meant(typo, meant):
    with pytest.raises(CheckpointError, match=rf"unknown model '{typo}' \(did you mean {meant}\?\)"):
        load_model(typo)


def test_a_name_like_none_lists_them_without_a_guess():
    with pytest.raises(CheckpointError) as exc:
        load_model("zzzzqq")
    assert "did you mean" not in str(exc.value) and "use one of" in str(exc.value)


def test_eval_with_a_mistyped_model_is_one_line_with_the_guess(tmp_path, capsys):
    from evfocus_live.cli import main

    assert main(["eval", "--models", "evfocsu", "--data", str(tmp_path), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean evfocus?" in err[0], err
