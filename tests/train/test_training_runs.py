"""Training runs stopped and resumed: SIGTERM, changed configs, progress, DDP, the GPU used."""

from __future__ import annotations

import csv
import logging
import os
import signal
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from cli_support import two_gpus  # noqa: F401 (fixtures)
from train_support import DDP_RANK_ENV, ddp_store

from evfocus_live.cli import main as cli_main
from evfocus_live.nn.registry import read_checkpoint
from evfocus_live.train import trainer
from evfocus_live.train.synth import simulate_minimal


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim_r3")
    simulate_minimal(d / "seq_00000.h5", width=64, height=48, n_frames=10, sigma_range=(1, 3), seed=1)
    simulate_minimal(d / "seq_00001.h5", width=64, height=48, n_frames=10, sigma_range=(4, 6), seed=2)
    return d


def write_config(path, data, out, steps=20, crop=32, lr=1e-3):
    """A tiny TOML config as README's `evfocus train CONFIG` takes it."""
    path.write_text(f"""[model]
arch = "evfocus"
base = 4
kernel = 3
num_deblur_blocks = 1

[data]
train = "{data}"
seq_len = 3
batch_size = 2
stride = 2

[augment]
crop = {crop}

[train]
steps = {steps}
lr = {lr}
out = "{out}"
threads = 1
device = "cpu"
log_every = 1
ckpt_every_s = 3600
""")
    return path


@pytest.mark.usefixtures("one_torch_thread")
def test_sigterm_stops_training_as_ctrl_c_does(tiny_data, tmp_path, monkeypatch, capsys):
    """`kill`, `timeout` or a scheduler's SIGTERM killed `evfocus train` outright: every
    step since the last periodic checkpoint (2 minutes by default; here, none yet) was
    lost, with no last.pt and no log.csv. Now it is Ctrl-C: last.pt and the logs, exit 130."""
    cfg = write_config(tmp_path / "c.toml", tiny_data, tmp_path / "run")
    calls = []
    real_loss = trainer.sequence_loss

    def loss_then_sigterm(*a, **kw):
        calls.append(1)
        # the old code left SIGTERM at its default, which would end pytest itself: only
        # send it where a handler catches it (else the run goes on to its end, rc 0)
        if len(calls) == 3 and signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None):
            os.kill(os.getpid(), signal.SIGTERM)
        return real_loss(*a, **kw)

    monkeypatch.setattr(trainer, "sequence_loss", loss_then_sigterm)
    before = signal.getsignal(signal.SIGTERM)
    rc = cli_main(["train", str(cfg), "--no-progress"])
    assert rc == 130, capsys.readouterr().err
    assert "interrupted" in capsys.readouterr().err
    out = tmp_path / "run"
    assert (out / "last.pt").is_file() and not (out / "final.pt").exists()
    with open(out / "log.csv") as f:
        assert [int(r["step"]) for r in csv.DictReader(f)] == [1, 2]  # stopped inside the third
    assert read_checkpoint(out / "last.pt")["meta"]["step"] == 2
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is the command's only


@pytest.mark.usefixtures("one_torch_thread")
def test_resume_with_a_changed_config_says_what_changed(tiny_data, tmp_path, caplog):
    """An edited config (or --lr) at --resume went on silently, and last.pt's meta then
    recorded the new config as the whole run's. The budgets and the output folder may
    change without a word."""
    out = tmp_path / "run"
    cli_main(["train", str(write_config(tmp_path / "a.toml", tiny_data, out, steps=2)), "--no-progress"])
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="evfocus_live.train.trainer"):
        assert cli_main(["train", str(write_config(tmp_path / "a.toml", tiny_data, out, steps=3)),
                         "--resume", "--no-progress"]) == 0
    assert not [r for r in caplog.records if "config differs" in r.getMessage()]
    with caplog.at_level(logging.WARNING, logger="evfocus_live.train.trainer"):
        assert cli_main(["train", str(write_config(tmp_path / "b.toml", tiny_data, out, steps=4, crop=16)),
                         "--resume", "--no-progress", "--lr", "0.002"]) == 0
    said = [r.getMessage() for r in caplog.records if "config differs" in r.getMessage()]
    assert len(said) == 1 and "[augment] crop 32 -> 16" in said[0] and "[train] lr 0.001 -> 0.002" in said[0]
    assert "steps" not in said[0]


