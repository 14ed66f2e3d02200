"""Post-processors: contract, auto-HDR, unsharp mask, hot-pixel mask, noise filter."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.core.postprocess import (AutoHdr, HotPixelMask, NoiseFilter, UnsharpMask,
                                           build_postprocessors, read_hot_pixels)
from evfocus_live.errors import ConfigError
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.plugins import POSTPROCESSORS, Registry

BUILTINS = {"auto_hdr": AutoHdr, "unsharp": UnsharpMask, "hot_pixels": HotPixelMask, "noise_filter": NoiseFilter}


def test_registered_under_setup_cfg_names():
    reg = Registry(POSTPROCESSORS)
    for name, cls in BUILTINS.items():
        assert reg.load(name) is cls


@pytest.mark.parametrize("name", ["auto_hdr", "unsharp"])
def test_frame_contract(name):
    proc = BUILTINS[name]()
    assert proc.stage == "frame"
    frame = np.random.default_rng(0).integers(60, 120, (37, 51)).astype(np.uint8)
    out = proc(frame, 1000)
    assert out.dtype == np.uint8 and out.shape == frame.shape
    assert not np.shares_memory(out, frame)
    proc.reset()


def test_auto_hdr_stretches_and_smooths():
    rng = np.random.default_rng(1)
    dim = rng.integers(90, 170, (64, 64)).astype(np.uint8)  # (wider than min_range: 64)
    hdr = AutoHdr(smoothing_ms=100)
    out = hdr(dim, 0)
    assert out.min() <= 5 and out.max() >= 250  # percentiles mapped to the full range
    bright = np.clip(dim.astype(int) + 80, 0, 255).astype(np.uint8)
    half = hdr(bright, 69_315)  # ln(2) time constants later: halfway to the new levels
    assert hdr._lo == pytest.approx(np.percentile(dim, 1) + 40, abs=1.5)
    assert hdr._hi == pytest.approx(np.percentile(dim, 99) + 40, abs=1.5)
    assert half.mean() > out.mean()
    flat = np.full((16, 16), 77, np.uint8)
    assert np.isfinite(AutoHdr()(flat, 0).astype(float)).all()  # no division by zero
    with pytest.raises(ConfigError):
        AutoHdr(low_pct=50, high_pct=10)


def test_unsharp_mask_sharpens_an_edge():
    f = np.zeros((20, 20), np.uint8)
    f[:, 10:] = 200
    out = UnsharpMask(amount=0.3, sigma=1.0)(f, 0)
    assert out[:, 10].mean() > 200 and out[:, 9].mean() == 0  # overshoot on the bright side
    assert np.array_equal(out[:, :5], f[:, :5]) and np.array_equal(out[:, 15:], f[:, 15:])


def test_hot_pixel_mask_learns_and_filters():
    normal = make_events(50_000, width=40, height=30, duration_us=2_000_000, seed=2)
    hot = np.zeros(5_000, EVENT_DTYPE)
    hot["t"] = np.linspace(0, 1_999_999, 5_000).astype(np.int64)
    hot["x"], hot["y"], hot["p"] = 7, 3, 1
    ev = np.sort(np.concatenate([normal, hot]), order="t", kind="stable")
    hp = HotPixelMask(learn_s=1.0, factor=10, width=40, height=30)
    assert hp.stage == "events"
    first = hp(ev[ev["t"] < 900_000])
    assert hp.learning and len(first) == np.sum(ev["t"] < 900_000)  # passes while learning
    rest = hp(ev[ev["t"] >= 900_000])
    assert not hp.learning
    assert hp.hot_pixels.tolist() == [[7, 3]]
    assert not np.any((rest["x"] == 7) & (rest["y"] == 3))
    assert len(rest) == np.sum((ev["t"] >= 900_000) & ~((ev["x"] == 7) & (ev["y"] == 3)))


def test_hot_pixel_file(tmp_path):
    p = tmp_path / "hot.txt"
    p.write_text("# x y\n1 2\n3, 4\n")
    assert read_hot_pixels(p).tolist() == [[1, 2], [3, 4]]
    hp = HotPixelMask(path=str(p), learn_s=0)
    ev = np.zeros(3, EVENT_DTYPE)
    ev["x"], ev["y"] = [1, 3, 5], [2, 4, 6]  # (5, 6) is outside the listed size: grows
    out = hp(ev)
    assert out["x"].tolist() == [5]
    hp.save(tmp_path / "saved.txt")
    assert read_hot_pixels(tmp_path / "saved.txt").tolist() == [[1, 2], [3, 4]]
    (tmp_path / "bad.txt").write_text("1\n")
    with pytest.raises(ConfigError, match=":1:"):
        HotPixelMask(path=str(tmp_path / "bad.txt"))
    with pytest.raises(ConfigError):
        HotPixelMask(path=str(tmp_path / "missing.txt"))


def test_noise_filter_removes_isolated_keeps_supported():
    rng = np.random.default_rng(3)
    n = 2000
    noise = np.zeros(n, EVENT_DTYPE)  # sparse isolated events: 1 per 500 µs over 100x100
    noise["t"] = np.arange(n) * 500
    noise["x"], noise["y"] = rng.integers(0, 100, n), rng.integers(0, 100, n)
    line = np.zeros(400, EVENT_DTYPE)  # a vertical edge moving right: neighbours fire together
    line["t"] = 10_000 + np.arange(400) * 20
    line["x"] = 50 + np.arange(400) // 40
    line["y"] = np.arange(400) % 40
    ev = np.sort(np.concatenate([noise, line]), order="t", kind="stable")
    f = NoiseFilter(duration_us=2000, width=100, height=100)
    out = f(ev)
    kept_line = np.isin(out["t"], line["t"]).sum()
    kept_noise = len(out) - kept_line
    assert kept_line > 0.95 * len(line)
    assert kept_noise < 0.1 * n


def test_noise_filter_matches_dv_processing():
    # (dv's timestamp map starts at 0, ours at -inf: start later so the first 1.5 ms agree)
    ev = make_events(20_000, width=64, height=48, t0_us=1_000_000, duration_us=200_000, seed=4)
    ours = NoiseFilter(duration_us=1500, width=64, height=48, backend="numba")
    dv = NoiseFilter(duration_us=1500, width=64, height=48, backend="dv")
    a = np.concatenate([ours(ev[:7000]), ours(ev[7000:])])
    b = np.concatenate([dv(ev[:7000]), dv(ev[7000:])])
    assert 0 < len(a) < len(ev)
    assert np.array_equal(a, b)
    ours.reset()
    assert np.array_equal(ours(ev), a)  # batching does not matter; reset forgets the map
    with pytest.raises(ConfigError):
        NoiseFilter(backend="nope")


def test_build_postprocessors(tmp_path):
    ev_f, fr_f = build_postprocessors(["hot_pixels", "auto_hdr", "unsharp", "noise_filter"],
                                      {"unsharp": {"amount": 0.5}, "hot_pixels": {"learn_s": 0.5}},
                                      width=32, height=24)
    assert [type(f) for f in ev_f] == [HotPixelMask, NoiseFilter]
    assert [type(f) for f in fr_f] == [AutoHdr, UnsharpMask]
    assert fr_f[1].amount == 0.5 and ev_f[0].learn_us == 500_000 and ev_f[1].width == 32
    with pytest.raises(ConfigError, match="unavailable"):
        build_postprocessors(["nope"])
    with pytest.raises(ConfigError, match="bad options"):
        build_postprocessors(["unsharp"], {"unsharp": {"radius": 3}})
