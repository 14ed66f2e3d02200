"""Training: dataset over simulated .h5, losses, a few steps lower the loss, checkpoints,
resume, logs, config errors, and a 2-process DDP (gloo) smoke run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from evfocus_live.errors import ConfigError, InputError
from evfocus_live.nn.registry import load_model
from evfocus_live.train.dataset import Augment, SequenceDataset, load_sequence, voxel_grid_np
from evfocus_live.train.losses import LossWeights, sequence_loss, ssim
from evfocus_live.train.synth import simulate_minimal
from evfocus_live.train.trainer import Unroll, load_config, normalize_config, train

from conftest import make_events
from train_support import DDP_RANK_ENV, ddp_store, tiny_cfg, tiny_data  # noqa: F401 (fixtures)

TINY_MODEL = {"arch": "evfocus", "base": 4, "kernel": 3, "num_deblur_blocks": 1}


#: the tiny models here run far faster on one thread than on two contended ones
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_sequence_cache_and_items(tiny_data):
    seq = load_sequence(tiny_data / "seq_00000.h5")
    assert seq.voxels.shape == (11, 5, 48, 64) and seq.voxels.dtype == np.float16
    assert seq.sharp.shape == (11, 48, 64) and seq.n_events.sum() > 100
    ds = SequenceDataset([seq], seq_len=4, augment=Augment(crop=32, pause_prob=0.5), seed=0)
    item = ds[0]
    assert item["voxel"].shape == (4, 5, 32, 32)
    assert item["sharp"].shape == item["blurred"].shape == item["sigma"].shape == (4, 1, 32, 32)
    assert 0 <= float(item["sharp"].min()) and float(item["sharp"].max()) <= 1
    plain = SequenceDataset([seq], seq_len=4, augment=None)[0]
    assert plain["voxel"].shape == (4, 5, 48, 64)
    assert torch.allclose(plain["sharp"][:, 0], torch.from_numpy(seq.sharp[:4] / 255.0).float())


def test_voxel_fallback_matches_core():
    core = pytest.importorskip("evfocus_live.core.voxel")
    ev = make_events(5000, 64, 48, duration_us=20_000, seed=3)
    ours = voxel_grid_np(ev, 5, 64, 48)
    theirs = core.voxel_grid(ev, 5, 64, 48).numpy()
    assert np.allclose(ours, theirs, atol=1e-4)


def test_ssim_and_loss_terms():
    a = torch.rand(2, 1, 32, 32)
    assert abs(float(ssim(a, a)) - 1) < 1e-5
    assert float(ssim(a, torch.rand(2, 1, 32, 32))) < 0.5
    batch = {k: torch.rand(2, 3, 1, 32, 32) for k in ("sharp", "blurred", "sigma")}
    outs = [{"image": batch["sharp"][:, t], "blur": batch["blurred"][:, t], "reblur": batch["blurred"][:, t],
             "sigma": batch["sigma"][:, t]} for t in range(3)]
    loss, parts = sequence_loss(outs, batch, LossWeights())
    assert float(loss) < 1e-4 and set(parts) == {"sharp", "blur", "redefocus", "sigma", "temporal"}
    # the readout term scores the map's mean only: a map with the right mean but the wrong
    # layout costs nothing there, a map off by 1 px everywhere costs 1 px / sigma_scale_px
    w = LossWeights(blur=0, redefocus=0, sigma=0, temporal=0, sigma_mean=1.0)
    shuffled = [{**o, "sigma": o["sigma"].flip(-1)} for o in outs]
    _, parts = sequence_loss(shuffled, batch, w)
    assert float(parts["sigma_mean"]) < 1e-6
    _, parts = sequence_loss([{**o, "sigma": o["sigma"] + 1.0} for o in outs], batch, w)
    assert float(parts["sigma_mean"]) == pytest.approx(1.0 / w.sigma_scale_px, rel=1e-5)


def test_sigma_loss_weighted_by_event_activity():
    """[loss] sigma_activity: the per-pixel sigma L1 weighted like the viewer's readout —
    an error where no event fires costs (1 - share) of what it costs at an edge."""
    from evfocus_live.train.losses import activity_weights

    vox = torch.zeros(2, 3, 5, 40, 60)
    vox[:, :, :, :, 8:12] = 1.0  # an edge's event band on the left, nothing on the right
    wts = activity_weights(vox[:, 0], 0.75)
    assert wts.shape == (2, 1, 40, 60) and torch.allclose(wts.mean((-2, -1)), torch.ones(2, 1))
    assert float(wts[..., 10].min()) > 2.0 and float(wts[..., 50:].max()) == pytest.approx(0.25, abs=1e-4)
    assert torch.equal(activity_weights(vox[:, 0], 0.0), torch.ones(2, 1, 40, 60))
    batch = {"voxel": vox, "sigma": torch.full((2, 3, 1, 40, 60), 2.0),
             "sharp": torch.zeros(2, 3, 1, 40, 60), "blurred": torch.zeros(2, 3, 1, 40, 60)}
    wrong_right = torch.full((2, 1, 40, 60), 2.0)
    wrong_right[..., 40:] = 6.0  # 4 px off, but only where blur is unobservable
    outs = [{"image": batch["sharp"][:, t], "blur": batch["blurred"][:, t], "sigma": wrong_right} for t in range(3)]
    plain = LossWeights(blur=0, redefocus=0, temporal=0, sigma=1.0)
    _, p0 = sequence_loss(outs, batch, plain)
    _, p1 = sequence_loss(outs, batch, LossWeights(blur=0, redefocus=0, temporal=0, sigma=1.0, sigma_activity=1.0))
    assert float(p0["sigma"]) == pytest.approx(4.0 / 3 / plain.sigma_scale_px, rel=1e-5)
    assert float(p1["sigma"]) < 0.01 * float(p0["sigma"])
    with pytest.raises(ConfigError, match="sigma_activity"):
        normalize_config({"model": {"arch": "evfocus"}, "loss": {"sigma_activity": 2}})


def test_only_grad_leaves_out_terms_that_reach_no_weight():
    """A head-only stage scores only the outputs that carry a gradient; with none, the
    total is a constant zero (the trainer then says no term reaches a trainable weight)."""
    batch = {"voxel": torch.rand(1, 3, 5, 16, 16), "sigma": torch.full((1, 3, 1, 16, 16), 2.0),
             "sharp": torch.rand(1, 3, 1, 16, 16), "blurred": torch.rand(1, 3, 1, 16, 16)}
    head = torch.zeros(1, 1, 16, 16, requires_grad=True)
    outs = [{"image": batch["sharp"][:, t] * 0.5, "blur": batch["blurred"][:, t] * 0.5, "sigma": head + 1.0}
            for t in range(3)]
    w = LossWeights(sigma=1.0)
    _, every = sequence_loss(outs, batch, w)
    loss, parts = sequence_loss(outs, batch, w, only_grad=True)
    assert {"sharp", "blur", "temporal", "sigma"} <= set(every) and set(parts) == {"sigma"}
    assert loss.requires_grad and float(loss.detach()) == pytest.approx(float(every["sigma"]))
    frozen = [{k: v.detach() for k, v in o.items()} for o in outs]
    none, _ = sequence_loss(frozen, batch, w, only_grad=True)
    assert not none.requires_grad and float(none) == 0.0


def test_few_steps_lower_the_loss(tiny_data):
    torch.manual_seed(0)
    ds = SequenceDataset.from_dir(tiny_data, seq_len=3, augment=None)
    batch = {k: torch.stack([ds[0][k], ds[1][k]]) for k in ("voxel", "sharp", "blurred", "sigma")}
    from evfocus_live.nn.registry import build_model

    model = build_model("evfocus", {k: v for k, v in TINY_MODEL.items() if k != "arch"}).train()
    net, opt, w = Unroll(model), torch.optim.Adam(model.parameters(), lr=3e-3), LossWeights()
    losses = []
    for _ in range(15):
        loss, _ = sequence_loss(net(batch["voxel"]), batch, w)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.9 * losses[0], losses


def test_train_writes_checkpoint_logs_and_resumes(tiny_data, tmp_path):
    out = tmp_path / "run"
    s = train(tiny_cfg(tiny_data, out), progress=False)
    assert s["step"] == 3
    for name in ("final.pt", "last.pt", "log.csv", "log.json", "loss.png"):
        assert (out / name).is_file(), name
    assert json.loads((out / "log.json").read_text())["params"] > 0
    m = load_model(str(out / "final.pt"))
    assert not m.training and m.meta["step"] == 3
    s2 = train(tiny_cfg(tiny_data, out), resume=True, steps=5, progress=False)
    assert s2["step"] == 5
    rows = (out / "log.csv").read_text().strip().splitlines()
    assert len(rows) == 1 + 5
    # the run before's final.pt is moved aside, so that a run the wall time stops (last.pt
    # only) cannot be mistaken for that one's end (train_gpu.sh takes final.pt first)
    assert load_model(str(out / "final.prev.pt")).meta["step"] == 3
    train(tiny_cfg(tiny_data, out), steps=1, progress=False)  # afresh: last.pt moves aside too
    assert load_model(str(out / "final.prev.pt")).meta["step"] == 5
    assert load_model(str(out / "last.prev.pt")).meta["step"] == 5
    assert load_model(str(out / "final.pt")).meta["step"] == 1


def test_loss_skip_ignores_first_windows():
    batch = {k: torch.rand(2, 4, 1, 32, 32) for k in ("sharp", "blurred", "sigma")}
    outs = [{"image": torch.rand(2, 1, 32, 32) if t < 2 else batch["sharp"][:, t]} for t in range(4)]
    scored, _ = sequence_loss(outs, batch, LossWeights(), skip=2)
    assert float(scored) < 1e-4  # the two wrong windows are not scored
    assert float(sequence_loss(outs, batch, LossWeights())[0]) > 0.1
    with pytest.raises(ValueError):
        sequence_loss(outs, batch, LossWeights(), skip=4)


def test_unroll_carries_detached_state_between_chunks(tiny_data):
    """Chunk 2 after chunk 1 (state carried) equals the unchunked run's last windows, and
    its graph does not reach back into chunk 1 (truncation)."""
    from evfocus_live.nn.registry import build_model

    torch.manual_seed(0)
    model = build_model("evfocus", {k: v for k, v in TINY_MODEL.items() if k != "arch"}).eval()
    vox = torch.from_numpy(load_sequence(tiny_data / "seq_00000.h5").voxels[:6].astype(np.float32))[None]
    net = Unroll(model)
    full = net(vox)
    net(vox[:, :3])
    second = net(vox[:, 3:], reset=False)
    for a, b in zip(full[3:], second):
        assert torch.allclose(a["image"], b["image"], atol=1e-6)
    fresh = net(vox[:, 3:])  # reset=True forgets chunk 1
    assert not torch.allclose(fresh[0]["image"], second[0]["image"], atol=1e-4)
    model.train()
    net(vox[:, :3])
    assert model.states[0][0].grad_fn is not None
    detached = []
    model.detach_states = (lambda f: lambda: (f(), detached.append(model.states))[0])(model.detach_states)
    net(vox[:, 3:], reset=False)
    assert all(s[0].grad_fn is None for s in detached[0])


def test_train_tbptt_counts_one_step_per_chunk(tiny_data, tmp_path):
    cfg = tiny_cfg(tiny_data, tmp_path / "run", steps=4)
    cfg["data"].update(seq_len=6, tbptt=3, loss_skip=1)
    s = train(cfg, progress=False)
    assert s["step"] == 4  # two items x two chunks
    rows = (tmp_path / "run" / "log.csv").read_text().strip().splitlines()
    assert len(rows) == 1 + 4


def test_loader_workers_draw_different_augmentations(tiny_data):
    """Forked loader processes must not repeat one another's crops and noise."""
    from torch.utils.data import DataLoader

    from evfocus_live.train.trainer import _seed_worker

    ds = SequenceDataset.from_dir(tiny_data, seq_len=3, augment=Augment(crop=24, noise_prob=1.0), stride=100)
    ds.items = [ds.items[0]] * 4  # the same item four times: only the augmentation differs
    loader = DataLoader(ds, batch_size=1, num_workers=2, worker_init_fn=_seed_worker)
    vox = [b["voxel"] for b in loader]
    assert len(vox) == 4
    assert not torch.equal(vox[0], vox[1])  # first item of worker 0 vs first item of worker 1


