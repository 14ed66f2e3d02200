"""Defocus event simulator: optics, pixel model, sequences, files and the CLI."""

from __future__ import annotations

import dataclasses
import json

import h5py
import numpy as np
import pytest

from evfocus_live.cli import main as cli_main
from evfocus_live.errors import ConfigError
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.simulate import (EventGenerator, Lens, Renderer, SensorParams, SimConfig, sample_scene,
                                   simulate_sequence, write_sequence)
from evfocus_live.simulate.optics import blur, disk_kernel, to_display_u8
from evfocus_live.simulate.sequence import frame_times_us

#: small, quiet, moving: a background plane panning at a fixed speed, no noise
BASE = SimConfig(width=96, height=72, duration_s=0.2, frame_ms=20.0, fg_layers=(0, 0),
                 speed_range_px_s=(150.0, 150.0), p_still=0.0, max_rotation_rad_s=0.0,
                 p_z_motion=0.0, p_perspective=0.0, p_light_change=0.0, light_range=(1.0, 1.0),
                 contrast_range=(0.3, 0.3), refractory_range_us=(0.0, 0.0),
                 noise_rate_range_hz=(0.0, 0.0), hot_pixel_fraction_range=(0.0, 0.0))


def concentration(ev: np.ndarray, width: int, height: int, window_us: int = 2000) -> float:
    """Events per active pixel in short windows (event-weighted mean).

    A sharp edge sweeps each pixel quickly and fires several events there within a few
    ms; a defocused edge spreads the same contrast over a wider band and a longer time,
    so fewer events land on each active pixel.
    """
    t = ev["t"]
    vals, weights = [], []
    for t0 in range(0, int(t.max()) + 1, window_us):
        e = ev[(t >= t0) & (t < t0 + window_us)]
        if len(e):
            active = np.unique(e["y"].astype(np.int64) * width + e["x"]).size
            vals.append(len(e) / active)
            weights.append(len(e))
    return float(np.average(vals, weights=weights))


# --- optics -----------------------------------------------------------------------
def test_thin_lens_zero_at_focus_and_grows_away():
    lens = Lens(12.0, 1.4, 18.5)
    assert lens.sigma_px(1.0, 1.0) == pytest.approx(0.0, abs=1e-9)
    near = [lens.sigma_px(d, 1.0) for d in (0.9, 0.6, 0.3)]
    far = [lens.sigma_px(d, 1.0) for d in (1.2, 3.0, 100.0)]
    assert near == sorted(near) and far == sorted(far) and near[-1] > 3.0
    # K |1/d_f - 1/d| is exact at fixed focus
    k = lens.gain_px_m(1.0)
    assert lens.sigma_px(0.5, 1.0) == pytest.approx(k * abs(1.0 - 2.0), rel=1e-9)


@pytest.mark.parametrize("sigma", [1.0, 3.0, 6.0])
def test_psf_width_matches_sigma(sigma):
    k = disk_kernel(sigma)
    yy, xx = np.indices(k.shape) - k.shape[0] // 2
    assert k.sum() == pytest.approx(1.0, abs=1e-5)
    assert np.sqrt((k * xx ** 2).sum()) == pytest.approx(sigma, rel=0.1)
    img = np.zeros((64, 64), np.float32)
    img[32, 32] = 1.0
    g = blur(img, sigma, "gaussian")
    assert np.sqrt((g * (np.indices(g.shape)[1] - 32) ** 2).sum()) == pytest.approx(sigma, rel=0.05)


# --- pixel model --------------------------------------------------------------------
def _one_pixel(c=0.2, refractory_us=0.0):
    gen = EventGenerator(1, 1, SensorParams(c_mean=c, c_sigma=0.0, refractory_us=refractory_us,
                                            noise_rate_hz=0.0), np.random.default_rng(0))
    gen._offset[:] = 0.0  # reference exactly at the first frame
    gen.reset(np.zeros((1, 1), np.float32), 0.0)
    return gen


