"""Training-config validation: [model] keys per architecture and num_bins against [data],
[augment] / [loss] types and ranges, mixed-size and mixed-length training data, and bad
model configs inside checkpoints — each one clear ConfigError / CheckpointError line."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest
import torch

from evfocus_live.errors import CheckpointError, ConfigError
from evfocus_live.nn import registry
from evfocus_live.nn.registry import build_model, load_checkpoint, save_checkpoint
from evfocus_live.train.dataset import Augment, SequenceDataset, load_sequence
from evfocus_live.train.synth import simulate_minimal
from evfocus_live.train.trainer import load_config, normalize_config, train

MODELS = Path(__file__).resolve().parents[2] / "models"
TINY = {"arch": "evfocus", "base": 4, "kernel": 3, "num_deblur_blocks": 1}


#: the tiny models here run far faster on one thread than on two contended ones
pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def two_sets(tmp_path_factory):
    """Two tiny sets of different resolution and length: 64x48 with 8 windows, 96x80 with 12."""
    root = tmp_path_factory.mktemp("mixed")
    simulate_minimal(root / "a" / "seq_00000.h5", width=64, height=48, n_frames=9, sigma_range=(1, 2), seed=1)
    simulate_minimal(root / "b" / "seq_00000.h5", width=96, height=80, n_frames=13, sigma_range=(1, 2), seed=2)
    return root / "a", root / "b"


def _one_line(exc) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


# --- 1. [model] keys and num_bins ------------------------------------------------------

@pytest.mark.parametrize("model, bad", [
    ({**TINY, "bse": 4}, "bse"),  # a typo used to build the default base 32: 10 M parameters
    ({"arch": "e2vid", "base": 4, "sigma_head": 4, "num_deblur_blocks": 1}, "num_deblur_blocks, sigma_head"),
    ({"arch": "firenet", "num_encoders": 2}, "num_encoders"),
])
def test_unknown_model_key_is_one_config_error(model, bad):
    with pytest.raises(ConfigError, match=r"\[model\] " + bad) as exc:
        normalize_config({"model": model})
    assert "known: base" in _one_line(exc)


def test_unknown_model_key_refused_by_build_model():
    with pytest.raises(CheckpointError, match="do not match architecture .evfocus.: bse is not an option") as exc:
        build_model("evfocus", {"bse": 4, "kernel": 3})
    assert "known: base" in _one_line(exc)
    with pytest.raises(CheckpointError, match="sigma_head"):
        build_model("e2vid", {"base": 4, "sigma_head": 4})


@pytest.mark.parametrize("key, value", [("kernel", 4), ("rec_kernel", 2), ("base", 0), ("base", True),
                                        ("num_encoders", -1), ("num_bins", 2.5)])
def test_bad_model_sizes_are_refused(key, value):
    with pytest.raises(CheckpointError, match=f"{key} must be"):
        build_model("evfocus", {"base": 4, "kernel": 3, key: value})
    with pytest.raises(ConfigError, match=rf"\[model\] {key} must be"):
        normalize_config({"model": {**TINY, key: value}})


def test_model_num_bins_must_match_data():
    with pytest.raises(ConfigError, match=r"\[model\] num_bins = 3 but \[data\] num_bins = 5") as exc:
        normalize_config({"model": {**TINY, "num_bins": 3}})
    _one_line(exc)
    assert normalize_config({"model": {**TINY, "num_bins": 3}, "data": {"num_bins": 3}})["model"]["num_bins"] == 3
    assert "num_bins" not in normalize_config({"model": dict(TINY)})["model"]  # follows [data]


def test_typo_in_model_is_exit_2_before_any_output(tmp_path, capsys):
    from evfocus_live.cli import main

    cfg = tmp_path / "typo.toml"
    cfg.write_text(f'[model]\narch = "evfocus"\nbse = 4\nkernel = 3\n[data]\ntrain = "{tmp_path}"\n'
                   f'[train]\nsteps = 1\ndevice = "cpu"\nout = "{tmp_path / "run"}"\n')
    assert main(["train", str(cfg), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bse" in err[0] and "known:" in err[0], err
    assert not (tmp_path / "run").exists()


def test_every_shipped_config_and_checkpoint_still_loads():
    """models/configs/*.toml and the model and training configs inside models/*.pt pass the
    new checks (and build / load)."""
    configs = sorted(glob.glob(str(MODELS / "configs" / "*.toml")))
    assert len(configs) >= 20
    built = set()
    for p in configs:
        cfg = load_config(p)
        arch_cfg = {k: v for k, v in cfg["model"].items() if k != "arch"}
        arch_cfg.setdefault("num_bins", cfg["data"]["num_bins"])
        key = (cfg["model"]["arch"], repr(sorted(arch_cfg.items())))
        if key not in built:  # each distinct network once
            built.add(key)
            build_model(cfg["model"]["arch"], arch_cfg)
    ckpts = sorted(glob.glob(str(MODELS / "*.pt")))
    assert len(ckpts) >= 6
    for p in ckpts:
        model = load_checkpoint(p)
        assert registry.model_config_problem(model.arch, model.config) is None
        normalize_config(model.meta["train_config"], p)


# --- 2. [augment] and [loss] values ----------------------------------------------------

@pytest.mark.parametrize("section, key, value", [
    ("augment", "crop", "32"), ("augment", "crop", 0.5), ("augment", "crop", -8), ("augment", "crop", True),
    ("augment", "noise_prob", "high"), ("augment", "noise_prob", 1.5), ("augment", "pause_prob", -0.1),
    ("augment", "hot_pixel_prob", float("nan")), ("augment", "noise_std", -1), ("augment", "flip", "yes"),
    ("loss", "blur", "0.5"), ("loss", "temporal", -1), ("loss", "sigma", float("inf")), ("loss", "redefocus", None),
    ("loss", "sigma_mean", -0.5), ("loss", "sigma_scale_px", 0),
])
def test_bad_augment_and_loss_values_are_one_config_error(section, key, value):
    with pytest.raises(ConfigError, match=rf"\[{section}\] {key} must be") as exc:
        normalize_config({"model": dict(TINY), section: {key: value}})
    _one_line(exc)


def test_augment_checks_its_values_itself():
    with pytest.raises(ConfigError, match=r"\[augment\] crop must be"):
        Augment(crop="32")
    with pytest.raises(ConfigError, match=r"\[augment\] noise_prob must be a probability"):
        Augment(noise_prob="high")
    assert Augment(crop=None).crop is None and Augment(crop=0).crop == 0  # no crop
    ok = normalize_config({"model": dict(TINY), "augment": {"crop": 64, "noise_prob": 1, "pause_prob": 0},
                           "loss": {"blur": 0, "temporal": 0.1, "sigma_activity": 1}})
    assert ok["augment"]["crop"] == 64 and ok["loss"]["blur"] == 0


# --- 3. mixed-size and mixed-length training data ----------------------------------------

def test_mixed_sizes_crop_to_the_smallest_set(two_sets):
    from torch.utils.data import default_collate

    seqs = [load_sequence(d / "seq_00000.h5") for d in two_sets]
    ds = SequenceDataset(seqs, seq_len=4, augment=Augment(crop=64), stride=4)
    first = {s: k for k, (s, _) in reversed(list(enumerate(ds.items)))}
    batch = default_collate([ds[first[0]], ds[first[1]]])  # one item of each set
    assert batch["voxel"].shape == (2, 4, 5, 48, 64) and batch["sharp"].shape == (2, 4, 1, 48, 64)
    assert all(ds[k]["voxel"].shape == (4, 5, 48, 64) for k in range(len(ds)))
    small = SequenceDataset(seqs, seq_len=4, augment=Augment(crop=32))
    assert all(small[k]["voxel"].shape == (4, 5, 32, 32) for k in range(len(small)))


def test_mixed_sizes_without_crop_is_one_config_error(two_sets):
    seqs = [load_sequence(d / "seq_00000.h5") for d in two_sets]
    with pytest.raises(ConfigError, match=r"differ in size \(64x48, 96x80\).*crop") as exc:
        SequenceDataset(seqs, seq_len=4, augment=Augment(crop=0))
    _one_line(exc)


def test_items_only_from_sequences_long_enough(two_sets):
    from torch.utils.data import default_collate

    seqs = [load_sequence(d / "seq_00000.h5") for d in two_sets]
    assert [len(s.voxels) for s in seqs] == [8, 12]
    ds = SequenceDataset(seqs, seq_len=10, augment=Augment(crop=32), stride=1)
    assert {s for s, _ in ds.items} == {1} and len(ds) == 3
    batch = default_collate([ds[k] for k in range(len(ds))])
    assert batch["voxel"].shape == (3, 10, 5, 32, 32)
    with pytest.raises(ConfigError, match=r"seq_len = 40 .*the longest has 12 windows.*at most 12") as exc:
        SequenceDataset(seqs, seq_len=40, augment=Augment(crop=32))
    _one_line(exc)


def test_train_on_two_sets_of_different_size(two_sets, tmp_path):
    cfg = normalize_config({"model": dict(TINY), "data": {"seq_len": 3, "batch_size": 2, "stride": 2},
                            "augment": {"crop": 64},
                            "train": {"steps": 2, "out": str(tmp_path / "run"), "threads": 1, "device": "cpu",
                                      "log_every": 1}})
    s = train(cfg, data=[str(d) for d in two_sets], progress=False)
    assert s["step"] == 2 and (tmp_path / "run" / "final.pt").is_file()


# --- 4. bad model configs inside checkpoints ---------------------------------------------

@pytest.mark.parametrize("change, needle", [({"base": -4}, "base must be"), ({"bse": 4}, "bse is not an option"),
                                            ({"kernel": 4}, "kernel must be an odd")])
def test_bad_checkpoint_config_is_one_checkpoint_error(tmp_path, change, needle):
    path = save_checkpoint(tmp_path / "m.pt", build_model("firenet", {"base": 2}))
    ck = torch.load(path, weights_only=True)
    torch.save({**ck, "config": {**ck["config"], **change}}, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError, match=needle) as exc:
        load_checkpoint(tmp_path / "bad.pt")
    assert str(tmp_path / "bad.pt") in _one_line(exc)


def test_torch_refusing_a_config_is_a_checkpoint_error(monkeypatch):
    """Whatever passes the checks but fails inside torch is still one line, not a traceback."""
    from evfocus_live.nn import registry

    class Broken(registry.FireNet):
        def __init__(self, config):
            raise RuntimeError("Trying to create tensor with negative dimension -4: [-4, 5, 3, 3]\nmore")

    monkeypatch.setitem(registry.ARCHS, "firenet", Broken)
    with pytest.raises(CheckpointError, match="invalid firenet config .*negative dimension") as exc:
        build_model("firenet", {"base": 2})
    _one_line(exc)