def test_train_with_loader_workers_and_bf16_autocast(tiny_data, tmp_path):
    """The GPU recipe's code paths on the CPU: loader processes and bf16 autocast ([train] amp
    = "bf16"; what "auto" picks on a CPU: test_train_amp_auto_cpu.py)."""
    cfg = tiny_cfg(tiny_data, tmp_path / "run", steps=2, amp="bf16")
    cfg["data"]["workers"] = 2
    s = train(cfg, progress=False)
    assert s["step"] == 2 and s["amp"] == "bfloat16" and np.isfinite(s["loss"])
    assert load_model(str(tmp_path / "run" / "final.pt")).meta["hardware"]
    with pytest.raises(ConfigError, match=r"\[train\] amp must be"):
        normalize_config({"model": {"arch": "evfocus"}, "train": {"amp": "fp8"}})


def test_bf16_on_a_gpu_without_it_is_one_config_error(monkeypatch):
    """A GPU without bf16 (pre-Ampere) would run bf16 autocast slowly or not at all: refuse it
    by name, not by a CUDA error mid-run. "auto" picks fp16 there."""
    from evfocus_live.train.trainer import _amp_dtype

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a, **k: (7, 5))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a, **k: "Tesla T4")
    with pytest.raises(ConfigError, match=r"Tesla T4 has no bf16"):
        _amp_dtype(torch.device("cuda"), "bf16")
    assert _amp_dtype(torch.device("cuda"), "auto") == torch.float16
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a, **k: (8, 0))
    assert _amp_dtype(torch.device("cuda"), "bf16") == torch.bfloat16