def test_crossings_are_interpolated_in_time():
    gen = _one_pixel(0.2)
    ev = gen.step(np.full((1, 1), 1.05, np.float32), 1000.0)  # log +1.05 over 1 ms
    assert ev.dtype == EVENT_DTYPE and len(ev) == 5 and np.all(ev["p"] == 1)
    np.testing.assert_allclose(ev["t"], np.rint(np.arange(1, 6) * 0.2 / 1.05 * 1000), atol=1)
    ev = gen.step(np.full((1, 1), 0.55, np.float32), 2000.0)  # back down 0.5: OFF at 0.8, 0.6
    assert list(ev["p"]) == [0, 0] and np.all(ev["t"] > 1000)


def test_refractory_drops_close_events():
    gen = _one_pixel(0.2, refractory_us=300.0)
    ev = gen.step(np.full((1, 1), 1.05, np.float32), 1000.0)  # crossings every ~190 us
    assert 2 <= len(ev) < 5 and np.all(np.diff(ev["t"]) >= 299)


@pytest.mark.parametrize("bandwidth_hz", [0.0, 1000.0])
def test_pixel_bandwidth_delays_dark_pixels(bandwidth_hz):
    """A x2 brightness step: an ideal pixel fires at once; a band-limited one later, and
    the later the darker it is; after settling the same number of events."""
    first = {}
    for level in (1.0, 0.05):
        gen = EventGenerator(1, 1, SensorParams(c_mean=0.2, c_sigma=0.0, refractory_us=0.0, noise_rate_hz=0.0,
                                                bandwidth_hz=bandwidth_hz), np.random.default_rng(0))
        gen._offset[:] = 0.0
        gen.reset(np.full((1, 1), np.log(level), np.float32), 0.0)
        up = np.full((1, 1), np.log(2 * level), np.float32)
        ev = np.concatenate([gen.step(up, k * 100.0) for k in range(1, 400)])  # 40 ms
        assert len(ev) == 3 and np.all(ev["p"] == 1)  # ln 2 / 0.2
        first[level] = int(ev["t"][0])
    if bandwidth_hz == 0:
        assert first[1.0] == first[0.05] < 100
    else:
        assert 100 < first[1.0] < first[0.05] / 3


# --- sequences ----------------------------------------------------------------------
def test_sequence_is_deterministic_sorted_and_inside():
    cfg = dataclasses.replace(BASE, fg_layers=(1, 2), noise_rate_range_hz=(0.2, 0.2),
                              hot_pixel_fraction_range=(1e-3, 1e-3), sigma_range=(0.0, 5.0))
    a = simulate_sequence(cfg, seed=11)
    b = simulate_sequence(cfg, seed=11)
    c = simulate_sequence(cfg, seed=12)
    np.testing.assert_array_equal(a.events, b.events)
    np.testing.assert_array_equal(a.sharp, b.sharp)
    assert len(a.events) != len(c.events) or not np.array_equal(a.sharp, c.sharp)
    ev = a.events
    assert len(ev) > 1000 and np.all(np.diff(ev["t"]) >= 0)
    assert ev["t"].min() > 0 and ev["t"].max() <= 200_000
    assert ev["x"].max() < 96 and ev["y"].max() < 72 and set(np.unique(ev["p"])) == {0, 1}
    n = len(frame_times_us(cfg))
    assert n == 11 and list(a.t_us[:3]) == [0, 20_000, 40_000]
    for arr, dt in ((a.sharp, np.uint8), (a.blurred, np.uint8), (a.sigma, np.float16), (a.depth, np.float16)):
        assert arr.shape == (n, 72, 96) and arr.dtype == dt
    assert a.sigma.min() >= 0 and a.sigma.max() <= 5.0 + 1e-2 and a.depth.min() > 0


