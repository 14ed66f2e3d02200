"""Ctrl-C in `evfocus train my.toml --out runs/b --steps 300` said "go on with --resume", and
`evfocus train my.toml --resume` then went on from the config's own folder (another run, or
none) with the config's step budget. The line now gives the whole command: the same config,
--out, budget and data, quoted for the shell (a path with spaces)."""

from __future__ import annotations

import logging
import shlex

import pytest
from interrupt_support import ctrl_c_after
from train_support import two_blur_data  # noqa: F401 (a fixture)

from evfocus_live.cli import main
from evfocus_live.train import trainer

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_interrupted_line_names_the_runs_own_options(two_blur_data, tmp_path, monkeypatch, caplog):
    cfg = tmp_path / "my cfg.toml"
    cfg.write_text('[model]\narch = "evfocus"\nbase = 4\nkernel = 3\nnum_deblur_blocks = 1\n'
                   f'[data]\ntrain = "{two_blur_data}"\nseq_len = 3\nbatch_size = 2\nstride = 2\n'
                   '[augment]\ncrop = 32\n[train]\nsteps = 2\nout = "runs/default"\nthreads = 1\ndevice = "cpu"\n')
    out = tmp_path / "runs" / "b run"
    monkeypatch.setattr(trainer, "sequence_loss", ctrl_c_after(2, trainer.sequence_loss))
    with caplog.at_level(logging.INFO):
        rc = main(["train", str(cfg), "--out", str(out), "--steps", "300", "--no-progress"])
    assert rc == 130 and (out / "last.pt").is_file()
    said = [r.getMessage() for r in caplog.records if "interrupted at step" in r.getMessage()]
    assert said, [r.getMessage() for r in caplog.records]
    command = said[0].split("`")[1]
    assert shlex.split(command) == ["evfocus", "train", str(cfg), "--resume", "--out", str(out), "--steps", "300"]
