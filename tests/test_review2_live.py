"""Second review round: the simulator CLI and the live sources (sim, iniVation, Prophesee)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from evfocus_live.errors import ConfigError, DeviceError
from evfocus_live.sources.sim_camera import SimCameraSource


@pytest.mark.parametrize("knob", ["focus", "speed", "light"])
def test_sim_camera_refuses_a_nan_knob_and_keeps_running(knob):
    """NaN passed np.clip, reached the renderer as a NaN blur and killed the worker."""
    with SimCameraSource(32, 24, realtime=False, step_ms=2.0) as cam:
        with pytest.raises(ConfigError, match=f"{knob} must be a finite number"):
            getattr(cam, f"set_{knob}")(float("nan"))
        with pytest.raises(ConfigError, match=knob):
            cam.set_control(knob, float("inf"))
        assert cam.read() is not None and cam.read() is not None
        assert np.isfinite(cam.subject_sigma_px())


@pytest.mark.parametrize("kw", [{"focus": float("nan")}, {"light": float("nan")}, {"step_ms": float("nan")},
                                {"width": "abc"}, {"seed": -1}])
def test_sim_camera_bad_options_are_one_line(kw):
    with pytest.raises(ConfigError, match="sim camera: "):
        SimCameraSource(**{"width": 32, "height": 24, "realtime": False, **kw})


def test_sim_camera_worker_fault_is_an_error_not_an_end_of_stream():
    """A failing simulator thread ended the stream (read() -> None), which the viewer
    showed as a camera that simply stopped; it must surface as a source error."""
    cam = SimCameraSource(32, 24, realtime=True)
    try:
        def boom(t_end_us):
            raise ValueError("cannot convert float NaN to integer")

        with cam._lock:
            cam._live.sim.advance = boom
        deadline = time.monotonic() + 10.0
        with pytest.raises(DeviceError, match=r"simulator failed \(ValueError: cannot convert"):
            while time.monotonic() < deadline:
                assert cam.read() is not None, "the fault ended the stream silently"
    finally:
        cam.close()
    assert cam.read() is None  # closed: the end of the stream


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


@pytest.mark.parametrize("fault", ["raises", "stops"])
def test_dv_camera_error_does_not_keep_the_device_open_while_it_is_handled(fault):
    """The pipeline reconnects inside its ``except`` block; the traceback kept read()'s frame
    and with it the dead camera object (the USB handle), even after close()."""
    import weakref

    from evfocus_live.sources.dv_camera import DvCameraSource

    class FakeCam:
        def isRunning(self):
            return fault == "raises"

        def getNextEventBatch(self):
            raise RuntimeError("libusb: LIBUSB_ERROR_IO\nmore")

    src = DvCameraSource.__new__(DvCameraSource)
    src._cam, src.sensor, src.poll_timeout_s = FakeCam(), "DAVIS346_fake", 0.02
    ref = weakref.ref(src._cam)
    try:
        src.read()
    except DeviceError as exc:
        assert ("LIBUSB_ERROR_IO" if fault == "raises" else "disconnected") in str(exc)
        src.close()  # what the pipeline's reconnect does before opening the camera again
        assert ref() is None, "the failed camera is still referenced"
    else:
        pytest.fail("no DeviceError")
    assert src.read() is None


def test_prophesee_read_after_close_ends_the_stream(monkeypatch):
    """After close() read() returned empty batches forever: iterating the source never ended."""
    import sys
    from types import SimpleNamespace

    from evfocus_live.sources import open_source, prophesee_camera

    class Device:
        def properties(self):
            return SimpleNamespace(width=640, height=480)

        def __iter__(self):
            one = np.zeros(1, dtype=[("t", "<u8"), ("x", "<u2"), ("y", "<u2"), ("on", "?")])
            while True:
                time.sleep(0.005)
                yield None, {"dvs_events": one}

    dev = SimpleNamespace(name="prophesee_evk4", serial="7")
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers",
                        SimpleNamespace(list_devices=lambda: [dev], open=lambda serial=None: Device()))
    cam = open_source("prophesee", poll_timeout_s=0.01)
    assert cam.read() is not None
    cam.close()
    cam.close()
    assert cam.read() is None
    assert list(cam) == []


def test_prophesee_driver_error_keeps_its_message(monkeypatch):
    import sys
    from types import SimpleNamespace

    from evfocus_live.sources import open_source, prophesee_camera

    class Device:
        def properties(self):
            return SimpleNamespace(width=640, height=480)

        def __iter__(self):
            raise OSError("USB transfer failed: device unplugged")
            yield  # a generator

    dev = SimpleNamespace(name="prophesee_evk4", serial="7")
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers",
                        SimpleNamespace(list_devices=lambda: [dev], open=lambda serial=None: Device()))
    with open_source("prophesee", poll_timeout_s=0.01) as cam:
        with pytest.raises(DeviceError, match=r"camera error \(OSError: USB transfer failed: device unplugged\)"):
            for _ in range(200):
                cam.read()


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


def test_dv_batch_drops_negative_and_out_of_sensor_coordinates():
    """dv's x/y are int16: a negative one used to become a pixel near 65535 and was kept."""
    dv = pytest.importorskip("dv_processing")
    from evfocus_live.sources.dv_camera import batch_to_events
    store = dv.EventStore()
    for t, x, y in [(10, 5, 6), (11, -1, 6), (12, 5, -3), (13, 346, 6), (14, 345, 259)]:
        store.push_back(t, x, y, True)
    ev = batch_to_events(store, 346, 260)
    assert ev["t"].tolist() == [10, 14]
    assert ev["x"].tolist() == [5, 345] and ev["y"].tolist() == [6, 259]


def test_a_knob_being_applied_still_reads_its_new_value():
    """The worker took the pending knobs out before applying them: meanwhile controls() gave
    the old scene and focus, and the viewer's knob jumped back (test_gui was flaky on it)."""
    with SimCameraSource(32, 24, realtime=False, step_ms=2.0, scene="mixed", focus=0.2) as cam:
        seen = {}
        live = cam._live
        set_scene, set_focus = live.set_scene, live.set_focus

        def spy_scene(name):
            seen["scene"] = cam.controls()["scene"]["value"]
            set_scene(name)

        def spy_focus(v):
            seen["focus"] = cam.controls()["focus"]["value"]
            set_focus(v)

        live.set_scene, live.set_focus = spy_scene, spy_focus
        cam.set_scene("text")
        cam.set_focus(0.7)
        cam.read()
        assert seen == {"scene": "text", "focus": 0.7}
        assert cam.controls()["scene"]["value"] == "text" and cam.controls()["focus"]["value"] == 0.7
        assert cam._pending == {}
