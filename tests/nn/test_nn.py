"""Networks: shapes at sensor resolutions, parameter counts, recurrent-state contract."""

from __future__ import annotations

import pytest
import torch

from evfocus_live.nn.e2vid import E2VID
from evfocus_live.nn.evfocus import LIGHT, EvFocus  # LIGHT: the shipped light config
from evfocus_live.nn.firenet import FireNet
from evfocus_live.nn.layers import ReDefocus, gaussian_kernel1d


@pytest.fixture(scope="module")
def light():
    torch.manual_seed(0)
    return EvFocus(LIGHT).eval()


@pytest.mark.parametrize("wh", [(346, 260), (320, 240), (640, 480), (1280, 720)])
def test_light_evfocus_shapes(light, wh):
    w, h = wh
    light.reset_states()
    with torch.inference_mode():
        out = light(torch.randn(1, 5, h, w))
    for key in ("image", "blur", "sigma"):
        assert out[key].shape == (1, 1, h, w), key
    assert 0 <= float(out["image"].min()) and float(out["image"].max()) <= 1
    assert 0 <= float(out["sigma"].min()) and float(out["sigma"].max()) <= max(LIGHT.get("sigmas_px", [4.5])) + 1e-5
    assert "reblur" not in out  # eval mode skips the re-defocus branch


@pytest.mark.parametrize("cls,cfg", [(E2VID, dict(base=4)), (FireNet, {}),
                                     (EvFocus, dict(LIGHT, dual_decoder=False))])
def test_baselines_any_size(cls, cfg):
    m = cls(cfg).eval()
    with torch.inference_mode():
        out = m(torch.randn(2, 5, 37, 51))
    assert out["image"].shape == (2, 1, 37, 51)
    assert set(out) == {"image"}


def test_parameter_counts():
    assert E2VID().num_parameters() == 10_710_401  # rpg_e2vid, 3 encoders, base 32
    full = EvFocus().num_parameters()
    assert abs(full - 12.11e6) / 12.11e6 < 0.03, full
    assert 30_000 < FireNet().num_parameters() < 45_000
    assert EvFocus(LIGHT).num_parameters() < full / 20


def test_state_reset_is_deterministic_and_state_is_carried(light):
    torch.manual_seed(1)
    x = torch.randn(1, 5, 64, 80)
    with torch.inference_mode():
        light.reset_states()
        assert light.states is None
        first = light(x)["image"].clone()
        assert light.states is not None and len(light.states) == 3
        carried = light(x)["image"].clone()
        light.reset_states()
        again = light(x)["image"].clone()
    assert torch.equal(first, again)
    assert (carried - first).abs().max() > 1e-4


def test_states_property_roundtrip(light):
    x = torch.randn(1, 5, 32, 32)
    with torch.inference_mode():
        light.reset_states()
        light(x)
        saved = light.states
        a = light(x)["image"].clone()
        light.states = saved
        b = light(x)["image"].clone()
    assert torch.equal(a, b)


def test_training_mode_returns_reblur_and_gradients_flow():
    m = EvFocus(LIGHT).train()
    out = m(torch.randn(1, 5, 24, 40))
    assert out["reblur"].shape == (1, 1, 24, 40)
    (out["image"].mean() + out["reblur"].mean() + out["blur"].mean()).backward()
    assert all(p.grad is not None for p in m.redefocus.parameters())
    assert m.cf[0].fuse.weight.grad is not None


def test_redefocus_mixture():
    rd = ReDefocus(4, (0.0, 2.0))
    k = gaussian_kernel1d(2.0, rd.radius)
    assert abs(float(k.sum()) - 1) < 1e-6
    img = torch.zeros(1, 1, 33, 33)
    img[..., 16, 16] = 1
    sharp_w = torch.zeros(1, 2, 33, 33)
    sharp_w[:, 0] = 1
    assert torch.allclose(rd(img, sharp_w), img, atol=1e-6)  # sigma 0 = identity
    blur_w = sharp_w.flip(1)
    blurred = rd(img, blur_w)
    assert float(blurred.max()) < 0.1 and abs(float(blurred.sum()) - 1) < 1e-4
    assert torch.allclose(rd.sigma_map(blur_w), torch.full((1, 1, 33, 33), 2.0))