@pytest.mark.parametrize("psf", ["gaussian", "disk"])
def test_more_defocus_fewer_and_less_concentrated_events(psf):
    fast = dataclasses.replace(BASE, psf=psf, duration_s=0.1, speed_range_px_s=(1000.0, 1000.0),
                               contrast_range=(0.15, 0.15))
    sharp, mid, blurred = (simulate_sequence(dataclasses.replace(fast, sigma_range=(s, s)), seed=3)
                           for s in (0.5, 2.0, 5.0))
    n = [len(r.events) for r in (sharp, mid, blurred)]
    assert n[0] > n[1] > n[2] and n[0] > 2 * n[2], n
    conc = [concentration(r.events, 96, 72) for r in (sharp, mid, blurred)]
    assert conc[0] > conc[1] > conc[2] and conc[0] > 1.3 * conc[2], conc
    # the same scene: the ground-truth sharp frames agree, the blurred ones do not
    np.testing.assert_array_equal(sharp.sharp, blurred.sharp)
    assert np.abs(blurred.blurred.astype(int) - blurred.sharp).mean() > 2


@pytest.mark.parametrize("light", [1.0, 0.25])
def test_static_scene_gives_only_noise_at_the_configured_rate(light):
    rate_hz = 0.5
    cfg = dataclasses.replace(BASE, width=64, height=48, duration_s=1.0, frame_ms=50.0, static=True,
                              fg_layers=(1, 2), light_range=(light, light), noise_rate_range_hz=(rate_hz, rate_hz))
    res = simulate_sequence(cfg, seed=5)
    expected = rate_hz / light * 64 * 48 * 1.0  # background rate grows as 1 / light
    assert abs(len(res.events) - expected) < 5 * np.sqrt(expected), (len(res.events), expected)
    assert abs(res.events["p"].mean() - 0.5) < 0.1
    assert (res.sharp == res.sharp[0]).all()  # nothing moved


def test_noise_rate_below_light_1e_3_stays_at_its_cap():
    """The rate is capped at light 1e-3 (0.1 / 1e-3 = 100 Hz here); the thinning was not, so
    at light 2e-4 the rate fell to 20 Hz instead of staying at 100."""
    params = SensorParams(noise_rate_hz=0.1)
    gen = EventGenerator(64, 48, params, np.random.default_rng(3))
    ev = gen.noise(0.0, 1e6, np.random.default_rng(4), light_fn=lambda t: np.full(np.shape(t), 2e-4))
    expected = 0.1 / 1e-3 * 64 * 48
    assert abs(len(ev) - expected) < 5 * np.sqrt(expected), (len(ev), expected)


def test_pixel_bandwidth_does_not_pin_the_render_step():
    """Render steps were measured against the low-passed state, whose lag looked like
    motion: with a 300 Hz pixel every step fell to the minimum (~9x the renders)."""
    cfg = dataclasses.replace(BASE, width=64, height=48, duration_s=0.2, fg_layers=(1, 1))
    ideal = simulate_sequence(cfg, seed=11)
    limited = simulate_sequence(dataclasses.replace(cfg, bandwidth_range_hz=(300.0, 300.0)), seed=11)
    assert limited.meta["renders"] < 2 * ideal.meta["renders"], (limited.meta["renders"], ideal.meta["renders"])
    finer = simulate_sequence(dataclasses.replace(cfg, bandwidth_range_hz=(300.0, 300.0), max_log_step=cfg.max_log_step / 4,
                                                  max_step_us=cfg.max_step_us / 4), seed=11)
    assert abs(len(limited.events) - len(finer.events)) < 0.05 * len(finer.events)


def test_hot_pixels_fire_at_their_rate():
    cfg = dataclasses.replace(BASE, width=64, height=48, duration_s=1.0, frame_ms=50.0, static=True,
                              hot_pixel_fraction_range=(0.01, 0.01))
    res = simulate_sequence(cfg, seed=5)
    counts = np.bincount(res.events["y"].astype(np.int64) * 64 + res.events["x"], minlength=64 * 48)
    hot = np.flatnonzero(counts)
    assert len(hot) == round(0.01 * 64 * 48)
    assert 5 * 0.2 < counts[hot].mean() < 50 * 2  # hot rate drawn in [5, 50] Hz