def test_divergence_stops_with_one_line_and_keeps_last_good(tiny_data, tmp_path, monkeypatch):
    from evfocus_live.errors import TrainingError
    from evfocus_live.train import trainer

    out = tmp_path / "run"
    train(tiny_cfg(tiny_data, out, steps=2), progress=False)
    good = (out / "last.pt").read_bytes()
    real = trainer.sequence_loss
    monkeypatch.setattr(trainer, "sequence_loss", lambda *a, **k: (lambda l, p: (l * float("nan"), p))(*real(*a, **k)))
    with pytest.raises(TrainingError, match="diverged at step 3") as exc:
        train(tiny_cfg(tiny_data, out, steps=5, ckpt_every_s=0.0), resume=True, progress=False)
    assert "\n" not in str(exc.value)
    assert (out / "last.pt").read_bytes() == good  # the NaN weights were never written


def test_training_data_from_several_directories(tiny_data, tmp_path):
    """[data] train (or --data) may name several directories: their sequences add up."""
    import shutil

    second = tmp_path / "more"
    second.mkdir()
    shutil.copy(tiny_data / "seq_00000.h5", second / "seq_00000.h5")
    one = SequenceDataset.from_dir(str(tiny_data), seq_len=3, progress=False)
    both = SequenceDataset.from_dir([str(tiny_data), str(second)], seq_len=3, progress=False)
    assert len(both.seqs) == len(one.seqs) + 1 and len(both) > len(one)
    meta = train(tiny_cfg(tiny_data, tmp_path / "run", steps=1), data=[str(tiny_data), str(second)], progress=False)
    assert meta["dataset_sequences"] == 3
    with pytest.raises(InputError, match="data path not found"):
        SequenceDataset.from_dir([str(tiny_data), str(tmp_path / "missing")], progress=False)


def test_init_starts_a_second_stage_and_refuses_other_weights(tiny_data, tmp_path):
    from evfocus_live.errors import CheckpointError

    first = train(tiny_cfg(tiny_data, tmp_path / "a", steps=2), progress=False)
    s = train(tiny_cfg(tiny_data, tmp_path / "b", steps=1), init=first["checkpoint"], lr=1e-4, progress=False)
    assert s["step"] == 1 and s["init"]["step"] == 2  # a fresh schedule, the first stage recorded
    assert s["train_config"]["train"]["lr"] == 1e-4
    third = train(tiny_cfg(tiny_data, tmp_path / "b3", steps=1), init=s["checkpoint"], progress=False)
    assert third["init"]["step"] == 1 and third["init"]["lr"] == 1e-4 and third["init"]["init"]["step"] == 2  # the chain
    other = tiny_cfg(tiny_data, tmp_path / "c", steps=1)
    other["model"]["base"] = 8
    with pytest.raises(CheckpointError, match="--init weights are evfocus") as exc:
        train(other, init=first["checkpoint"], progress=False)
    assert "\n" not in str(exc.value)


