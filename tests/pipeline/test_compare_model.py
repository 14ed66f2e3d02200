"""A compare model (``ModelConfig.compare``, ``evfocus-live --compare e2vid``) runs on the same
windows as the main model, in the same worker, each with its own recurrent state: its frames are
the ones it makes as the main model, the states are reset together, and its time counts in the
keep-up check (windows are skipped for both at once, and said once, naming both)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events
from pipeline_support import NO_POST, ArraySource, SumModel

import evfocus_live.pipeline as pipeline_mod
from evfocus_live.config import ModelConfig, WindowConfig
from evfocus_live.core.slicing import Window
from evfocus_live.errors import CheckpointError
from evfocus_live.pipeline import BEHIND_POPS, Pipeline

W, H = 96, 72
WINDOW = WindowConfig(mode="events", window_events=4000)


def source():
    return ArraySource(make_events(40_000, W, H, duration_us=400_000), W, H)


def images(model: ModelConfig, key: str = "image") -> list[np.ndarray]:
    with Pipeline(source(), WINDOW, model, render_events=False, aps=False) as pipe:
        return [getattr(fr, key) for fr in pipe.frames()]


@pytest.mark.usefixtures("one_torch_thread")
def test_compare_frames_are_the_compare_models_own_and_differ_from_the_main_ones():
    both = ModelConfig(name="evfocus", device="cpu", precision="fp32", compare="e2vid")
    with Pipeline(source(), WINDOW, both, render_events=False, aps=False) as pipe:
        frames = list(pipe.frames())
    assert len(frames) == 10
    e2vid = images(ModelConfig(name="e2vid", device="cpu", precision="fp32"))
    for fr, alone in zip(frames, e2vid):
        assert fr.compare is not None and fr.compare.shape == fr.image.shape == (H, W)
        # the same voxel grids, its own state and post-processing: E2VID's frames as if it ran alone
        assert np.abs(fr.compare.astype(int) - alone).max() <= 1
    assert np.mean([np.abs(fr.compare.astype(int) - fr.image).mean() for fr in frames]) > 5


def test_without_a_compare_model_there_is_no_compare_frame():
    with Pipeline(source(), WINDOW, model=SumModel(), post=NO_POST, render_events=False) as pipe:
        assert pipe.compare is None
        assert all(fr.compare is None for fr in pipe.frames())


def test_states_reset_together():
    models = {"main": SumModel(), "compare": SumModel()}
    pipe = Pipeline(source(), WINDOW, model=models["main"], post=NO_POST, render_events=False)
    pipe.set_compare(models["compare"])
    assert pipe.model_cfg.compare == "SumModel"

    def run_then(command) -> None:
        pipe.seek(0)
        frames = list(pipe.frames())
        assert frames and all(fr.compare is not None for fr in frames)
        assert models["main"].state is not None and models["compare"].state is not None
        models["main"].resets = models["compare"].resets = 0
        command()
        # (a model change: the new main model's state is fresh, the compare model's reset)
        assert pipe.model.state is None and models["compare"].state is None, command
        assert models["compare"].resets >= 1

    run_then(pipe.reset_state)
    run_then(lambda: pipe.seek(100_000))
    run_then(lambda: pipe.set_window(WindowConfig(mode="events", window_events=3000)))
    run_then(lambda: pipe.set_model(SumModel()))
    models["main"] = pipe.model
    assert pipe.compare.model is models["compare"]  # (an object given: kept, re-prepared)
    run_then(lambda: pipe.set_compare(models["compare"]))
    pipe.set_compare(None)
    assert pipe.compare is None and pipe.model_cfg.compare is None
    pipe.seek(0)
    assert all(fr.compare is None for fr in pipe.frames())
    pipe.close()


def test_a_compare_model_that_cannot_load_is_named_and_changes_nothing():
    pipe = Pipeline(source(), WINDOW, model=SumModel(), post=NO_POST, render_events=False)
    with pytest.raises(CheckpointError, match=r"^compare model: unknown model 'e2vdi' \(did you mean e2vid\?\)"):
        pipe.set_compare("e2vdi")
    assert pipe.compare is None and pipe.model_cfg.compare is None
    with pytest.raises(CheckpointError, match=r"^compare model: unknown model"):
        Pipeline(source(), WINDOW, ModelConfig(name="e2vid", device="cpu", compare="nosuch"))
    pipe.close()


class FakeTime:
    """The pipeline's clock, moved on by the models (not timed: the test is the same on any machine)."""

    def __init__(self):
        self.now = 1000.0

    def perf_counter(self):
        return self.now

    def monotonic(self):
        return self.now

    def __getattr__(self, name):
        import time
        return getattr(time, name)


class SlowModel(SumModel):
    def __init__(self, clock: FakeTime, took_s: float):
        super().__init__()
        self.clock, self.took_s = clock, took_s

    def forward(self, voxel):
        self.clock.now += self.took_s
        return super().forward(voxel)


def test_the_compare_models_time_counts_in_the_keep_up_and_both_skip_together(monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(pipeline_mod, "time", clock)
    pipe = Pipeline(ArraySource(make_events(100, W, H), W, H, live=True), WINDOW,
                    model=SlowModel(clock, 0.010), post=NO_POST, render_events=False)
    pipe.set_compare(SlowModel(clock, 0.500))
    ev = make_events(4000, W, H, duration_us=20_000)
    fr = pipe.process_window(Window(ev, int(ev["t"][0]), int(ev["t"][-1])))
    assert fr is not None and fr.compare is not None
    assert pipe.stats.compare_ms == pytest.approx(500, abs=1)
    assert fr.infer_ms == pytest.approx(510, abs=1)  # (both models: what the keep-up check counts)
    # one pop of three 20 ms windows: one made by both models, two skipped by both (counted once)
    pipe._timed_after_warmup = True
    windows = [Window(ev, 20_000 * i, 20_000 * (i + 1)) for i in range(3)]
    for _ in range(BEHIND_POPS):
        assert pipe._keep_up(list(windows)) == windows[-1:]
    assert pipe.stats.skipped_windows == 2 * BEHIND_POPS
    behind = pipe.stats.behind
    assert behind.startswith("the two models (SlowModel and SlowModel) cannot keep up: 510 ms a window"), behind
    assert f"{2 * BEHIND_POPS} of the last {3 * BEHIND_POPS} windows skipped" in behind
    pipe.close()