def test_halving_the_render_step_barely_changes_the_events():
    cfg = dataclasses.replace(BASE, fg_layers=(1, 1), sigma_range=(1.0, 1.0))
    a = simulate_sequence(cfg, seed=7)
    b = simulate_sequence(dataclasses.replace(cfg, max_log_step=cfg.max_log_step / 2,
                                              min_step_us=cfg.min_step_us / 2,
                                              max_step_us=cfg.max_step_us / 2), seed=7)
    assert b.meta["renders"] > 1.5 * a.meta["renders"]
    assert abs(len(a.events) - len(b.events)) < 0.05 * len(a.events), (len(a.events), len(b.events))


def test_ground_truth_sharp_frame_is_the_scene_at_that_time():
    cfg = dataclasses.replace(BASE, fg_layers=(1, 2), sigma_range=(0.0, 4.0), p_z_motion=1.0)
    res = simulate_sequence(cfg, seed=9)
    scene = sample_scene(cfg, np.random.default_rng(9))
    r = Renderer(scene)
    for k in (0, 4, 10):
        mine = to_display_u8(r.render(res.t_us[k] * 1e-6, sharp=True))
        diff = np.abs(mine.astype(int) - res.sharp[k])
        assert diff.max() <= 1 and diff.mean() < 0.01, k
        sig, dep = r.maps(res.t_us[k] * 1e-6)
        np.testing.assert_allclose(res.sigma[k], sig, atol=1e-2)
    # and not the scene at the neighbouring frame (the motion is visible)
    other = to_display_u8(r.render(res.t_us[5] * 1e-6, sharp=True))
    assert np.abs(other.astype(int) - res.sharp[4]).mean() > 1


def test_sigma_range_fixes_defocus_and_zero_means_sharp():
    cfg = dataclasses.replace(BASE, fg_layers=(2, 2), p_z_motion=1.0, sigma_range=(4.0, 4.0))
    res = simulate_sequence(cfg, seed=2)
    assert np.all(res.sigma == np.float16(4.0))
    res0 = simulate_sequence(dataclasses.replace(cfg, sigma_range=(0.0, 0.0)), seed=2)
    assert np.abs(res0.blurred.astype(int) - res0.sharp).max() <= 1


def test_focus_sweep_passes_through_focus():
    cfg = dataclasses.replace(BASE, duration_s=1.0, frame_ms=50.0, focus_sweep=True, sigma_range=(0.0, 7.0),
                              speed_range_px_s=(0.0, 0.0))
    res = simulate_sequence(cfg, seed=4)
    bg_sigma = res.sigma[:, 0, 0].astype(np.float32)
    assert bg_sigma.min() < 0.5 and bg_sigma.max() > 2.0
    # the blurred frames follow the sweep: sharper where sigma is small
    sharpness = [np.abs(np.diff(b.astype(np.float32), axis=1)).mean() for b in res.blurred]
    assert np.corrcoef(bg_sigma, sharpness)[0, 1] < -0.5


def test_config_validation():
    with pytest.raises(ConfigError):
        SimConfig(sigma_range=(5.0, 2.0)).validate()
    with pytest.raises(ConfigError):
        SimConfig(width=2).validate()
    with pytest.raises(ConfigError):
        SimConfig(psf="box").validate()