def test_trainable_head_on_a_frozen_network(tiny_data, tmp_path):
    """[train] trainable: a new defocus head trained on frozen weights loaded by --init
    leaves every frozen tensor (so the sharp frame) bit for bit as it was; an init that
    lacks a frozen tensor, a prefix that names nothing, and a loss that reaches no
    trainable weight are each one clear error."""
    from evfocus_live.errors import CheckpointError, TrainingError
    from evfocus_live.nn.registry import load_checkpoint

    first = train(tiny_cfg(tiny_data, tmp_path / "a", steps=2), progress=False)
    cfg = tiny_cfg(tiny_data, tmp_path / "head", steps=3, trainable=["redefocus."], lr=1e-2)
    cfg["model"].update(sigma_head=4, sigmas_px=[0.0, 1.0, 2.0, 3.0, 4.5, 6.0])
    cfg["loss"].update(sigma=1.0, redefocus=0.0)
    s = train(cfg, init=first["checkpoint"], progress=False)
    old, new = load_checkpoint(first["checkpoint"]).state_dict(), load_checkpoint(s["checkpoint"]).state_dict()
    frozen = [k for k in new if not k.startswith("redefocus.")]
    assert frozen and all(torch.equal(old[k], new[k]) for k in frozen)
    assert "redefocus.logits.0.weight" in new and "redefocus.logits.0.weight" not in old
    from evfocus_live.nn.registry import read_checkpoint
    from evfocus_live.train.card import training_stages

    stages = training_stages(read_checkpoint(s["checkpoint"])["meta"])  # the card says which stage was head-only
    assert [st["trainable"] for st in stages] == [None, ["redefocus."]]
    head_cfg = tmp_path / "head.toml"
    head_cfg.write_text('[model]\narch = "evfocus"\n[train]\nlr = 0.5\n')
    m = read_checkpoint(s["checkpoint"])["meta"]
    m["init"].pop("lr")  # a first stage recorded before runs kept their rate
    assert [st["lr"] for st in training_stages(m, head_cfg)] == [None, 1e-2]  # not the head stage's config
    assert training_stages(m["init"], head_cfg)[0]["lr"] == 0.5  # a one-stage run: its own config
    logged = (tmp_path / "head" / "log.csv").read_text().splitlines()[0].split(",")
    assert "sigma" in logged and "sharp" not in logged  # the frozen outputs' losses are not computed
    model = load_model(s["checkpoint"])
    with torch.no_grad():
        out = model(torch.zeros(1, 5, 45, 61))
    assert out["sigma"].shape == (1, 1, 45, 61) and float(out["sigma"].max()) <= 6.0

    bad = tiny_cfg(tiny_data, tmp_path / "bad", steps=1, trainable=["redefocus."])
    bad["model"]["base"] = 8  # the frozen encoder would stay random
    with pytest.raises(CheckpointError, match="lacks frozen parameter") as exc:
        train(bad, init=first["checkpoint"], progress=False)
    assert "\n" not in str(exc.value)
    with pytest.raises(ConfigError, match="no parameter of evfocus starts with 'head_typo.'"):
        train(tiny_cfg(tiny_data, tmp_path / "typo", steps=1, trainable=["head_typo."]), progress=False)
    mute = tiny_cfg(tiny_data, tmp_path / "mute", steps=1, trainable=["redefocus."])
    mute["loss"].update(sigma=0.0, redefocus=0.0)
    with pytest.raises(TrainingError, match="no loss term reaches a trainable parameter"):
        train(mute, init=first["checkpoint"], progress=False)
    with pytest.raises(ConfigError, match="trainable"):
        normalize_config({"model": {"arch": "evfocus"}, "train": {"trainable": "redefocus."}})


def test_average_checkpoints_is_the_weight_mean_and_names_its_stages(tmp_path, monkeypatch):
    """Stochastic weight averaging of stage ends: the float weights' mean, the sources'
    stages in the meta and the card; another network is one clear error."""
    from pathlib import Path

    from evfocus_live.errors import CheckpointError
    from evfocus_live.nn.registry import build_model, load_checkpoint, save_checkpoint
    from evfocus_live.train.average import average_checkpoints, main
    from evfocus_live.train.card import write_card

    torch.manual_seed(0)
    metas = [{"step": 3, "init": {"step": 2}}, {"step": 5, "init": {"step": 3, "init": {"step": 2}}}]
    paths = [save_checkpoint(tmp_path / f"s{i}.pt", build_model("e2vid", {"base": 4}), m) for i, m in enumerate(metas)]
    out = average_checkpoints(tmp_path / "avg.pt", paths, half=False)
    a, b, avg = (load_checkpoint(p).state_dict() for p in (*paths, out))
    for k in avg:
        assert torch.allclose(avg[k], (a[k] + b[k]) / 2, atol=1e-7), k
    meta = torch.load(out, weights_only=True)["meta"]
    assert meta["step"] == 5 and meta["init"]["step"] == 3  # the last source's training chain
    assert [(s["stages"], s["steps"]) for s in meta["average_of"]] == [(2, 5), (3, 10)]

    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "models"))
    (tmp_path / "models").mkdir()
    cfg = Path(__file__).resolve().parents[2] / "models" / "configs" / "e2vid-full.toml"
    text = write_card("avg-test", out, cfg, None, "avg-test").read_text()
    assert "the mean of the weights at the ends of stages 2, 3 (5, 10 steps" in text
    from evfocus_live.train.trainer import _init_weights

    init = _init_weights(build_model("e2vid", {"base": 4}), str(out))  # a further stage from the mean says so
    nxt = save_checkpoint(tmp_path / "next.pt", build_model("e2vid", {"base": 4}), {"step": 1, "init": init})
    text = write_card("next-test", nxt, cfg, None, "next-test").read_text()
    assert "stage 4: 1 steps" in text and "(from the mean of the weights at the ends of stages 2, 3, fresh" in text

    # a mean of a mean and later stage ends (shipped weights continued, then averaged again)
    again = average_checkpoints(tmp_path / "again.pt", [out, nxt], half=False)
    meta = torch.load(again, weights_only=True)["meta"]
    assert meta["average_of"][0]["average_of"][1]["stages"] == 3 and "average_of" not in meta["average_of"][1]
    text = write_card("again-test", again, cfg, None, "again-test").read_text()
    assert "weights: the mean of: the mean of stages 2, 3; stage 4's end (10, 11 steps" in text

    other = save_checkpoint(tmp_path / "other.pt", build_model("e2vid", {"base": 8}), {})
    with pytest.raises(CheckpointError, match="not the same network"):
        average_checkpoints(tmp_path / "x.pt", [paths[0], other])
    assert main([str(tmp_path / "y.pt"), str(paths[0]), str(other)]) == 2 and not (tmp_path / "y.pt").exists()
    assert main([str(tmp_path / "z.pt"), str(paths[0])]) == 2


