"""A lab engineer's own plugins, written from README "Plugins" and the examples in
``plugins/``: what they get wrong is one line naming the plugin, wherever it runs.

- A camera plugin whose ``read()`` raises was named only by its exception's text in the
  Python ``Pipeline`` and the viewer's reader (``source error: 't'`` for a ``KeyError``),
  where ``evfocus info`` named the plugin and the exception's type.
- The examples are what authors copy, so they check their input: the integrator took a
  numpy grid with an AttributeError and a 3-D ``[bins, H, W]`` grid without a word (a wrong
  image), the median filter cast a float frame to uint8 (0..1 floats: a black frame).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import make_events

from evfocus_live.config import ModelConfig
from evfocus_live.errors import InputError
from evfocus_live.sources.base import EventSource

REPO = Path(__file__).resolve().parents[2]


class LabCamera(EventSource):
    """A lab camera plugin: the first read works, the next raises a bare KeyError."""

    format = "labcam"
    sensor = "lab"
    is_live = True

    def __init__(self):
        self.width, self.height = 64, 48
        self._reads = 0

    def read(self):
        self._reads += 1
        if self._reads > 1:
            raise KeyError("t")
        return make_events(500, 64, 48)


LabCamera.__module__ = "evfocus_labcam"  # (as a plugin's: not one of ours)


class LabFile(LabCamera):
    """The same as a file reader (no reconnect: the fault ends the run)."""

    format = "labfile"
    is_live = False


LabFile.__module__ = "evfocus_labcam"


def test_a_plugin_file_source_fault_names_it_in_the_python_pipeline(tiny_model):
    from evfocus_live.pipeline import Pipeline

    with Pipeline(LabFile(), model_obj=tiny_model, model=ModelConfig(device="cpu")) as pipe:
        with pytest.raises(InputError) as err:
            list(pipe.frames())
    msg = str(err.value)
    assert "'labfile'" in msg and "LabFile" in msg and "KeyError" in msg, msg


def test_a_plugin_camera_fault_names_it_in_the_reconnecting_pipeline(tiny_model, caplog):
    from evfocus_live.pipeline import Pipeline

    pipe = Pipeline(LabCamera(), model_obj=tiny_model, model=ModelConfig(device="cpu"))
    try:
        with caplog.at_level(logging.WARNING, "evfocus_live.pipeline"):
            pipe._read()  # the good batch
            pipe.reconnect = False  # (one fault, no reopening loop)
            with pytest.raises(InputError) as err:
                pipe._read()
    finally:
        pipe.close()
    msg = str(err.value)
    assert "'labcam'" in msg and "LabCamera" in msg and "KeyError" in msg, msg
    assert "labcam" in pipe.stats.last_fault and "KeyError" in pipe.stats.last_fault


def test_the_viewers_tap_names_a_plugin_cameras_fault():
    from evfocus_live.gui.session import TapSource

    class Session:
        import threading
        _stop = threading.Event()
        pipeline = None

        def _on_events(self, batch):
            pass

    tap = TapSource(LabCamera(), Session())
    tap.read()
    with pytest.raises(InputError):
        tap.read()
    assert "LabCamera" in tap.error and "KeyError" in tap.error, tap.error


def _example(package: str, module: str):
    """This checkout's copy of an example plugin's module (not an installed one already imported)."""
    import importlib.util

    path = REPO / "plugins" / package / module / "__init__.py"
    spec = importlib.util.spec_from_file_location(f"_checkout_{module}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def integrator():
    return _example("evfocus-plugin-integrator", "evfocus_plugin_integrator").make_model("integrator", "cpu")


@pytest.mark.parametrize("voxel, error, words", [
    (np.zeros((1, 5, 8, 8), np.float32), TypeError, ("torch tensor", "ndarray")),
    (torch.zeros(5, 8, 8), ValueError, ("[1, 5, H, W]", "5x8x8")),
    (torch.zeros(1, 3, 8, 8), ValueError, ("[1, 5, H, W]", "1x3x8x8")),
    (torch.zeros(1, 5, 8, 8, dtype=torch.int64), ValueError, ("float", "int64")),
])
def test_the_integrator_example_checks_its_voxel_grid(integrator, voxel, error, words):
    integrator.reset_states()
    with pytest.raises(error) as err:
        integrator(voxel)
    assert "integrator" in str(err.value) and all(w in str(err.value) for w in words), err.value


def test_the_integrator_example_still_takes_its_grid(integrator):
    integrator.reset_states()
    assert integrator(torch.zeros(1, 5, 8, 6))["image"].shape == (1, 1, 8, 6)


@pytest.fixture
def median():
    pytest.importorskip("cv2")
    return _example("evfocus-plugin-median", "evfocus_plugin_median").MedianFilter()


@pytest.mark.parametrize("frame, words", [
    (np.full((8, 8), 0.5, np.float32), ("uint8", "float32")),
    (np.full((8, 8), 300, np.int64), ("uint8", "int64")),
    (np.zeros((8, 8, 3), np.uint8), ("HxW", "8x8x3")),
    ([[0, 1], [2, 3]], ("HxW", "list")),
])
def test_the_median_example_refuses_a_frame_it_would_garble(median, frame, words):
    with pytest.raises(ValueError) as err:
        median(frame, 0)
    assert "median" in str(err.value) and all(w in str(err.value) for w in words), err.value


def test_the_median_example_still_filters_uint8(median):
    frame = np.zeros((9, 9), np.uint8)
    frame[4, 4] = 255
    assert not median(frame, 0).any()


class SwappedPackets(LabCamera):
    """A lab camera whose driver hands packets over swapped: ``t`` goes back in each batch."""

    def read(self):
        ev = make_events(500, 64, 48)
        return np.concatenate([ev[250:], ev[:250]])


SwappedPackets.__module__ = "evfocus_labcam"


def test_a_plugin_batch_out_of_time_order_is_said_once_naming_it(caplog):
    src = SwappedPackets()
    with caplog.at_level(logging.WARNING, "evfocus_live.sources"):
        for _ in range(3):
            src.read_named()
    said = [r.getMessage() for r in caplog.records if "out of time order" in r.getMessage()]
    assert len(said) == 1 and "'labcam'" in said[0] and "SwappedPackets" in said[0], said


def test_the_pipeline_says_a_plugin_batch_out_of_time_order(tiny_model, caplog):
    from evfocus_live.pipeline import Pipeline

    pipe = Pipeline(SwappedPackets(), model_obj=tiny_model, model=ModelConfig(device="cpu"))
    try:
        with caplog.at_level(logging.WARNING, "evfocus_live.sources"):
            assert len(pipe._read()) == 500
    finally:
        pipe.close()
    assert any("out of time order" in r.getMessage() for r in caplog.records)


def test_a_plugin_batch_in_time_order_is_not_said(caplog):
    src = LabCamera()
    with caplog.at_level(logging.WARNING, "evfocus_live.sources"):
        src.read_named()
    assert not any("out of time order" in r.getMessage() for r in caplog.records)


class EndsAtOnce(LabCamera):
    """A lab camera plugin returning None for "nothing yet", which ends a stream."""

    def read(self):
        return None


EndsAtOnce.__module__ = "evfocus_labcam"


def test_a_plugin_camera_ending_its_stream_is_said_once(caplog):
    src = EndsAtOnce()
    with caplog.at_level(logging.WARNING, "evfocus_live.sources"):
        assert src.read_named() is None and src.read_named() is None
        src.close()
        src._end_said = False
        assert src.read_named() is None  # (closed: its end is no news)
    said = [r.getMessage() for r in caplog.records if "returned None" in r.getMessage()]
    assert len(said) == 1 and "'labcam'" in said[0] and "EndsAtOnce" in said[0] and "empty array" in said[0], said