# --- files and CLI --------------------------------------------------------------------
def test_write_sequence_layout_and_aedat4_roundtrip(tmp_path):
    dv = pytest.importorskip("dv_processing")
    cfg = dataclasses.replace(BASE, fg_layers=(1, 1), noise_rate_range_hz=(0.1, 0.1))
    res = simulate_sequence(cfg, seed=1)
    info = write_sequence(res, tmp_path / "seq_00000")
    assert info["events"] == len(res.events) > 0
    with h5py.File(tmp_path / "seq_00000.h5") as f:
        fmt = f.attrs["format"]
        fmt = fmt.decode() if isinstance(fmt, bytes) else fmt  # str or fixed-length bytes
        assert fmt == "evfocus-h5" and f.attrs["width"] == 96 and f.attrs["height"] == 72
        assert f.attrs["seed"] == 1 and list(f.attrs["sigma_range"]) == [0.0, 7.0]
        assert not f.attrs["focus_sweep"] and f.attrs["contrast_threshold"] == pytest.approx(0.3)
        for name in "txyp":
            np.testing.assert_array_equal(f["events"][name][:], res.events[name])
        assert f["events/t"].dtype == np.int64 and f["events/x"].dtype == np.uint16
        fr = f["frames"]
        np.testing.assert_array_equal(fr["t_us"][:], res.t_us)
        np.testing.assert_array_equal(fr["sharp"][:], res.sharp)
        assert fr["blurred"].dtype == np.uint8 and fr["sigma"].dtype == np.float16
        assert fr["depth"].shape == res.depth.shape
        idx = fr["event_idx"][:]
        assert np.all(res.events["t"][idx[1]:idx[2]] >= res.t_us[1])
        assert np.all(res.events["t"][idx[1]:idx[2]] < res.t_us[2])
    rec = dv.io.MonoCameraRecording(str(tmp_path / "seq_00000.aedat4"))
    assert tuple(rec.getEventResolution()) == (96, 72)
    parts = []
    while True:
        batch = rec.getNextEventBatch()
        if batch is None:
            break
        parts.append(batch.numpy())
    got = np.concatenate(parts)
    np.testing.assert_array_equal(got["timestamp"], res.events["t"])
    np.testing.assert_array_equal(got["x"], res.events["x"])
    np.testing.assert_array_equal(got["y"], res.events["y"])
    np.testing.assert_array_equal(got["polarity"].astype(np.uint8), res.events["p"])


def test_cli_writes_sequences_and_manifest(tmp_path, capsys):
    out = tmp_path / "ds"
    args = ["simulate", str(out), "--sequences", "2", "--duration", "0.1", "--resolution", "64x48",
            "--seed", "3", "--sigma-range", "1", "3", "--frame-ms", "20"]
    assert cli_main(args) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["dataset.json", "seq_00000.aedat4", "seq_00000.h5", "seq_00001.aedat4", "seq_00001.h5"]
    m = json.loads((out / "dataset.json").read_text())
    assert [s["seed"] for s in m["sequences"]] == [3, 4]
    assert m["config"]["sigma_range"] == [1.0, 3.0] and m["config"]["frame_ms"] == 20.0
    with h5py.File(out / "seq_00001.h5") as f:
        assert f.attrs["seed"] == 4 and f["frames/t_us"].shape == (6,)
        n1 = f["events/t"].shape[0]
    assert m["sequences"][1]["events"] == n1
    # sequence i equals simulate_sequence(cfg, seed + i)
    cfg = SimConfig(width=64, height=48, duration_s=0.1, sigma_range=(1.0, 3.0), frame_ms=20.0)
    assert len(simulate_sequence(cfg, 4).events) == n1
    # refuses to overwrite; bad options are one line and exit 2
    capsys.readouterr()
    assert cli_main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--overwrite" in err[0]
    assert cli_main(["simulate", str(tmp_path / "x"), "--sigma-range", "5", "2"]) == 2
    assert cli_main(["simulate", str(tmp_path / "x"), "--sequences", "0"]) == 2


def test_cli_workers_give_the_same_files(tmp_path):
    common = ["--sequences", "2", "--duration", "0.05", "--resolution", "48x32", "--seed", "8", "--no-aedat4"]
    assert cli_main(["simulate", str(tmp_path / "a"), *common]) == 0
    assert cli_main(["simulate", str(tmp_path / "b"), *common, "--workers", "2"]) == 0
    for i in range(2):
        with h5py.File(tmp_path / "a" / f"seq_0000{i}.h5") as fa, h5py.File(tmp_path / "b" / f"seq_0000{i}.h5") as fb:
            np.testing.assert_array_equal(fa["events/t"][:], fb["events/t"][:])
            np.testing.assert_array_equal(fa["frames/blurred"][:], fb["frames/blurred"][:])
    assert not (tmp_path / "a" / "seq_00000.aedat4").exists()