@pytest.mark.parametrize("dilations, holes", [((1, 2, 3), False), ((2, 4), True)])
def test_redefocus_head_sees_every_quarter_resolution_pixel(dilations, holes):
    """Dilations sharing a factor (2, 4) reach only every other quarter-resolution pixel —
    the 8 px checkerboard the eighth session's map showed; 1, 2, 3 leave no hole."""
    rd = ReDefocus(4, (0.0, 4.0), hidden=3, dilations=dilations)
    with torch.no_grad():
        for p in rd.parameters():
            p.fill_(0.0 if p.dim() == 1 else 1.0)
        impulse = torch.zeros(1, 3, 17, 17)
        impulse[..., 8, 8] = 1.0
        reach = rd.logits[2:](impulse)[0, 0]
    ring = reach[8 - 6:8 + 7, 8 - 6:8 + 7]  # 2 * sum(dilations) = 12 quarter pixels across
    assert bool((ring == 0).any()) is holes


def test_bad_head_dilations_are_a_config_error():
    from evfocus_live.errors import CheckpointError
    from evfocus_live.nn.registry import build_model

    for bad in ([0, 2], [1.5]):
        with pytest.raises(CheckpointError, match="sigma_dilations must be whole numbers"):
            build_model("evfocus", dict(LIGHT, sigma_dilations=bad))


def test_redefocus_head_at_half_resolution():
    """``hidden`` > 0: a convolutional head whose weights come at quarter resolution; the
    map and the re-blur use them upsampled, so odd sizes still come out whole."""
    rd = ReDefocus(13, (0.0, 1.0, 2.0, 4.5, 7.5), hidden=6).eval()
    feat = torch.randn(1, 13, 33, 47)
    with torch.inference_mode():
        w = rd.weights(feat)
        assert w.shape == (1, 5, 8, 11) and torch.allclose(w.sum(1), torch.ones(1, 8, 11))
        sigma = rd.sigma_map(w, (33, 47))
        assert sigma.shape == (1, 1, 33, 47) and 0 <= float(sigma.min()) and float(sigma.max()) <= 7.5
        img = torch.rand(1, 1, 33, 47)
        assert rd(img, w).shape == (1, 1, 33, 47)
        # a list of maps is read as their concatenation (without building it)
        assert torch.allclose(rd.weights([feat[:, :5], feat[:, 5:9], feat[:, 9:]]), w, atol=1e-6)
    m = EvFocus(dict(LIGHT, sigma_head=6, sigmas_px=[0.0, 2.0, 7.5])).train()
    out = m(torch.randn(1, 5, 37, 51))
    assert out["sigma"].shape == out["reblur"].shape == (1, 1, 37, 51)
    out["sigma"].mean().backward()
    assert m.redefocus.logits[0].weight.grad is not None


@pytest.mark.parametrize("n", [0, 1])
def test_sigma_head_with_few_encoders_takes_tiny_frames(n):
    """The head's 4x4 / stride-4 conv failed on frames padded only to 2**n < 4 px ("Kernel
    size can't be greater than actual input size"): with a head the pad is lcm(2**n, 4)."""
    torch.manual_seed(0)
    m = EvFocus({**LIGHT, "num_encoders": n})
    for mode in ("eval", "train"):
        m.train(mode == "train")
        for h, w in [(1, 1), (3, 5), (17, 33)]:
            m.reset_states()
            with torch.no_grad():
                m(torch.rand(1, 5, h, w))
                out = m(torch.rand(1, 5, h, w))
            assert all(v.shape[-2:] == (h, w) and torch.isfinite(v).all() for v in out.values())
    assert m.pad_multiple == 4


def test_pad_multiple_unchanged_without_head_or_with_enough_encoders():
    """Only configs that failed before pad differently: the shipped ones (3 encoders) keep 8."""
    assert EvFocus(LIGHT).pad_multiple == 8 and EvFocus({**LIGHT, "num_encoders": 2}).pad_multiple == 4
    assert EvFocus({**LIGHT, "num_encoders": 1, "sigma_head": 0}).pad_multiple == 2
    assert EvFocus({**LIGHT, "num_encoders": 0, "dual_decoder": False}).pad_multiple == 1