def test_graft_takes_the_head_from_the_donor_and_leaves_the_frame(tmp_path, monkeypatch):
    """A graft swaps only the named part (the defocus head), so the frame and the blur estimate
    stay those of the base; the meta and the card say where the part came from; another
    network or a prefix that names nothing is one clear error."""
    from pathlib import Path

    from evfocus_live.errors import CheckpointError
    from evfocus_live.nn.registry import build_model, load_checkpoint, save_checkpoint
    from evfocus_live.train.card import write_card
    from evfocus_live.train.graft import graft_checkpoint, main

    cfg = {"base": 4, "sigma_head": 8, "sigmas_px": [0.0, 1.0, 2.0, 4.5]}
    torch.manual_seed(0)
    donor = save_checkpoint(tmp_path / "donor.pt", build_model("evfocus", cfg), {"step": 4, "init": {"step": 6}})
    base = save_checkpoint(tmp_path / "base.pt", build_model("evfocus", cfg), {"step": 9, "init": {"step": 4, "init": {"step": 6}}})
    out = graft_checkpoint(tmp_path / "g.pt", base, donor, ["redefocus."])
    b, d, g = (load_checkpoint(p) for p in (base, donor, out))
    head = [k for k in g.state_dict() if k.startswith("redefocus.")]
    assert head and all(torch.equal(g.state_dict()[k], d.state_dict()[k]) for k in head)
    assert all(torch.equal(v, b.state_dict()[k]) for k, v in g.state_dict().items() if k not in head)
    assert not all(torch.equal(b.state_dict()[k], d.state_dict()[k]) for k in head)  # the swap changed something
    v = torch.randn(1, 5, 32, 40)
    with torch.no_grad():
        ob, og = b.eval()(v), g.eval()(v)
    assert torch.equal(ob["image"], og["image"]) and torch.equal(ob["blur"], og["blur"])
    assert not torch.equal(ob["sigma"], og["sigma"])
    meta = torch.load(out, weights_only=True)["meta"]
    assert meta["step"] == 9 and meta["grafted"]["stages"] == 2 and meta["grafted"]["steps"] == 10
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "models"))
    (tmp_path / "models").mkdir()
    text = write_card("g-test", out, Path(__file__).resolve().parents[2] / "models" / "configs" / "evfocus-stage4.toml",
                      None, "g-test").read_text()
    assert f"`redefocus.` ({meta['grafted']['params']:,} parameters) from stage 2's end (10 steps)" in text
    # a further stage from the grafted weights names the graft in its chain
    nxt = save_checkpoint(tmp_path / "next.pt", g, {"step": 5, "init": {**meta, "path": str(out)}})
    text = write_card("g-next", nxt, Path(__file__).resolve().parents[2] / "models" / "configs" / "evfocus-stage4.toml",
                      None, "g-next").read_text()
    assert "stage 4: 5 steps" in text and "(from stage 3's weights with `redefocus.` from stage 2's end" in text

    other = save_checkpoint(tmp_path / "other.pt", build_model("evfocus", {**cfg, "base": 8}), {})
    with pytest.raises(CheckpointError, match="not the same network"):
        graft_checkpoint(tmp_path / "x.pt", base, other, ["redefocus."])
    with pytest.raises(CheckpointError, match="no tensor starts with"):
        graft_checkpoint(tmp_path / "x.pt", base, donor, ["nothing."])
    assert main([str(tmp_path / "y.pt"), str(base), str(other), "--prefix", "redefocus."]) == 2
    assert not (tmp_path / "y.pt").exists()


def test_config_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[model]\narch = "evfocus"\n[train]\nstepz = 3\n')
    with pytest.raises(ConfigError, match="stepz"):
        load_config(bad)
    (tmp_path / "broken.toml").write_text("[model\n")
    with pytest.raises(ConfigError, match="cannot parse"):
        load_config(tmp_path / "broken.toml")
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")
    for data, key in [({"tbptt": 0}, "tbptt"), ({"tbptt": -1}, "tbptt"), ({"tbptt": 2.5}, "tbptt"),
                      ({"loss_skip": 3, "tbptt": 3}, "loss_skip"), ({"loss_skip": -1}, "loss_skip"),
                      ({"seq_len": 0}, "seq_len"), ({"workers": -1}, "workers"), ({"train": 3}, "train"),
                      ({"train": []}, "train")]:
        with pytest.raises(ConfigError, match=key):
            normalize_config({"model": {"arch": "evfocus"}, "data": data})
    r = subprocess.run([sys.executable, "-m", "evfocus_live", "train", str(bad)], capture_output=True, text=True,
                       timeout=180)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "stepz" in r.stderr


def test_shipped_configs_parse():
    from pathlib import Path

    cfgs = sorted((Path(__file__).parents[2] / "models" / "configs").glob("*.toml"))
    assert {"evfocus.toml", "evfocus-full.toml", "e2vid.toml", "firenet.toml"} <= {p.name for p in cfgs}
    for p in cfgs:
        assert load_config(p)["model"]["arch"] in ("evfocus", "e2vid", "firenet")


