"""``evfocus info run/final.pt`` said "unknown event file format", so nothing said which
evfocus-live had written a checkpoint (its ``evfocus_version``). A checkpoint is described now:
its model, parameters, steps and, where recorded, that version; the shipped weights, which have
none, say nothing of it."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from evfocus_live import __version__
from evfocus_live.cli import main
from evfocus_live.nn.registry import build_model, save_checkpoint

SHIPPED = Path(__file__).resolve().parents[2] / "models" / "evfocus.pt"


def _ckpt(tmp_path, version="0.0.7"):
    path = save_checkpoint(tmp_path / "final.pt", build_model("firenet", {"base": 2}), {"step": 40, "wall_s": 12.0})
    ck = torch.load(path, weights_only=True)
    ck["evfocus_version"] = version
    ck["config"]["future_option"] = 1  # (a newer version's file: read, not built, so still described)
    torch.save(ck, path)
    return path


def test_a_checkpoint_names_the_version_that_wrote_it(tmp_path, capsys):
    path = _ckpt(tmp_path, "9.0.0")
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"file        {path}\nformat      evfocus-live checkpoint\nmodel       firenet (")
    assert "trained     40 steps, 12 s" in out
    assert "written by  evfocus-live 9.0.0" in out
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["evfocus_version"] == "9.0.0" and info["arch"] == "firenet" and info["step"] == 40


def test_the_shipped_weights_say_no_version(capsys):
    assert main(["info", str(SHIPPED)]) == 0
    out = capsys.readouterr().out
    assert "model       evfocus (" in out and "written by" not in out and __version__ not in out
