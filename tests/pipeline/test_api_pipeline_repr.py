"""``pipe`` shown in an interactive session says what it runs and where it is (it was
``<evfocus_live.pipeline.Pipeline object at 0x7f...>``)."""

from __future__ import annotations

from conftest import DAVIS_FILE
from pipeline_support import NO_POST
from evfocus_live.config import ModelConfig, WindowConfig
from evfocus_live.pipeline import Pipeline


def test_repr_names_source_size_model_device_and_state():
    with Pipeline(str(DAVIS_FILE), WindowConfig(mode="duration", window_ms=33), ModelConfig(name="integrator", device="cpu"),
                  NO_POST) as pipe:
        assert repr(pipe) == "<Pipeline aedat4 346x260, model integrator on cpu: ready, 0 frames>"
        list(pipe.frames())
        assert repr(pipe).endswith(": finished, 4 frames>")