@pytest.mark.usefixtures("one_torch_thread")
def test_progress_bar_ends_with_the_wall_time_budget(tiny_data, tmp_path, monkeypatch, capsys):
    """The shipped configs give steps = 100000 and max_minutes = 40: the wall time ends the
    run, but the bar counted to 100000 ("0 %", an ETA of days). It now projects the steps
    the budget allows and ends full at the step the run stopped at. (A fake clock: one
    second per reading.)"""
    clock = iter(range(10**6))
    monkeypatch.setattr(trainer, "time", SimpleNamespace(monotonic=lambda: float(next(clock))))
    cfg = trainer.normalize_config({
        "model": {"arch": "firenet", "base": 4}, "data": {"train": str(tiny_data), "seq_len": 3, "batch_size": 2},
        "augment": {"crop": 16}, "train": {"steps": 100000, "max_minutes": 0.2, "out": str(tmp_path / "r"),
                                           "threads": 1, "device": "cpu", "ckpt_every_s": 3600}})
    s = trainer.train(cfg, progress=True)
    assert 1 < s["step"] < 100000
    frames = [f for f in capsys.readouterr().err.replace("\r", "\n").splitlines() if f.startswith("train firenet")]
    assert frames and not [f for f in frames[1:] if "/100000" in f], frames[:3]
    assert "100%" in frames[-1] and f" {s['step']}/{s['step']} " in frames[-1], frames[-1]


