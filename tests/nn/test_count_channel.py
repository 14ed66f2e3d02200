"""The event-count input channel (``count_channel``): a model option, its input and its init.

The bins are normalised per window, which drops how many events fell at a pixel (how far
log intensity moved); ``count_channel`` adds the window's signed count as one more input
channel. A model without it, and every shipped checkpoint, must be exactly as before.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch
from conftest import make_events

from evfocus_live.core.voxel import COUNT_SCALE, model_voxel, voxel_grid
from evfocus_live.errors import CheckpointError
from evfocus_live.nn.e2vid import E2VID
from evfocus_live.nn.evfocus import LIGHT, EvFocus
from evfocus_live.nn.registry import (build_model, load_checkpoint, load_model, model_count_channel,
                                      model_in_channels, save_checkpoint)
from evfocus_live.train.trainer import _init_weights

H, W = 26, 34
ARCHS = [("evfocus", dict(LIGHT, base=4)), ("e2vid", dict(base=4, kernel=3))]


@pytest.mark.parametrize("arch,cfg", ARCHS)
def test_the_model_takes_bins_plus_one_channel(arch, cfg):
    model = build_model(arch, {**cfg, "count_channel": True}).eval()
    assert model.count_channel and model_count_channel(model) and model_in_channels(model) == 6
    assert model.head.conv.weight.shape[1] == 6
    with torch.no_grad():
        out = model(torch.randn(1, 6, H, W))
    assert out["image"].shape == (1, 1, H, W)
    with pytest.raises(ValueError, match=r"\[B, 6, H, W\].*count channel"):
        model(torch.randn(1, 5, H, W))


@pytest.mark.parametrize("arch,cfg", ARCHS)
def test_without_the_option_the_model_is_as_before(arch, cfg):
    model = build_model(arch, cfg)
    assert not model.count_channel and model_in_channels(model) == 5 and model.head.conv.weight.shape[1] == 5


def test_the_defocus_head_reads_the_bins_only():
    """The sigma head keeps its num_bins + 2*base input: the count reaches it through the head feature."""
    plain, count = EvFocus(dict(LIGHT)), EvFocus({**LIGHT, "count_channel": True})
    assert count.redefocus.logits[0].weight.shape == plain.redefocus.logits[0].weight.shape
    differ = [k for k, v in count.state_dict().items() if v.shape != plain.state_dict()[k].shape]
    assert differ == ["head.conv.weight"]


@pytest.mark.parametrize("value", ["true", 1, None])
def test_count_channel_must_be_a_bool(value):
    with pytest.raises(CheckpointError, match="count_channel must be true or false"):
        build_model("e2vid", {"count_channel": value})


def test_firenet_has_no_count_channel():
    with pytest.raises(CheckpointError, match="count_channel is not an option of firenet"):
        build_model("firenet", {"count_channel": True})


@pytest.mark.parametrize("backend", ["numba", "torch"])
def test_model_voxel_is_the_voxel_grid_plus_the_scaled_signed_count(backend):
    ev = make_events(20_000, W, H, duration_us=50_000)
    vox = model_voxel(ev, 5, W, H, count_channel=True, backend=backend)
    assert vox.shape == (6, H, W) and vox.dtype == torch.float32
    assert torch.equal(vox[:5], voxel_grid(ev, 5, W, H, backend=backend))
    assert torch.equal(vox[5], COUNT_SCALE * voxel_grid(ev, 5, W, H, normalize=False, backend=backend).sum(0))
    # the net count ON - OFF per pixel (the bins' bilinear weights add up to one event)
    signed = np.zeros((H, W))
    np.add.at(signed, (ev["y"], ev["x"]), np.where(ev["p"] > 0, 1.0, -1.0))
    np.testing.assert_allclose(vox[5].numpy(), COUNT_SCALE * signed, atol=1e-4)
    # without the channel: the voxel grid, bit for bit
    assert torch.equal(model_voxel(ev, 5, W, H, backend=backend), voxel_grid(ev, 5, W, H, backend=backend))


def test_model_voxel_of_no_events_is_zeros():
    assert torch.equal(model_voxel(make_events(0, W, H), 3, W, H, count_channel=True), torch.zeros(4, H, W))


def test_a_count_checkpoint_loads_by_path_with_its_channel(tmp_path):
    torch.manual_seed(0)
    model = build_model("evfocus", {**LIGHT, "count_channel": True})
    path = save_checkpoint(tmp_path / "count.pt", model)
    loaded = load_model(str(path))
    assert loaded.count_channel and model_in_channels(loaded) == 6
    x = torch.randn(1, 6, H, W)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x)["image"], model.eval()(x)["image"])  # (channels-last: not bitwise)


def _run(model, xs):
    model.reset_states()
    with torch.no_grad():
        return [model(x) for x in xs]


@pytest.mark.parametrize("arch,cfg", ARCHS)
def test_init_adds_the_count_channel_zero_initialised(tmp_path, caplog, arch, cfg):
    """--init from weights without the channel: the new channel's weights are zero, so the
    model computes exactly what the checkpoint's does, whatever the count."""
    torch.manual_seed(1)
    src = build_model(arch, cfg)
    path = save_checkpoint(tmp_path / "plain.pt", src)
    model = build_model(arch, {**cfg, "count_channel": True})
    with caplog.at_level(logging.INFO, logger="evfocus_live.train.trainer"):
        _init_weights(model, str(path))
    assert sum("event-count input channel" in r.getMessage() and "zero-initialised" in r.getMessage()
               for r in caplog.records) == 1
    assert torch.count_nonzero(model.head.conv.weight[:, 5]) == 0
    assert torch.equal(model.head.conv.weight[:, :5], src.head.conv.weight)
    g = torch.Generator().manual_seed(2)
    bins = [torch.randn(1, 5, H, W, generator=g) for _ in range(3)]
    counts = [torch.randn(1, 1, H, W, generator=g) * 5 for _ in range(3)]
    want = _run(src.eval(), bins)
    got = _run(model.eval(), [torch.cat([b, c], 1) for b, c in zip(bins, counts)])
    for a, b in zip(want, got):
        assert a.keys() == b.keys()
        for k in a:
            assert torch.equal(a[k], b[k]), k


