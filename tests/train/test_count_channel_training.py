"""Training and evaluating a ``count_channel`` model: the cached input, the augmentations, a
few steps that lower the loss, the trainer end to end and ``evfocus eval`` on its checkpoint."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from train_support import tiny_cfg, tiny_data  # noqa: F401 (fixture)

from evfocus_live.core.voxel import COUNT_SCALE, model_voxel
from evfocus_live.errors import ConfigError
from evfocus_live.nn.registry import build_model, load_model
from evfocus_live.train.dataset import Augment, SequenceDataset, load_sequence
from evfocus_live.train.evaluate import evaluate
from evfocus_live.train.losses import LossWeights, sequence_loss
from evfocus_live.train.trainer import Unroll, train

NO_AUG = dict(crop=0, flip=False, noise_prob=0.0, hot_pixel_prob=0.0, pause_prob=0.0)


@pytest.fixture(scope="module")
def seq_path(tmp_path_factory):
    from evfocus_live.train.synth import simulate_minimal

    return simulate_minimal(tmp_path_factory.mktemp("count") / "seq_00000.h5", width=48, height=40, n_frames=8,
                            sigma_range=(1, 2), seed=3)


def _window_events(path, i):
    """The events of cached window ``i`` (between ground-truth frames i and i+1)."""
    import h5py

    from evfocus_live.events import EVENT_DTYPE

    with h5py.File(path, "r") as f:
        t_us = f["frames"]["t_us"][:]
        g = f["events"]
        t = g["t"][:]
        a, b = np.searchsorted(t, t_us[i:i + 2], side="left")
        ev = np.empty(b - a, EVENT_DTYPE)
        ev["t"] = t[a:b]
        for k in ("x", "y", "p"):
            ev[k] = g[k][a:b]
    return ev


def test_the_cache_holds_the_count_after_the_bins(seq_path):
    plain, count = load_sequence(seq_path, 5), load_sequence(seq_path, 5, count_channel=True)
    assert count.count_channel and not plain.count_channel
    assert plain.voxels.shape[1] == 5 and count.voxels.shape[1] == 6 and count.voxels.dtype == np.float16
    assert np.array_equal(count.voxels[:, :5], plain.voxels)
    want = model_voxel(_window_events(seq_path, 2), 5, 48, 40, count_channel=True).numpy().astype(np.float16)
    assert np.array_equal(count.voxels[2], want)
    assert np.abs(count.voxels[:, 5]).max() > 0


def _items(seq, **aug):
    ds = SequenceDataset([seq], seq_len=4, augment=Augment(**{**NO_AUG, **aug}), seed=5)
    return ds, ds[0]["voxel"].numpy()


def test_voxel_noise_leaves_the_count_exact(seq_path):
    seq = load_sequence(seq_path, 5, count_channel=True)
    _, clean = _items(seq)
    ds, noisy = _items(seq, noise_prob=1.0, noise_std=0.5)
    assert ds.count_channel and noisy.shape[1] == 6
    assert np.array_equal(noisy[:, 5], clean[:, 5]) and not np.array_equal(noisy[:, :5], clean[:, :5])


def test_hot_pixels_add_to_the_count_as_events(seq_path):
    seq = load_sequence(seq_path, 5, count_channel=True)
    _, clean = _items(seq)
    _, hot = _items(seq, hot_pixel_prob=1.0, hot_pixel_frac=0.01)
    diff = hot - clean
    assert np.count_nonzero(diff[:, 0]) > 0
    for b in range(5):  # every bin gets the same value at a hot pixel
        np.testing.assert_allclose(diff[:, b], diff[:, 0], atol=1e-6)
    np.testing.assert_allclose(diff[:, 5], COUNT_SCALE * 5 * diff[:, 0], atol=1e-5)


def test_a_pause_has_no_events_and_so_no_count(seq_path):
    seq = load_sequence(seq_path, 5, count_channel=True)
    _, paused = _items(seq, pause_prob=1.0)
    assert np.abs(paused[0]).max() > 0 and not paused[1:].any()


def test_flips_and_crops_move_the_count_with_the_bins(seq_path):
    seq = load_sequence(seq_path, 5, count_channel=True)
    ds, item = _items(seq, crop=24, flip=True)
    ds.rng = np.random.default_rng(5)
    full = ds.seqs[0].voxels[:4].astype(np.float32)
    # find where the item came from: the count channel moves with the bins, so one place fits both
    hits = [(y, x, fy, fx) for fy in (False, True) for fx in (False, True)
            for y in range(40 - 24 + 1) for x in range(48 - 24 + 1)
            if np.array_equal(_flip(full[..., y:y + 24, x:x + 24], fy, fx), item)]
    assert hits


def _flip(v, fy, fx):
    v = v[..., ::-1, :] if fy else v
    return v[..., ::-1] if fx else v


def test_mixed_caches_are_refused(seq_path):
    with pytest.raises(ConfigError, match="with and without the event-count channel"):
        SequenceDataset([load_sequence(seq_path, 5), load_sequence(seq_path, 5, count_channel=True)], seq_len=2)


def test_a_few_steps_lower_the_loss(tiny_data):
    torch.manual_seed(0)
    ds = SequenceDataset.from_dir(tiny_data, num_bins=5, progress=False, count_channel=True, seq_len=3,
                                  augment=None)
    batch = {k: torch.stack([ds[i][k] for i in range(2)]) for k in ds[0]}
    assert batch["voxel"].shape[2] == 6
    model = build_model("evfocus", dict(base=4, kernel=3, num_deblur_blocks=1, count_channel=True)).train()
    net, weights = Unroll(model), LossWeights()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(15):
        loss, _ = sequence_loss(net(batch["voxel"]), batch, weights, count_channel=True)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


@pytest.fixture(scope="module")
def count_run(tiny_data, tmp_path_factory):
    """The trainer end to end on a count_channel config: its checkpoint."""
    out = tmp_path_factory.mktemp("count_run")
    cfg = tiny_cfg(tiny_data, out / "run")
    cfg["model"]["count_channel"] = True
    summary = train(cfg, progress=False)
    return summary["checkpoint"]


def test_the_trainer_writes_a_count_checkpoint(count_run):
    model = load_model(count_run)
    assert model.count_channel and model.head.conv.weight.shape[1] == 6


def test_eval_runs_a_count_checkpoint_on_ground_truth_and_a_recording(count_run, tiny_data, tmp_path):
    from conftest import make_events

    from evfocus_live.writers.hdf5 import Hdf5Writer

    rec = tmp_path / "rec.h5"  # a recording without ground truth
    with Hdf5Writer(rec, 64, 48, sensor="test") as w:
        w.write(make_events(20_000, 64, 48, duration_us=200_000))
    plain = tmp_path / "plain.pt"
    from evfocus_live.nn.registry import save_checkpoint

    save_checkpoint(plain, build_model("evfocus", dict(base=4, kernel=3, num_deblur_blocks=1)))
    rep = evaluate([count_run, str(plain)], [str(tiny_data), str(rec)], tmp_path / "report", warmup=1,
                   max_windows=3, progress=False)
    scores = rep["ground_truth"]["splits"]["all"]
    assert {"run", "plain"} <= set(scores) and all(np.isfinite(scores[m]["ssim"]) for m in ("run", "plain"))
    assert set(rep["real"]["rec.h5"]) == {"run", "plain"}
    assert scores["run"]["n"] == scores["plain"]["n"] > 0


def test_the_activity_weighted_sigma_loss_reads_the_bins_not_the_count():
    """``[loss] sigma_activity`` weights by event activity: the count channel is not activity."""
    g = torch.Generator().manual_seed(0)
    bins = torch.randn(1, 2, 5, 16, 16, generator=g)
    count = torch.zeros(1, 2, 1, 16, 16)
    count[..., :4, :4] = 50.0
    z = torch.rand(1, 2, 1, 16, 16, generator=g)
    outs = [{"image": z[:, t], "blur": z[:, t], "sigma": torch.rand(1, 1, 16, 16, generator=g)} for t in range(2)]
    w = LossWeights(blur=0, redefocus=0, temporal=0, sigma=1.0, sigma_activity=1.0)
    plain = {"voxel": bins, "sharp": z, "blurred": z, "sigma": z * 4}
    with_count = {**plain, "voxel": torch.cat([bins, count], 2)}
    _, want = sequence_loss(outs, plain, w)
    _, got = sequence_loss(outs, with_count, w, count_channel=True)
    assert torch.equal(got["sigma"], want["sigma"])
    _, wrong = sequence_loss(outs, with_count, w)
    assert not torch.equal(wrong["sigma"], want["sigma"])
