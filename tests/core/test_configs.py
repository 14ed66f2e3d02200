"""The window, model and post-processing configs refuse values no run can use, in one line naming the field."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import ModelConfig, SourceConfig, WindowConfig
from evfocus_live.errors import ConfigError
from evfocus_live.nn.runtime import BACKENDS, PRECISIONS
from evfocus_live.pipeline import Pipeline


@pytest.mark.parametrize("field", ["backend", "precision"])
def test_model_config_refuses_an_unknown_backend_or_precision(field):
    """Only the CPU runtime checked them, when a Pipeline was made: on CUDA ``precision="fp16"``
    or a backend typo was silently ignored."""
    with pytest.raises(ConfigError, match=f"ModelConfig.{field}"):
        ModelConfig(**{field: "fp16"})
    assert set(BACKENDS) == {"auto", "eager", "jit", "onnx", "compile"}  # the lists config.py repeats
    assert set(PRECISIONS) == {"auto", "fp32", "bf16"}


def test_a_window_under_half_a_microsecond_is_a_config_error_naming_the_field():
    """WindowConfig(window_ms=0.0004) was accepted and the slicer, counting whole µs, then
    raised a bare ValueError from inside Pipeline(); 1 µs windows stay possible."""
    with pytest.raises(ConfigError, match="WindowConfig.window_ms"):
        WindowConfig(mode="duration", window_ms=0.0004)
    ev = make_events(200, 32, 24, duration_us=50, seed=10)
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=0.001),
                    model=SumModel(), post=NO_POST, render_events=False)
    frames = list(pipe.frames())
    pipe.close()
    assert sum(f.n_events for f in frames) == len(ev)
    assert all(f.t_us - f.t_start_us == 1 for f in frames)


@pytest.mark.parametrize("make", [
    lambda: WindowConfig(mode="duration", window_ms=float("nan")),
    lambda: WindowConfig(mode="duration", window_ms=float("inf")),
    lambda: WindowConfig(window_ms=-1),
    lambda: WindowConfig(mode="events", window_events=0),
    lambda: WindowConfig(mode="events", window_events=2.5),
    lambda: WindowConfig(events_per_pixel=float("nan")),
    lambda: WindowConfig(events_per_pixel=-0.35),
    lambda: WindowConfig(mode="adaptive", adaptive_max_epp=-1),
    lambda: WindowConfig(num_bins=0),
    lambda: WindowConfig(max_empty_windows=-1),
    lambda: SourceConfig(speed=float("nan")),
    lambda: SourceConfig(speed=-1),
    lambda: SourceConfig(start_s=float("nan")),
    lambda: SourceConfig(start_s=2, end_s=1),
    lambda: ModelConfig(threads=-1),
])
def test_configs_refuse_values_no_run_can_use(make):
    """NaN/inf window lengths were a bare ValueError/OverflowError deep in the slicer; a
    negative events-per-pixel silently made one-event windows; all now one ConfigError."""
    with pytest.raises(ConfigError, match=r"Config\.\w+"):
        make()


def test_configs_keep_their_valid_values():
    assert WindowConfig(mode="events", window_events=np.int64(2000)).window_events == 2000
    assert SourceConfig(speed=0, start_s=0, end_s=0.5).speed == 0
    assert ModelConfig(threads=0).threads == 0