def _ddp_worker(rank, world, port, cfg, result_dir):
    os.environ.update(DDP_RANK_ENV, MASTER_PORT=str(port), WORLD_SIZE=str(world), RANK=str(rank),
                      LOCAL_RANK=str(rank))
    import torch.distributed as dist

    summary = train(cfg, progress=False)
    # gradients were all-reduced: both ranks must hold identical weights
    w = torch.cat([p.detach().flatten() for p in load_model(str(cfg["train"]["out"]) + "/final.pt").parameters()])
    if rank == 0:
        torch.save({"w": w, "step": summary["step"]}, f"{result_dir}/rank0.pt")
    dist.destroy_process_group()


def test_ddp_two_processes_gloo(tiny_data, tmp_path):
    import torch.multiprocessing as mp

    cfg = tiny_cfg(tiny_data, tmp_path / "ddp", steps=2)
    with ddp_store(2) as port:
        mp.spawn(_ddp_worker, args=(2, port, cfg, str(tmp_path)), nprocs=2, join=True)
    res = torch.load(tmp_path / "rank0.pt", weights_only=True)
    assert res["step"] == 2
    ck = torch.load(tmp_path / "ddp" / "final.pt", weights_only=True)
    assert ck["meta"]["world_size"] == 2


def _ddp_worker_fast_clock(rank, world, port, cfg, result_dir):
    """Rank 1's clock runs 1000x fast: it alone would find the wall-time budget spent."""
    if rank == 1:
        import time as real_time
        from types import SimpleNamespace

        from evfocus_live.train import trainer
        t0 = real_time.monotonic()
        trainer.time = SimpleNamespace(**{k: getattr(real_time, k) for k in dir(real_time) if not k.startswith("_")})
        trainer.time.monotonic = lambda: t0 + (real_time.monotonic() - t0) * 1000
    os.environ.update(DDP_RANK_ENV, MASTER_PORT=str(port), WORLD_SIZE=str(world), RANK=str(rank),
                      LOCAL_RANK=str(rank))
    import torch.distributed as dist

    summary = train(cfg, progress=False)
    if rank == 0:
        torch.save({"step": summary["step"]}, f"{result_dir}/done0.pt")
    dist.destroy_process_group()


def test_ddp_ranks_agree_when_the_wall_time_is_up(tiny_data, tmp_path):
    """Each rank checked --max-minutes on its own clock: one could stop while the other
    waited for it forever in the next all-reduce."""
    import torch.multiprocessing as mp

    cfg = tiny_cfg(tiny_data, tmp_path / "ddp", steps=400)
    cfg["train"]["max_minutes"] = 0.5
    with ddp_store(2) as port:
        ctx = mp.start_processes(_ddp_worker_fast_clock, args=(2, port, cfg, str(tmp_path)), nprocs=2,
                                 join=False, start_method="spawn")
        deadline = time.monotonic() + 120
        try:
            while not ctx.join(timeout=1):
                assert time.monotonic() < deadline, "a rank hung: the ranks did not stop at the same step"
        finally:
            for p in ctx.processes:
                if p.is_alive():
                    p.kill()
    assert [p.exitcode for p in ctx.processes] == [0, 0]
    assert torch.load(tmp_path / "done0.pt", weights_only=True)["step"] < 400  # rank 1's clock ended it


def test_simulated_sequences_work_without_hdf5plugin(tmp_path, monkeypatch):
    """hdf5plugin is optional (e.g. on a GPU image): the simulator writes gzip, and the
    dataset and the evaluation read that without it."""
    from evfocus_live.train.evaluate import has_ground_truth

    monkeypatch.setitem(sys.modules, "hdf5plugin", None)  # import hdf5plugin -> ImportError
    path = tmp_path / "seq_00000.h5"
    simulate_minimal(path, width=32, height=24, n_frames=4, sigma_range=(1, 2), seed=3)
    assert load_sequence(path).voxels.shape == (3, 5, 24, 32)
    assert has_ground_truth(path)


@pytest.mark.parametrize("section, key, value", [
    ("data", "num_bins", 0), ("data", "batch_size", 0), ("data", "stride", 0), ("train", "lr", "fast"),
    ("train", "lr", float("nan")), ("train", "lr", -1.0), ("train", "steps", 0), ("train", "steps", -5),
    ("train", "max_minutes", 0), ("train", "max_minutes", -1), ("train", "threads", -1), ("train", "seed", -1),
    ("train", "log_every", 0), ("train", "channels_last", "yes"), ("model", "base", -4), ("model", "base", 4.5),
])
def test_bad_config_values_are_one_config_error(section, key, value):
    cfg = {"model": dict(TINY_MODEL), "data": {}, "train": {}}
    cfg[section][key] = value
    with pytest.raises(ConfigError, match=rf"\[{section}\] {key} must be") as exc:
        normalize_config(cfg)
    assert "\n" not in str(exc.value)


def test_bad_overrides_and_out_fail_before_training(tiny_data, tmp_path, capsys):
    """--steps 0 used to write an untrained final.pt (NaN loss) and exit 0; --max-minutes 0 and
    --lr -1 were taken; an --out that is a file failed after caching the data."""
    from evfocus_live.cli import main

    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[model]\narch = "evfocus"\nbase = 4\nkernel = 3\nnum_deblur_blocks = 1\n'
                   f'[data]\ntrain = "{tiny_data}"\nseq_len = 3\nbatch_size = 2\n[augment]\ncrop = 32\n'
                   f'[train]\nsteps = 1\nthreads = 1\ndevice = "cpu"\nout = "{tmp_path / "run"}"\n')
    afile = tmp_path / "afile"
    afile.write_text("")
    for opts, needle in [(["--steps", "0"], "--steps"), (["--steps", "-5"], "--steps"),
                         (["--max-minutes", "0"], "--max-minutes"), (["--max-minutes", "-1"], "--max-minutes"),
                         (["--lr", "-1"], "--lr"), (["--lr", "nan"], "--lr"), (["--out", str(afile)], "not a folder")]:
        assert main(["train", str(cfg), "--no-progress", *opts]) == 2, opts
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and needle in err[0], (opts, err)
    assert not (tmp_path / "run").exists()
    with pytest.raises(ConfigError, match="steps"):  # the Python API checks its overrides too
        train(tiny_cfg(tiny_data, tmp_path / "api"), steps=0, progress=False)


