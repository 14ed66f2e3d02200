"""A researcher's leftovers from the morning review: what the training and evaluation tools
said twice under torchrun, or not at all (a crop larger than the data, a blank loss.png, a
confidence interval over two sequences, torch's threads on a busy machine, a YAML slip
reported on the line after the one to fix)."""

from __future__ import annotations

import os
import sys

import pytest
import torch
from train_support import DDP_RANK_ENV, ddp_store

from evfocus_live.nn.registry import build_model, save_checkpoint
from evfocus_live.train.synth import simulate_minimal

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TINY = {"arch": "evfocus", "base": 4, "kernel": 3, "num_deblur_blocks": 1}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim")
    simulate_minimal(d / "seq_00000.h5", width=40, height=32, n_frames=8, sigma_range=(1, 3), seed=1)
    return d


def _toml(path, data, out, crop=24, steps=4, extra=""):
    path.write_text(f'[model]\narch = "evfocus"\nbase = 4\nkernel = 3\nnum_deblur_blocks = 1\n'
                    f'[data]\ntrain = "{data}"\nseq_len = 3\nbatch_size = 1\nstride = 2\n'
                    f'[augment]\ncrop = {crop}\n[train]\nsteps = {steps}\nout = "{out}"\nthreads = 1\n'
                    f'device = "cpu"\nlog_every = 1\nckpt_every_s = 0\n{extra}')
    return path


# -- 1. under torchrun, rank 0 alone says what every process would say alike ---------------

def _cli_rank(rank, world, port, argvs, result_dir):
    """One torchrun process: `evfocus train` run for each argv in turn, its stderr kept in a
    file; the first run is interrupted (as by Ctrl-C) at its third step."""
    os.environ.update(DDP_RANK_ENV, MASTER_PORT=str(port), WORLD_SIZE=str(world), RANK=str(rank),
                      LOCAL_RANK=str(rank))
    sys.stderr = open(f"{result_dir}/err{rank}.txt", "w", buffering=1)
    from evfocus_live.cli import main
    from evfocus_live.train import trainer

    real_loss, calls = trainer.sequence_loss, [0]

    def loss_then_ctrl_c(*a, **kw):
        calls[0] += 1
        if calls[0] == 4:  # the unused-parameter probe, then steps 1 and 2, then Ctrl-C
            raise KeyboardInterrupt
        return real_loss(*a, **kw)

    trainer.sequence_loss = loss_then_ctrl_c
    rcs = [main(argvs[0])]
    trainer.sequence_loss = real_loss
    rcs += [main(argv) for argv in argvs[1:]]
    sys.stderr.write(f"rcs {rcs}\n")
    import torch.distributed as dist

    dist.destroy_process_group()


def test_under_torchrun_each_line_is_said_once(data, tmp_path):
    """'initialised from', 'interrupted at step', 'evfocus train: interrupted', 'resumed
    from' and the resume's config warning came once per process."""
    import torch.multiprocessing as mp

    model_cfg = {k: v for k, v in TINY.items() if k != "arch"}
    init = save_checkpoint(tmp_path / "init.pt", build_model("evfocus", {**model_cfg, "num_bins": 5}), {"step": 7})
    conf = str(_toml(tmp_path / "c.toml", data, tmp_path / "run"))
    argvs = [["train", conf, "--no-progress", "--init", str(init)],
             ["train", conf, "--no-progress", "--resume", "--lr", "0.002"]]
    with ddp_store(2) as port:
        mp.spawn(_cli_rank, args=(2, port, argvs, str(tmp_path)), nprocs=2, join=True)
    err0, err1 = ((tmp_path / f"err{r}.txt").read_text() for r in (0, 1))
    assert "rcs [130, 0]" in err0 and "rcs [130, 0]" in err1, (err0, err1)
    for said in ("initialised from", "interrupted at step 2", "evfocus train: interrupted", "resumed from",
                 "the config differs"):
        assert err0.count(said) == 1, (said, err0)
        assert said not in err1, (said, err1)


# -- 2. a crop larger than the data is said, once, with both sizes ---------------------------

def test_a_crop_larger_than_the_frames_is_one_warning_with_both_sizes(data, tmp_path, caplog):
    """Over frames of one size it was clipped without a word (a log line only for mixed sets)."""
    import logging

    from evfocus_live.train.trainer import load_config, train

    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        train(load_config(_toml(tmp_path / "c.toml", data, tmp_path / "run", crop=64, steps=1)), progress=False)
    said = [r for r in caplog.records if "[augment] crop" in r.getMessage()]
    assert len(said) == 1, [r.getMessage() for r in said]
    assert said[0].levelno == logging.WARNING
    assert "crop 64" in said[0].getMessage() and "40x32" in said[0].getMessage()


def test_a_crop_that_fits_says_nothing(data, caplog):
    import logging

    from evfocus_live.train.dataset import Augment, SequenceDataset, load_sequence, list_sequences

    seqs = [load_sequence(f, 5) for f in list_sequences(data)]
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        ds = SequenceDataset(seqs, seq_len=3, augment=Augment(crop=24))
    assert ds.crop_hw == (24, 24) and not [r for r in caplog.records if "[augment] crop" in r.getMessage()]


# -- 3. loss.png is never a blank image ------------------------------------------------------

