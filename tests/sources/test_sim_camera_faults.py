"""The simulated camera's knobs and faults."""

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