def test_motion_along_the_optical_axis_changes_scale_and_defocus_together():
    cfg = dataclasses.replace(BASE, fg_layers=(1, 1), sigma_range=(0.0, 20.0))
    scene = sample_scene(cfg, np.random.default_rng(1))
    from evfocus_live.simulate.scenes import Trajectory

    # approaching (depth x e^-t), centred, no other motion
    fg = dataclasses.replace(scene.layers[1], z_rate_s=-1.0, traj=Trajectory(x0=48.0, y0=36.0))
    scene = dataclasses.replace(scene, layers=(scene.layers[0], fg), camera=Trajectory())
    r = Renderer(scene)
    _, s0, d0, sig0 = r.layer_state(1, 0.0)
    _, s1, d1, sig1 = r.layer_state(1, 0.3)
    assert d1 == pytest.approx(d0 * np.exp(-0.3)) and s1 == pytest.approx(s0 * np.exp(0.3))
    assert sig1 == pytest.approx(min(scene.lens.sigma_px(d1, scene.focus.focus_m), 20.0), rel=1e-6)
    assert sig1 != pytest.approx(sig0, abs=0.1)
    # the rendered patch grows with it
    a0 = r.maps(0.0)[1] < 0.99 * scene.layers[0].depth_m
    a1 = r.maps(0.3)[1] < 0.99 * scene.layers[0].depth_m
    assert a1.sum() > 1.3 * a0.sum() > 0


def test_light_change_alone_makes_events_of_both_polarities():
    from evfocus_live.simulate.scenes import Lighting
    from evfocus_live.simulate.sequence import Simulator

    cfg = dataclasses.replace(BASE, static=True, fg_layers=(1, 1))
    scene = sample_scene(cfg, np.random.default_rng(0))
    steady = Simulator(scene, np.random.default_rng(0)).advance(200_000)
    flicker = Simulator(dataclasses.replace(scene, lighting=Lighting(1.0, 0.4, 5.0)),
                        np.random.default_rng(0)).advance(200_000)
    assert len(steady) == 0  # no noise configured, nothing moves
    assert len(flicker) > 96 * 72  # a 5 Hz, +-40 % flicker crosses C=0.3 at most pixels
    assert 0.3 < flicker["p"].mean() < 0.7


def test_events_integrate_to_the_log_change_of_the_blurred_frames():
    """Sum of polarity x C per pixel between two GT frames ~ the change of log intensity."""
    from evfocus_live.simulate.esim import log_intensity

    cfg = dataclasses.replace(BASE, fg_layers=(1, 1), sigma_range=(1.5, 1.5), speed_range_px_s=(300.0, 300.0))
    res = simulate_sequence(cfg, seed=4)
    k0, k1 = 2, 6
    ev = res.events[(res.events["t"] > res.t_us[k0]) & (res.events["t"] <= res.t_us[k1])]
    pol = ev["p"].astype(np.float64) * 2 - 1
    integ = np.zeros(96 * 72)
    np.add.at(integ, ev["y"].astype(np.int64) * 96 + ev["x"], pol * 0.3)

    def lin(u8):
        return (u8.astype(np.float32) / 255.0) ** 2.2

    dlog = (log_intensity(lin(res.blurred[k1])) - log_intensity(lin(res.blurred[k0]))).ravel()
    assert len(ev) > 1000
    assert np.corrcoef(integ, dlog)[0, 1] > 0.8
    # and the magnitude agrees to within the threshold quantisation (+-C per pixel)
    busy = np.abs(dlog) > 0.6
    assert np.median(np.abs(integ[busy] - dlog[busy])) < 0.3