@pytest.mark.usefixtures("one_torch_thread")
def test_sigterm_to_the_whole_job_with_loader_processes_saves(tiny_data, tmp_path):
    """A scheduler's SIGTERM reaches every process of the job, loader workers too ([data]
    workers > 0): the workers died by it, and the loader's SIGCHLD check raised "DataLoader
    worker ... is killed by signal: Terminated" in the middle of writing last.pt: a traceback,
    exit 1, the steps since the last checkpoint lost. Workers now end quietly, as on Ctrl-C."""
    import subprocess
    import sys
    import time

    cfg = write_config(tmp_path / "c.toml", tiny_data, tmp_path / "run", steps=100000)
    cfg.write_text(cfg.read_text().replace("stride = 2", "stride = 2\nworkers = 1")
                   .replace("ckpt_every_s = 3600", "ckpt_every_s = 0"))
    p = subprocess.Popen([sys.executable, "-m", "evfocus_live", "train", str(cfg), "--no-progress"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    try:
        for _ in range(1200):  # training has begun once the first item's last.pt is there
            if (tmp_path / "run" / "last.pt").is_file() or p.poll() is not None:
                break
            time.sleep(0.1)
        assert p.poll() is None, p.communicate()[1].decode()[-2000:]
        os.killpg(p.pid, signal.SIGTERM)
        _, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    err = err.decode()
    assert p.returncode == 130 and "Traceback" not in err, err[-2000:]
    assert "interrupted" in err and (tmp_path / "run" / "log.json").is_file()


def _ddp_worker(rank, world, port, cfg, result_dir):
    os.environ.update(DDP_RANK_ENV, MASTER_PORT=str(port), WORLD_SIZE=str(world), RANK=str(rank),
                      LOCAL_RANK=str(rank))
    import torch.distributed as dist

    summary = trainer.train(cfg, progress=False)
    if rank == 0:
        (Path(result_dir) / "rank0.json").write_text(str(summary["step"]))
    dist.destroy_process_group()


@pytest.mark.usefixtures("one_torch_thread")
def test_ddp_with_a_loss_term_weighted_zero(tiny_data, tmp_path):
    """`torchrun ... evfocus train` with [loss] redefocus = 0 and sigma = 0 (an ablation):
    the defocus head reaches no loss term, and DDP's second step died on every rank with
    "Expected to have finished reduction in the prior iteration ..." (one process trained
    fine). Parameters no term reaches are now frozen before DDP wraps the model."""
    import torch.multiprocessing as mp
    cfg = trainer.normalize_config({
        "model": {"arch": "evfocus", "base": 2, "kernel": 3, "num_deblur_blocks": 1},
        "data": {"train": str(tiny_data), "seq_len": 2, "batch_size": 1},
        "augment": {"crop": 16}, "loss": {"redefocus": 0.0, "sigma": 0.0},
        "train": {"steps": 3, "out": str(tmp_path / "ddp"), "threads": 1, "device": "cpu"}})
    with ddp_store(2) as port:
        mp.spawn(_ddp_worker, args=(2, port, cfg, str(tmp_path)), nprocs=2, join=True)
    assert (tmp_path / "rank0.json").read_text() == "3"


@pytest.mark.usefixtures("one_torch_thread")
def test_resume_over_a_log_csv_cut_short(tiny_data, tmp_path, caplog):
    """A log.csv whose last row was cut (a kill or a full disk while it was written): --resume
    ended in a TypeError traceback from the row's missing fields. The row is left out with a
    warning, the run goes on, and log.csv is now written whole or not at all."""
    out = tmp_path / "run"
    cfg = write_config(tmp_path / "c.toml", tiny_data, out, steps=3)
    assert cli_main(["train", str(cfg), "--no-progress"]) == 0
    text = (out / "log.csv").read_text()
    (out / "log.csv").write_text(text[:text.rindex(",")])  # the last row lacks its last field
    with caplog.at_level(logging.WARNING, logger="evfocus_live.train.trainer"):
        assert cli_main(["train", str(cfg), "--resume", "--steps", "4", "--no-progress"]) == 0
    assert "row(s) that do not read left out" in caplog.text
    with open(out / "log.csv") as f:
        assert [int(r["step"]) for r in csv.DictReader(f)] == [1, 2, 4]
    assert not list(out.glob("*.tmp"))


def test_training_makes_the_named_gpu_current(two_gpus, monkeypatch):
    """``device = "cuda:1"`` without DDP never made GPU 1 current, so bf16 support was asked of
    GPU 0 (torch's current device) and autocast ran there."""
    from evfocus_live.train import trainer

    made = []
    monkeypatch.setattr(torch.cuda, "set_device", lambda d: made.append(torch.device(d)))
    assert trainer._training_device("cuda:1", ddp=False) == torch.device("cuda", 1)
    assert made == [torch.device("cuda", 1)]
    made.clear()
    assert trainer._training_device("cpu", ddp=False) == torch.device("cpu") and made == []


def test_resume_says_when_it_does_not_load_the_init_weights(tmp_path, caplog):
    """--resume over a last.pt goes on from it: an --init naming other weights than the run
    started from was dropped without a word. Now a warning; the same weights stay silent."""
    from train_support import tiny_cfg

    from evfocus_live.train.synth import simulate_minimal
    from evfocus_live.train.trainer import train

    data = tmp_path / "sim"
    simulate_minimal(data / "seq_00000.h5", width=64, height=48, n_frames=12, sigma_range=(1, 3), seed=1)
    a = train(tiny_cfg(data, tmp_path / "a", steps=2), progress=False)["checkpoint"]
    b_out = tmp_path / "b"
    train(tiny_cfg(data, b_out, steps=2, init=a), progress=False)
    with caplog.at_level(logging.WARNING, logger="evfocus_live.train.trainer"):
        train(tiny_cfg(data, b_out, steps=3, init=a), resume=True, progress=False)  # the same: silent
    assert not [r for r in caplog.records if "is not loaded" in r.getMessage()]
    other = train(tiny_cfg(data, tmp_path / "c", steps=1), progress=False)["checkpoint"]
    with caplog.at_level(logging.WARNING, logger="evfocus_live.train.trainer"):
        s = train(tiny_cfg(data, b_out, steps=4, init=other), resume=True, progress=False)
    said = [r.getMessage() for r in caplog.records if "is not loaded" in r.getMessage()]
    assert len(said) == 1 and str(other) in said[0] and str(a) in said[0], said
    assert s["step"] == 4  # it still goes on from last.pt
