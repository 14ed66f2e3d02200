"""`evfocus reconstruct rec.aedat4 -o out --model my.toml` (the training config, not the weights
it trained) said only "my.toml: not a PyTorch checkpoint file". It now names the checkpoint the
config's run writes ([train] out/final.pt)."""

from __future__ import annotations

import pytest

from evfocus_live.errors import CheckpointError
from evfocus_live.nn.registry import load_model


def test_a_training_config_names_its_runs_weights(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my.toml").write_text('[model]\narch = "evfocus"\n[train]\nout = "runs/my"\n')
    with pytest.raises(CheckpointError) as exc:
        load_model("my.toml")
    assert str(exc.value) == "my.toml: not a PyTorch checkpoint file (a training config: the model it trains is " \
                             "runs/my/final.pt)"


def test_another_file_says_what_it_said(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "log.csv").write_text("step,loss\n")
    with pytest.raises(CheckpointError) as exc:
        load_model("log.csv")
    assert str(exc.value) == "log.csv: not a PyTorch checkpoint file"
