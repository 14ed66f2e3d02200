"""``evfocus eval --data final.pt`` (a checkpoint where the recordings go) said the reason twice:
a "skipping" warning, then the error repeating it as "(first: ...)", and only after the models
had loaded. Data none of which is an event file is now one error line before any scoring."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from evfocus_live.errors import InputError
from evfocus_live.train import evaluate as ev


def test_a_checkpoint_as_the_only_data_is_one_line(tmp_path, caplog):
    ckpt = tmp_path / "final.pt"
    ckpt.write_bytes(b"PK\x03\x04" + b"\0" * 26 + b"archive/data.pkl" + b"\0" * 100)
    with caplog.at_level(logging.WARNING), pytest.raises(InputError) as err:
        ev.evaluate(["evfocus"], [str(ckpt)], progress=False)
    assert "model checkpoint" in str(err.value)
    assert str(err.value).count("model checkpoint") == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "final.pt" in r.getMessage()]


def test_several_unreadable_files_name_the_first(tmp_path, caplog):
    (tmp_path / "a.toml").write_text("[model]\n")
    (tmp_path / "b.yaml").write_text("model: x\n")
    with caplog.at_level(logging.WARNING), pytest.raises(InputError) as err:
        ev.evaluate(["evfocus"], [str(tmp_path / "a.toml"), str(tmp_path / "b.yaml")], progress=False)
    assert str(err.value).startswith("no readable event file in")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "skipping" in r.getMessage()]


def test_one_readable_file_beside_them_is_still_scored(tmp_path, monkeypatch):
    """(the check only stops a run with nothing to score: the others are skipped as before)"""
    good = tmp_path / "rec.npy"
    np.save(good, np.zeros((0, 4)))
    (tmp_path / "cfg.toml").write_text("[model]\n")
    seen = []

    def stop(models, files, *a, **k):
        seen.append([f.name for f in files])
        raise ev.EvalInterrupted(({}, []))

    monkeypatch.setattr(ev, "evaluate_real", stop)
    with pytest.raises(ev.EvalInterrupted):
        ev.evaluate(["evfocus"], [str(good), str(tmp_path / "cfg.toml")], progress=False)
    assert seen == [["rec.npy", "cfg.toml"]]
