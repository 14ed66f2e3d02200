"""The tiny training set and config the training tests share."""

from __future__ import annotations

import contextlib

import pytest
import torch
from conftest import TINY

from evfocus_live.nn import registry
from evfocus_live.nn.registry import build_model, save_checkpoint
from evfocus_live.train.synth import simulate_minimal
from evfocus_live.train.trainer import normalize_config


TINY_MODEL = {"arch": "evfocus", "base": 4, "kernel": 3, "num_deblur_blocks": 1}

#: what a DDP rank a test spawns adds to MASTER_ADDR/MASTER_PORT/RANK/...: the rendezvous store
#: is the test process's (:func:`ddp_store`), as torchrun's agent holds it; every rank is a client
DDP_RANK_ENV = {"MASTER_ADDR": "127.0.0.1", "TORCHELASTIC_USE_AGENT_STORE": "True"}


@contextlib.contextmanager
def ddp_store(world: int):
    """The port of a rendezvous store the test process holds while its ``world`` DDP ranks run
    (they set :data:`DDP_RANK_ENV`). A port found free, closed and bound again by rank 0 seconds
    later could be taken meanwhile by a test running beside this one (pytest-xdist)."""
    from torch.distributed import TCPStore

    store = TCPStore("127.0.0.1", 0, world_size=world, is_master=True, wait_for_workers=False)
    try:
        yield store.port
    finally:
        del store


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim")
    simulate_minimal(d / "seq_00000.h5", width=64, height=48, n_frames=12, sigma_range=(1, 3), seed=1)
    simulate_minimal(d / "seq_00001.h5", width=64, height=48, n_frames=12, sigma_range=(4, 6), seed=2,
                     focus_sweep=True)
    return d


def tiny_cfg(data, out, **train_kw):
    return normalize_config({
        "model": dict(TINY_MODEL),
        "data": {"train": str(data), "seq_len": 3, "batch_size": 2, "stride": 2},
        "augment": {"crop": 32},
        "train": {"steps": 3, "out": str(out), "threads": 1, "log_every": 1, "device": "cpu", **train_kw},
    })


@pytest.fixture(scope="session")
def two_blur_data(tmp_path_factory):
    """Two tiny sequences, mild and severe blur, no focus sweep (the checkpoint, config and resume tests)."""
    d = tmp_path_factory.mktemp("sim_r2")
    simulate_minimal(d / "seq_00000.h5", width=64, height=48, n_frames=12, sigma_range=(1, 3), seed=1)
    simulate_minimal(d / "seq_00001.h5", width=64, height=48, n_frames=12, sigma_range=(4, 6), seed=2)
    return d


def resumable_cfg(data, out, **train_kw):
    """The tiny config, 6 steps unless told (resume tests need a middle)."""
    return tiny_cfg(data, out, **{"steps": 6, **train_kw})


class _GreyModel:
    """A flat grey frame per window (no weights: the grids and reports, not a network, are tested)."""

    def reset_states(self):
        pass

    def __call__(self, x):
        return {"image": torch.full((1, 1, *x.shape[-2:]), 0.5)}


def _tiny_firenet_model():
    from evfocus_live.nn.firenet import FireNet

    torch.manual_seed(0)
    return FireNet(dict(base=4)).eval()


def _tiny_ckpt_cfg(path, **extra_cfg):
    torch.manual_seed(0)
    return str(save_checkpoint(path, build_model("evfocus", dict(TINY, **extra_cfg)), {"step": 1}))


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """An installed package's configs folder, and a working folder without models/."""
    pkg = tmp_path / "site" / "_models"
    (pkg / "configs").mkdir(parents=True)
    (pkg / "configs" / "evfocus.toml").write_text("[train]\nsteps = 1\n")
    (pkg / "configs" / "firenet.toml").write_text("[train]\nsteps = 1\n")
    monkeypatch.setattr(registry, "_PACKAGED_MODELS", pkg)
    cwd = tmp_path / "work"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return pkg / "configs"
