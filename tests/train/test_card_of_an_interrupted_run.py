"""`python -m evfocus_live.train.card mine runs/my` on a run stopped by Ctrl-C (only last.pt
there) said "checkpoint not found: runs/my/final.pt", leaving the two ways on unsaid: resume
it to its end, or ship its last.pt. The line now names both."""

from __future__ import annotations

import torch

from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import save_checkpoint
from evfocus_live.train.card import main


def test_a_run_with_only_last_pt_names_the_ways_on(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "mymodels"))
    run = tmp_path / "runs" / "my"
    run.mkdir(parents=True)
    torch.manual_seed(0)
    save_checkpoint(run / "last.pt", EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)), {"step": 5})
    assert main(["mine", str(run)]) == 2
    err = capsys.readouterr().err.strip()
    assert "--resume" in err and str(run / "last.pt") in err and len(err.splitlines()) == 1
    assert main(["mine", str(run / "last.pt")]) == 0  # shipping the last.pt itself works