@pytest.mark.parametrize("rows", [[], [{"step": 1, "wall_s": 0.1, "lr": 1e-3, "loss": 0.42}]])
def test_loss_png_with_fewer_than_two_rows_is_not_blank(rows, tmp_path):
    """With one logged row (a 1-step run, log_every above the steps run) or none (a run
    interrupted before its first step) loss.png was a white rectangle."""
    import cv2

    from evfocus_live.train.trainer import draw_loss_curve

    draw_loss_curve(rows, tmp_path / "loss.png")
    img = cv2.imread(str(tmp_path / "loss.png"))
    assert img is not None and (img < 128).any()  # something written on it
    if rows:  # the point itself, in the curve's colour
        assert ((img[..., 0] > 150) & (img[..., 2] < 60)).any()


def test_a_one_step_run_draws_its_point(data, tmp_path):
    import cv2

    from evfocus_live.train.trainer import load_config, train

    train(load_config(_toml(tmp_path / "c.toml", data, tmp_path / "run", steps=1)), progress=False)
    img = cv2.imread(str(tmp_path / "run" / "loss.png"))
    assert ((img[..., 0] > 150) & (img[..., 2] < 60)).any()


# -- 4. a bootstrap interval over very few sequences is marked as such -----------------------

def _paired(diffs):
    from evfocus_live.train.evaluate import paired_differences

    seqs = [{"split": "severe", "a": {"ssim": 0.6 + d, "mse": 0.01}, "b": {"ssim": 0.6, "mse": 0.012}} for d in diffs]
    return {m: paired_differences(seqs, "a", "b", m) for m in ("ssim", "mse")}


def test_an_interval_over_two_sequences_is_marked_in_the_json_and_the_table():
    """`evfocus eval` on 2 sequences printed '[+0.0100, +0.0200]' as if it meant something."""
    import json

    from evfocus_live.train.evaluate import _strict_json, markdown_report

    few, many = _paired([0.01, 0.02]), _paired([0.01, 0.02, 0.015, 0.012, 0.018])
    assert json.loads(json.dumps(_strict_json(few)))["ssim"]["severe"]["few_sequences"] is True
    assert many["ssim"]["severe"]["few_sequences"] is False
    md = markdown_report({"splits": {}, "paired": {"b": few}}, None, ["a", "b"])
    row = next(ln for ln in md.splitlines() if ln.startswith("| severe | a − b |"))
    assert "[+0.0100, +0.0200] (few)" in row  # kept, and marked
    assert "fewer than 5 sequences" in md
    md = markdown_report({"splits": {}, "paired": {"b": many}}, None, ["a", "b"])
    assert "(few)" not in md and "fewer than" not in md


# -- 6. a key missing its ':' in YAML names its own line, not only the next ------------------

def test_a_yaml_key_without_its_colon_names_that_line_too(tmp_path):
    """PyYAML reads "batch_size 1" and the next line as one string and stops at the next
    key's ':' ("line 5: mapping values are not allowed here"): the slip is on line 4."""
    pytest.importorskip("yaml")
    from evfocus_live.errors import ConfigError
    from evfocus_live.train.trainer import load_config

    p = tmp_path / "c.yaml"
    p.write_text("model:\n  arch: evfocus\ndata:\n  batch_size 1\n  seq_len: 3\n")
    with pytest.raises(ConfigError, match=r"line 5, column 10: mapping values are not allowed here; "
                                          r"is a ':' missing on line 4 \('batch_size 1'\)\?"):
        load_config(p)
    p.write_text("model:\n  arch: evfocus\ndata:\n  batch_size: 1: 2\n")  # the line itself: nothing to add
    with pytest.raises(ConfigError, match=r"line 4, column 16: mapping values are not allowed here\)$"):
        load_config(p)


# -- 5. [train] threads left out on a busy machine is said --------------------------------------

def test_threads_left_out_on_a_busy_machine_is_a_warning(data, tmp_path, monkeypatch, caplog):
    """torch's default (every core) on a 2-core machine at load 5: 40 steps took 24-28 s
    against 5-7 s with threads = 1, without a word. No timing here: the load is faked."""
    import logging

    from evfocus_live.train import trainer

    monkeypatch.setattr(trainer.os, "getloadavg", lambda: (5.0, 5.0, 5.0))
    monkeypatch.setattr(trainer, "_cpu_cores", lambda: 2, raising=False)
    torch.set_num_threads(2)  # (the fixture puts the count back)
    conf = _toml(tmp_path / "c.toml", data, tmp_path / "run", steps=1)
    conf.write_text(conf.read_text().replace("threads = 1\n", ""))
    with caplog.at_level(logging.WARNING, logger="evfocus_live"):
        trainer.train(trainer.load_config(conf), progress=False)
    said = [r.getMessage() for r in caplog.records if "threads" in r.getMessage()]
    assert len(said) == 1 and "load average 5.0 on 2 cores" in said[0] and "threads = 1" in said[0], said
    assert trainer._busy_cpu_warning() is not None
    monkeypatch.setattr(trainer.os, "getloadavg", lambda: (1.5, 1.5, 1.5))  # not busier than its cores
    assert trainer._busy_cpu_warning() is None
    monkeypatch.setattr(trainer.os, "getloadavg", lambda: (5.0, 5.0, 5.0))
    torch.set_num_threads(1)  # set (threads = 1), or torchrun's OMP_NUM_THREADS=1: nothing to say
    assert trainer._busy_cpu_warning() is None