def test_resume_from_another_model_is_one_line(tiny_data, tmp_path):
    from evfocus_live.errors import CheckpointError
    from evfocus_live.nn.registry import build_model, save_checkpoint

    out = tmp_path / "run"
    save_checkpoint(out / "last.pt", build_model("firenet", {"base": 2}))
    with pytest.raises(CheckpointError, match="different model .*firenet.*drop --resume") as exc:
        train(tiny_cfg(tiny_data, out), resume=True, progress=False)
    assert "\n" not in str(exc.value)


def _strict_json(text):
    """json.loads that refuses NaN / Infinity (Python's own accepts them; JSON does not)."""
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))


def test_ctrl_c_saves_a_resumable_last_pt_and_the_logs(tiny_data, tmp_path, monkeypatch):
    """A KeyboardInterrupt mid-run used to leave the out folder empty: now last.pt (with the
    optimiser) and the logs are written, the interrupt goes on to the CLI, and --resume
    continues from that step."""
    from evfocus_live.nn.registry import read_checkpoint
    from evfocus_live.train import trainer

    out = tmp_path / "run"
    real, calls = trainer.sequence_loss, []

    def interrupt_third(*a, **k):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(trainer, "sequence_loss", interrupt_third)
    with pytest.raises(KeyboardInterrupt):
        train(tiny_cfg(tiny_data, out, steps=50, ckpt_every_s=1e6), progress=False)
    ck = read_checkpoint(out / "last.pt")
    assert ck["meta"]["step"] == 2 and "optimizer" in ck and not (out / "final.pt").exists()
    assert len((out / "log.csv").read_text().strip().splitlines()) == 1 + 2
    assert _strict_json((out / "log.json").read_text())["interrupted"] is True
    monkeypatch.setattr(trainer, "sequence_loss", real)
    assert train(tiny_cfg(tiny_data, out, steps=3), resume=True, progress=False)["step"] == 3


def test_resume_of_a_finished_run_does_nothing(tiny_data, tmp_path):
    """--resume after the step budget was reached used to do one more step, move final.pt
    aside and write loss NaN (invalid JSON): now no step, final.pt and log.json untouched,
    the loss the one the run ended with."""
    out = tmp_path / "run"
    first = train(tiny_cfg(tiny_data, out, steps=2), progress=False)
    final, log_json = (out / "final.pt").read_bytes(), (out / "log.json").read_text()
    again = train(tiny_cfg(tiny_data, out, steps=2), resume=True, progress=False)
    assert again["step"] == 2 and again["loss"] == first["loss"] and np.isfinite(again["loss"])
    json.dumps(again, allow_nan=False, default=str)
    assert (out / "final.pt").read_bytes() == final and not (out / "final.prev.pt").exists()
    assert (out / "log.json").read_text() == log_json


def test_resume_past_the_wall_time_budget_does_no_step(tiny_data, tmp_path):
    """A run whose wall time is already over the budget used to do one step per --resume."""
    out = tmp_path / "run"
    train(tiny_cfg(tiny_data, out, steps=2), progress=False)
    over = train(tiny_cfg(tiny_data, out, steps=10), resume=True, max_minutes=1e-6, progress=False)
    assert over["step"] == 2 and not (out / "final.prev.pt").exists()


def test_resumed_log_csv_keeps_integer_steps(tiny_data, tmp_path):
    """The rows read back on resume used to turn the step "1" into "1.0"."""
    out = tmp_path / "run"
    train(tiny_cfg(tiny_data, out, steps=2), progress=False)
    s = train(tiny_cfg(tiny_data, out, steps=3), resume=True, progress=False)
    assert s["step"] == 3 and np.isfinite(_strict_json((out / "log.json").read_text())["loss"])
    steps = [r.split(",")[0] for r in (out / "log.csv").read_text().strip().splitlines()[1:]]
    assert steps == ["1", "2", "3"]


def test_resume_with_changed_trainable_is_one_checkpoint_error(tiny_data, tmp_path):
    """Adam's state of the parameters trained before does not fit another [train] trainable:
    one CheckpointError (not torch's ValueError traceback), and the run's weights stay put."""
    from evfocus_live.errors import CheckpointError

    out = tmp_path / "run"
    train(tiny_cfg(tiny_data, out, steps=2), progress=False)
    with pytest.raises(CheckpointError, match=r"optimiser state does not fit.*trainable changed") as exc:
        train(tiny_cfg(tiny_data, out, steps=4, trainable=["head."]), resume=True, progress=False)
    assert "\n" not in str(exc.value)
    assert (out / "final.pt").is_file() and not (out / "final.prev.pt").exists()


