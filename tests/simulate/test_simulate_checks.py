"""``evfocus simulate``'s option and config checks, and scenes of odd shapes."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.errors import ConfigError


@pytest.mark.parametrize("opts, needle", [
    (["--seed", str(2 ** 63 - 1), "--sequences", "2"], "--seed must be in 0..9223372036854775806"),
    (["--seed", str(2 ** 64)], "--seed must be in"),
    (["--sequences", "99999999999999999999"], "--sequences must be in 1..100000"),
])
def test_cli_seed_and_sequence_count_out_of_range_are_one_line(tmp_path, capsys, opts, needle):
    """A seed past int64 simulated the whole sequence, then died in h5py with a traceback;
    a huge --sequences built its job list until memory ran out."""
    from evfocus_live.cli import main as cli_main

    out = tmp_path / "o"
    assert cli_main(["simulate", str(out), "--duration", "0.05", "--resolution", "8x8", "--frame-ms", "25",
                     "--no-aedat4", *opts]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err
    assert not out.exists() or not list(out.iterdir())


def test_natural_texture_for_a_very_tall_target():
    """The aspect-keeping crop rounded its width to 0 pixels (cv2.resize assertion)."""
    from evfocus_live.simulate import textures

    img = textures.make_texture("astronaut.png", np.random.default_rng(0), 4096, 8)
    assert img.shape == (4096, 8) and np.isfinite(img).all()


def test_perspective_wobble_on_a_tall_sensor_stays_a_mild_tilt():
    """The wobble was scaled by the width only: on an 8x2048 sensor the homography's
    denominator crossed zero inside the view (the plane folded over behind the camera;
    NaN frames and runaway events when it hit zero on a pixel)."""
    from evfocus_live.simulate import SimConfig
    from evfocus_live.simulate.scenes import Renderer, sample_scene

    W, H = 8, 2048
    cfg = SimConfig(width=W, height=H, duration_s=0.1, fg_layers=(0, 0), p_perspective=1.0).validate()
    corners = np.array([[x - W / 2, y - H / 2] for x in (0, W) for y in (0, H)])
    for seed in range(6):
        scene = sample_scene(cfg, np.random.default_rng(seed))
        assert scene.camera.persp_per_px > 0
        renderer = Renderer(scene)
        for t_s in np.linspace(0.0, 2.0, 21):
            hx, hy = scene.camera.persp(float(t_s))
            denom = 1.0 + corners @ np.array([hx, hy])  # the homography's w at the sensor corners
            assert denom.min() > 0.5 and denom.max() < 1.5, (seed, t_s, denom)
            assert np.isfinite(renderer.render(float(t_s))).all(), (seed, t_s)


@pytest.mark.parametrize("kw", [{"noise_rate_range_hz": (-1.0, -1.0)}, {"hot_pixel_fraction_range": (0.0, 2.0)},
                                {"contrast_sigma": -0.1}, {"refractory_range_us": (500.0, 0.0)}])
def test_sim_config_refuses_what_numpy_would_trip_over_later(kw):
    """validate() promises one line for impossible values; these passed it and raised a
    numpy ValueError from inside the simulation."""
    from evfocus_live.simulate import SimConfig

    with pytest.raises(ConfigError, match=next(iter(kw))):
        SimConfig(width=16, height=16, duration_s=0.05, **kw).validate()


def test_write_sequence_creates_its_folder_as_the_documented_example_does(tmp_path):
    """``write_sequence(res, "out/seq_00000")`` (the package docstring) failed without out/."""
    from evfocus_live.simulate import SimConfig, simulate_sequence, write_sequence

    res = simulate_sequence(SimConfig(width=16, height=16, duration_s=0.05, sigma_range=(2, 5)), seed=0)
    info = write_sequence(res, tmp_path / "out" / "seq_00000")
    assert (tmp_path / "out" / "seq_00000.h5").is_file() and (tmp_path / "out" / "seq_00000.aedat4").is_file()
    assert info["frames"] == 3
