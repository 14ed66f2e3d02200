"""``evfocus info`` of .pt files that are not quite ours: a meta ``step`` that is no count (a
hand edit, another tool's) was a traceback ("Cannot specify ',' with 's'"), a tensor in the
config a traceback of ``--json``, a TorchScript file torch's "Cannot use weights_only=True"
words; a 400 MB checkpoint was read whole to count its parameters (peak RSS 618 MB, now the
interpreter's 228 MB: its tensors are mapped from the file)."""

from __future__ import annotations

import json

import pytest
import torch

from evfocus_live.cli import main


def _save(path, meta, config=None):
    torch.save({"arch": "e2vid", "config": config or {}, "state_dict": {"w": torch.zeros(3)}, "meta": meta}, path)
    return path


@pytest.mark.parametrize("meta", [{"step": "x", "wall_s": "y"}, {"step": 1.5}, {"step": True, "wall_s": float("nan")}])
def test_a_meta_that_is_no_count_is_left_out(tmp_path, capsys, meta):
    path = _save(tmp_path / "odd.pt", meta)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "parameters  3" in out and "trained" not in out
    assert main(["info", "--json", str(path)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["step"] is None and info["wall_s"] is None


def test_one_step_is_one_step(tmp_path, capsys):
    assert main(["info", str(_save(tmp_path / "a.pt", {"step": 1}))]) == 0
    assert "trained     1 step\n" in capsys.readouterr().out


def test_a_tensor_in_the_config_is_written_as_text_in_json(tmp_path, capsys):
    path = _save(tmp_path / "t.pt", {}, {"base": torch.tensor(3), "pair": (1, 2)})
    assert main(["info", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["config"] == {"base": "tensor(3)", "pair": "(1, 2)"}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # (torch.jit's own, making the file)
def test_a_torchscript_file_is_named(tmp_path, capsys):
    path = tmp_path / "ts.pt"
    torch.jit.script(torch.nn.Linear(2, 2)).save(str(path))
    assert main(["info", str(path)]) == 2
    assert "ts.pt: a TorchScript model (torch.jit.save), not an evfocus-live checkpoint" in capsys.readouterr().err


def test_the_tensors_are_mapped_not_read(tmp_path, monkeypatch, capsys):
    path = _save(tmp_path / "big.pt", {"step": 2})
    seen = []
    load = torch.load
    monkeypatch.setattr(torch, "load", lambda *a, **k: seen.append(k.get("mmap")) or load(*a, **k))
    assert main(["info", str(path)]) == 0
    assert seen == [True] and "parameters  3" in capsys.readouterr().out