def test_failed_start_leaves_the_earlier_runs_weights(tiny_data, tmp_path):
    """Missing data (or a refused --resume) used to rename final.pt/last.pt to *.prev.pt
    before failing; they are moved aside only when training really starts."""
    from evfocus_live.nn.registry import build_model, save_checkpoint

    out = tmp_path / "run"
    train(tiny_cfg(tiny_data, out, steps=1), progress=False)
    with pytest.raises(InputError):
        train(tiny_cfg(tiny_data, out, steps=1), data=str(tmp_path / "nosuch"), progress=False)
    assert {p.name for p in out.glob("*.pt")} == {"final.pt", "last.pt"}
    other = tmp_path / "other"
    save_checkpoint(other / "last.pt", build_model("firenet", {"base": 2}))
    save_checkpoint(other / "final.pt", build_model("firenet", {"base": 2}))
    with pytest.raises(Exception, match="different model"):
        train(tiny_cfg(tiny_data, other, steps=1), resume=True, progress=False)
    assert {p.name for p in other.glob("*.pt")} == {"final.pt", "last.pt"}


def test_init_applies_on_resume_without_last_pt(tiny_data, tmp_path):
    """--init with --resume and no last.pt yet used to start from random weights."""
    from evfocus_live.nn.registry import load_checkpoint

    first = train(tiny_cfg(tiny_data, tmp_path / "a", steps=2), progress=False)
    s = train(tiny_cfg(tiny_data, tmp_path / "b", steps=1, lr=1e-12), init=first["checkpoint"], resume=True,
              progress=False)
    assert s["init"]["step"] == 2
    a, b = load_checkpoint(first["checkpoint"]).state_dict(), load_checkpoint(s["checkpoint"]).state_dict()
    assert all(torch.allclose(a[k].float(), b[k].float(), atol=1e-6) for k in a)  # lr ~0: the same weights


def test_resumed_stage_keeps_the_stages_before_it(tiny_data, tmp_path):
    """Resuming an --init stage used to drop meta["init"], so the card lost the earlier stages."""
    from evfocus_live.nn.registry import read_checkpoint
    from evfocus_live.train.card import training_stages

    first = train(tiny_cfg(tiny_data, tmp_path / "a", steps=2), progress=False)
    train(tiny_cfg(tiny_data, tmp_path / "b", steps=1), init=first["checkpoint"], progress=False)
    s = train(tiny_cfg(tiny_data, tmp_path / "b", steps=2), resume=True, progress=False)
    meta = read_checkpoint(s["checkpoint"])["meta"]
    assert s["step"] == 2 and meta["init"]["step"] == 2 and len(training_stages(meta)) == 2


def test_ssim_window_fits_small_images_and_crop_below_11_trains(tiny_data, tmp_path):
    """SSIM's 11-tap window failed on images under 11 px ("Kernel size can't be greater than
    actual input size"), so [augment] crop = 8 crashed at step 1: it now shrinks to the largest
    odd window that fits; images of 11 px or more score exactly as before."""
    from evfocus_live.train.losses import recon_loss

    torch.manual_seed(0)
    for s in (10, 8, 3, 1):
        a, b = torch.rand(2, 1, s, s), torch.rand(2, 1, s, s)
        assert abs(float(ssim(a, a)) - 1) < 1e-5 and torch.isfinite(recon_loss(a, b))
    a, b = torch.rand(2, 1, 9, 40), torch.rand(2, 1, 9, 40)
    assert float(ssim(a, b)) < 0.5 and abs(float(ssim(a, a)) - 1) < 1e-5
    cfg = tiny_cfg(tiny_data, tmp_path / "run", steps=1)
    cfg["augment"]["crop"] = 8
    assert train(cfg, progress=False)["step"] == 1


def test_activity_weights_are_one_on_windows_without_events():
    """A pause window (no events) got 1 - share everywhere (0 at share 1), so its sigma loss
    vanished; its weights are now 1, as the viewer's readout uses the plain mean there."""
    from evfocus_live.train.losses import activity_weights

    vox = torch.zeros(2, 5, 16, 16)
    vox[1, 2, 4, 4] = 3.0  # sample 1 has events: unchanged, mean 1
    for share in (0.5, 1.0):
        w = activity_weights(vox, share)
        assert torch.equal(w[0], torch.ones(1, 16, 16))
        assert abs(float(w[1].mean()) - 1) < 1e-5 and float(w[1].max()) > 2
    B, L = 1, 2
    batch = {"voxel": torch.zeros(B, L, 5, 32, 32), "sigma": torch.full((B, L, 1, 32, 32), 2.0),
             "sharp": torch.zeros(B, L, 1, 32, 32), "blurred": torch.zeros(B, L, 1, 32, 32)}
    outs = [{"image": batch["sharp"][:, t], "blur": batch["blurred"][:, t],
             "sigma": torch.full((B, 1, 32, 32), 6.0)} for t in range(L)]
    w = LossWeights(blur=0, redefocus=0, temporal=0, sigma=1.0, sigma_activity=1.0)
    assert abs(float(sequence_loss(outs, batch, w)[1]["sigma"]) - 1.0) < 1e-6  # 4 px off / scale 4


def test_graft_cli_bad_out_is_one_line_and_leaves_no_tmp(tmp_path, caplog):
    """OUT an existing folder (IsADirectoryError) or under a file (FileExistsError) was a
    traceback with exit 1, and OUT.tmp was left behind: now one line, exit 2, nothing left."""
    from evfocus_live.nn.registry import build_model, save_checkpoint
    from evfocus_live.train.graft import main

    cfg = {"base": 4, "kernel": 3, "num_deblur_blocks": 1}
    a = save_checkpoint(tmp_path / "a.pt", build_model("evfocus", cfg))
    b = save_checkpoint(tmp_path / "b.pt", build_model("evfocus", cfg))
    (tmp_path / "outdir").mkdir()
    (tmp_path / "afile").write_text("")
    assert main([str(tmp_path / "outdir"), str(a), str(b), "--prefix", "redefocus."]) == 2
    assert "outdir: a folder of that name exists" in caplog.text
    assert main([str(tmp_path / "afile" / "o.pt"), str(a), str(b), "--prefix", "redefocus."]) == 2
    assert "afile is a file, not a folder" in caplog.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pt", "afile", "b.pt", "outdir"]