def test_perspective_wobble_bends_the_background_and_stays_consistent():
    cfg = dataclasses.replace(BASE, fg_layers=(1, 1), p_perspective=1.0)
    scene = sample_scene(cfg, np.random.default_rng(6))
    assert scene.camera.persp_per_px > 0
    r = Renderer(scene)
    t = next(t for t in np.linspace(0.05, 1.0, 20) if abs(scene.camera.persp(t)[0]) + abs(scene.camera.persp(t)[1]) > 1e-4)
    m = r.layer_state(0, t)[0]
    assert m.shape == (3, 3)
    flat = Renderer(dataclasses.replace(scene, camera=dataclasses.replace(scene.camera, persp_per_px=0.0)))
    assert flat.layer_state(0, t)[0].shape == (2, 3)
    bent, plain = r.render(t, sharp=True), flat.render(t, sharp=True)
    assert np.isfinite(bent).all() and np.abs(bent - plain).mean() > 1e-3
    # the centre of the view is the homography's fixed point: same texture point as without it
    aff = np.vstack([flat.layer_state(0, t)[0], [0.0, 0.0, 1.0]])
    src_bent = np.linalg.solve(m, [48.0, 36.0, 1.0])
    src_flat = np.linalg.solve(aff, [48.0, 36.0, 1.0])
    np.testing.assert_allclose(src_bent[:2] / src_bent[2], src_flat[:2], atol=1e-6)
    corner = np.linalg.solve(m, [0.0, 0.0, 1.0])
    assert np.abs(corner[:2] / corner[2] - np.linalg.solve(aff, [0.0, 0.0, 1.0])[:2]).max() > 0.05
    res = simulate_sequence(dataclasses.replace(cfg, duration_s=0.1), seed=6)
    k = 3
    mine = to_display_u8(r.render(res.t_us[k] * 1e-6, sharp=True))
    assert np.abs(mine.astype(int) - res.sharp[k]).max() <= 1


def test_config_refuses_non_finite_values_and_a_single_frame():
    """NaN/inf gave ValueError/OverflowError tracebacks; a sequence shorter than one frame
    interval held one ground-truth frame, which eval and training cannot use."""
    nan, inf = float("nan"), float("inf")
    for kw in (dict(speed_range_px_s=(0.0, nan)), dict(speed_range_px_s=(0.0, inf)),
               dict(contrast_range=(0.2, inf)), dict(bandwidth_range_hz=(0.0, inf)),
               dict(light_range=(0.1, nan)), dict(p_still=nan), dict(speed_range_px_s=(5.0, 1.0)),
               dict(duration_s=0.2, frame_ms=500.0), dict(duration_s=0.01, frame_ms=25.0)):
        with pytest.raises(ConfigError):
            dataclasses.replace(BASE, **kw).validate()
    cfg = dataclasses.replace(BASE, duration_s=0.2, frame_ms=200.0).validate()  # exactly 2 frames
    assert len(frame_times_us(cfg)) == 2


@pytest.mark.parametrize("opts, needle", [
    (["--max-speed", "nan"], "--max-speed"), (["--max-speed", "inf"], "--max-speed"),
    (["--contrast-range", "0.2", "inf"], "--contrast-range"), (["--bandwidth-hz", "0", "inf"], "--bandwidth-hz"),
    (["--frame-ms", "500", "--duration", "0.2"], "at least 2"),
])
def test_cli_bad_numbers_are_one_line(tmp_path, capsys, opts, needle):
    out = tmp_path / "o"
    assert cli_main(["simulate", str(out), "--sequences", "1", "--duration", "0.3", "--resolution", "64x48",
                     *opts]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err
    assert not out.exists() or not list(out.iterdir())


def test_cli_overwrite_removes_the_earlier_sequences(tmp_path):
    """--overwrite with fewer sequences: the old seq_* files go, so the folder holds exactly
    what dataset.json lists (eval scored the leftovers too)."""
    out = tmp_path / "ds"
    common = ["--duration", "0.3", "--resolution", "64x48", "--frame-ms", "50"]
    assert cli_main(["simulate", str(out), "--sequences", "2", *common]) == 0
    (out / "keep.txt").write_text("not the simulator's")
    assert cli_main(["simulate", str(out), "--sequences", "1", "--no-aedat4", "--overwrite", *common]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["dataset.json", "keep.txt", "seq_00000.h5"]
    assert [s["name"] for s in json.loads((out / "dataset.json").read_text())["sequences"]] == ["seq_00000"]
