"""Ctrl-C in `evfocus train ft.toml --init evfocus --out 'runs/lab ft'` before its first
checkpoint (reading the data, the first steps) said only "interrupted", and the way on given
after a later Ctrl-C left out --init: `--resume` with no last.pt starts afresh, so the student's
fine-tune went on from random weights. The way on is said in both cases now, with --init."""

from __future__ import annotations

import logging
import shlex

import pytest
from train_support import two_blur_data  # noqa: F401 (a fixture)

from evfocus_live.cli import main
from evfocus_live.train import trainer

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _config(tmp_path, data):
    cfg = tmp_path / "ft.toml"
    cfg.write_text('[model]\narch = "evfocus"\nbase = 4\nkernel = 3\nnum_deblur_blocks = 1\n'
                   f'[data]\ntrain = "{data}"\nseq_len = 3\nbatch_size = 2\nstride = 2\n'
                   '[augment]\ncrop = 32\n[train]\nsteps = 2\nthreads = 1\ndevice = "cpu"\n')
    return cfg


def test_ctrl_c_before_a_checkpoint_says_the_way_on_with_init(two_blur_data, tmp_path, monkeypatch, caplog):  # noqa: F811
    cfg, out = _config(tmp_path, two_blur_data), tmp_path / "runs" / "lab ft"
    init = tmp_path / "start.pt"

    def stopped(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(trainer, "train", stopped)
    with caplog.at_level(logging.INFO):
        rc = main(["train", str(cfg), "--init", str(init), "--out", str(out), "--steps", "50", "--no-progress"])
    assert rc == 130
    said = [r.getMessage() for r in caplog.records if "before this run saved a checkpoint" in r.getMessage()]
    assert len(said) == 1, caplog.text
    assert shlex.split(said[0].split("`")[1]) == ["evfocus", "train", str(cfg), "--resume", "--out", str(out),
                                                  "--steps", "50", "--init", str(init)]


def test_a_resume_without_last_pt_says_it_starts_from_random_weights(two_blur_data, tmp_path, caplog):  # noqa: F811
    cfg = _config(tmp_path, two_blur_data)
    with caplog.at_level(logging.WARNING):
        main(["train", str(cfg), "--resume", "--out", str(tmp_path / "run"), "--steps", "1", "--no-progress"])
    assert "starting fresh from random weights (add --init" in caplog.text
