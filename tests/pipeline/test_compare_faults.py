"""A compare model's faults mid-run (``ModelConfig.compare``): CUDA running out of memory in the
compare model falls back to the CPU for both, as the main model's does, and the run goes on."""

from __future__ import annotations

from conftest import make_events
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.pipeline import Pipeline


def test_compare_model_out_of_memory_falls_back_to_cpu_and_goes_on():
    ev = make_events(5000, width=32, height=24, duration_us=30_000)
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=10),
                    model=SumModel(), post=NO_POST)
    pipe.set_compare(SumModel(oom_at={1}))
    frames = list(pipe.frames())
    assert len(frames) == 3 and all(fr.compare is not None for fr in frames)
    assert "out of memory" in pipe.stats.last_fault and pipe.stats.device == "cpu"
    assert pipe.device.type == "cpu" and pipe.compare is not None
    pipe.close()
