"""The way on said after a Ctrl-C before the first checkpoint, copied and pasted as it is: it
must run (its quoting right for a folder with a space) and start from the --init weights,
not random ones, and say nothing of an --init that is not loaded."""

from __future__ import annotations

import logging
import shlex

import pytest
from train_support import two_blur_data  # noqa: F401 (a fixture)

from evfocus_live.cli import main
from evfocus_live.nn.registry import build_model, save_checkpoint
from evfocus_live.train import trainer

pytestmark = pytest.mark.usefixtures("one_torch_thread")

MODEL = {"base": 4, "kernel": 3, "num_deblur_blocks": 1}


def test_the_way_on_after_an_early_ctrl_c_runs_from_the_init(two_blur_data, tmp_path, monkeypatch, caplog):  # noqa: F811
    cfg = tmp_path / "ft.toml"
    cfg.write_text('[model]\narch = "evfocus"\nbase = 4\nkernel = 3\nnum_deblur_blocks = 1\n'
                   f'[data]\ntrain = "{two_blur_data}"\nseq_len = 3\nbatch_size = 2\nstride = 2\n'
                   '[augment]\ncrop = 32\n[train]\nsteps = 1\nthreads = 1\ndevice = "cpu"\n')
    init = tmp_path / "my start" / "start.pt"
    init.parent.mkdir()
    save_checkpoint(init, build_model("evfocus", MODEL), meta={"step": 7})
    out = tmp_path / "runs" / "lab ft"
    real = trainer._init_weights

    def stopped(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(trainer, "_init_weights", stopped)
    with caplog.at_level(logging.INFO):
        assert main(["train", str(cfg), "--init", str(init), "--out", str(out), "--no-progress"]) == 130
    said = [r.getMessage() for r in caplog.records if "before this run saved a checkpoint" in r.getMessage()]
    assert len(said) == 1, caplog.text
    cmd = shlex.split(said[0].split("`")[1])
    assert cmd[:2] == ["evfocus", "train"]

    monkeypatch.setattr(trainer, "_init_weights", real)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert main([*cmd[1:], "--no-progress"]) == 0
    assert f"initialised from {init}" in caplog.text
    assert "random weights" not in caplog.text
    assert "is not loaded" not in caplog.text
    assert (out / "final.pt").is_file()