def test_init_other_mismatches_are_still_the_clear_error(tmp_path):
    path = save_checkpoint(tmp_path / "plain.pt", build_model("e2vid", dict(base=4, kernel=3)))
    with pytest.raises(CheckpointError, match="base: file 4, config 8"):
        _init_weights(build_model("e2vid", dict(base=8, kernel=3, count_channel=True)), str(path))
    count = save_checkpoint(tmp_path / "count.pt", build_model("e2vid", dict(base=4, kernel=3, count_channel=True)))
    with pytest.raises(CheckpointError, match="count_channel: file True, config False"):  # never the other way
        _init_weights(build_model("e2vid", dict(base=4, kernel=3)), str(count))


@pytest.mark.parametrize("config,shipped", [("evfocus-stage8-count-gpu", "evfocus"), ("e2vid-stage6-count-gpu", "e2vid")])
def test_the_count_configs_start_from_the_shipped_weights(config, shipped):
    """The GPU run's own path: its config's model, --init the shipped weights; the same frames."""
    from evfocus_live.nn.registry import configs_dir, shipped_path
    from evfocus_live.train.trainer import load_config

    try:
        path = shipped_path(shipped)
    except CheckpointError as exc:
        pytest.skip(str(exc))
    cfg = load_config(configs_dir() / f"{config}.toml")
    arch_cfg = {k: v for k, v in cfg["model"].items() if k != "arch"}
    arch_cfg.setdefault("num_bins", cfg["data"]["num_bins"])
    model = build_model(cfg["model"]["arch"], arch_cfg)
    assert model.count_channel
    _init_weights(model, str(path))
    ref = load_checkpoint(path)
    ev = make_events(20_000, 64, 48, duration_us=40_000)
    wins = [ev[i::3] for i in range(3)]
    want = _run(ref, [voxel_grid(w, 5, 64, 48)[None] for w in wins])
    model = model.eval().to(memory_format=torch.channels_last)  # as load_checkpoint gives it
    got = _run(model, [model_voxel(w, 5, 64, 48, count_channel=True)[None] for w in wins])
    for a, b in zip(want, got):
        torch.testing.assert_close(b["image"], a["image"], rtol=0, atol=1e-6)


def test_shipped_models_have_no_count_channel():
    for name in ("evfocus", "e2vid"):
        try:
            model = load_model(name)
        except CheckpointError as exc:
            pytest.skip(str(exc))
        assert not model.count_channel and model_in_channels(model) == 5
        assert isinstance(model, EvFocus | E2VID)
