"""``--downsample N`` in the Pipeline: events binned to ``x // N``, ``y // N``; the slicer, model,
post-processors and frames see a ``ceil(W/N) x ceil(H/N)`` sensor."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import REAL_FILES, make_events
from pipeline_support import NO_POST, ArraySource, FlakyLiveSource, SumModel, VoxelSpy, events_at

from evfocus_live.config import SourceConfig, WindowConfig
from evfocus_live.core.slicing import default_window_events
from evfocus_live.errors import ConfigError
from evfocus_live.pipeline import Pipeline


DAVIS = REAL_FILES["davis346"]


def run(ev, w, h, window: WindowConfig, model=None, batch=3000):
    pipe = Pipeline(ArraySource(ev, w, h, batch=batch), window, model=model or SumModel(), post=NO_POST)
    return pipe, list(pipe.frames())


def test_downsample_is_a_whole_factor_1_to_8():
    from evfocus_live.config import downsampled_size

    assert WindowConfig().downsample == 1
    for bad in (0, 9, -2, 2.0, True, "2"):
        with pytest.raises(ConfigError, match="WindowConfig.downsample"):
            WindowConfig(downsample=bad)
    assert downsampled_size(1280, 720, 2) == (640, 360) and downsampled_size(346, 260, 4) == (87, 65)


def test_64x48_by_2_gives_32x24_frames_and_the_count_window_follows():
    ev = make_events(20_000, 64, 48, duration_us=100_000)
    pipe, frames = run(ev, 64, 48, WindowConfig(mode="events", downsample=2))
    n = default_window_events(32, 24)
    assert n == round(0.35 * 32 * 24)
    assert (pipe.width, pipe.height) == (32, 24) and pipe.source_size == (64, 48)
    assert {f.image.shape for f in frames} == {(24, 32)}
    assert {f.event_image.shape for f in frames} == {(24, 32, 3)}
    assert [f.n_events for f in frames[:-1]] == [n] * (len(frames) - 1)
    assert sum(f.n_events for f in frames) == len(ev)  # binning drops nothing


def test_events_at_odd_coordinates_land_in_their_bin():
    xy = [(0, 0), (1, 1), (2, 3), (63, 47), (63, 0), (5, 46)]
    spy = VoxelSpy()
    run(events_at(xy), 64, 48, WindowConfig(mode="events", window_events=len(xy), downsample=2), model=spy)
    hit = spy.seen[0][0].abs().sum(0)  # (H, W) of the window
    assert hit.shape == (24, 32)
    got = {(int(x), int(y)) for y, x in torch.nonzero(hit).tolist()}
    assert got == {(x // 2, y // 2) for x, y in xy}


def test_factor_1_is_byte_identical_and_2_equals_binned_input():
    ev = make_events(30_000, 64, 48, duration_us=100_000, seed=3)
    _, plain = run(ev, 64, 48, WindowConfig(mode="duration", window_ms=10))
    _, one = run(ev, 64, 48, WindowConfig(mode="duration", window_ms=10, downsample=1))
    assert len(one) == len(plain) > 5
    assert all(a.image.tobytes() == b.image.tobytes() and a.t_us == b.t_us for a, b in zip(plain, one))
    binned = ev.copy()
    binned["x"] //= 2
    binned["y"] //= 2
    _, by_hand = run(binned, 32, 24, WindowConfig(mode="duration", window_ms=10))
    _, two = run(ev, 64, 48, WindowConfig(mode="duration", window_ms=10, downsample=2))
    assert [f.t_us for f in two] == [f.t_us for f in by_hand]
    assert all(np.array_equal(a.image, b.image) for a, b in zip(two, by_hand))
    assert ev["x"].max() == 63  # the source's array was not binned in place


def test_odd_sensor_rounds_up_and_keeps_the_edge_pixels():
    ev = events_at([(345, 259), (0, 0), (344, 256), (343, 255)] * 50)
    spy = VoxelSpy()
    pipe, frames = run(ev, 346, 260, WindowConfig(mode="events", window_events=200, downsample=4), model=spy)
    assert (pipe.width, pipe.height) == (87, 65) and frames[0].image.shape == (65, 87)
    assert pipe.stats.outside_events == 0
    hit = spy.seen[0][0].abs().sum(0)
    assert {(int(x), int(y)) for y, x in torch.nonzero(hit).tolist()} == {(86, 64), (0, 0), (85, 63)}


def test_set_window_changes_the_factor_and_a_source_switch_keeps_it():
    ev = make_events(20_000, 64, 48, duration_us=100_000)
    pipe = Pipeline(ArraySource(ev, 64, 48), WindowConfig(mode="duration", window_ms=10), model=SumModel(),
                    post=PostCfg())
    it = pipe.frames()
    assert next(it).image.shape == (48, 64)
    pipe.set_window(WindowConfig(mode="duration", window_ms=10, downsample=4))
    assert next(it).image.shape == (12, 16) and pipe.event_filters[0]._map.height == 12
    it.close()
    pipe.set_source(ArraySource(make_events(5000, 40, 30), 40, 30))
    assert {f.image.shape for f in pipe.frames()} == {(8, 10)}


def PostCfg():
    from evfocus_live.config import PostConfig
    return PostConfig(steps=("hot_pixels",))


def test_a_reconnect_keeps_the_small_sensor_and_does_not_rebuild():
    made = []

    def factory():
        src = FlakyLiveSource(make_events(20_000, 32, 24, duration_us=200_000, seed=len(made)), 32, 24,
                              batch=5000, fail_after=2 if not made else 10**9)
        made.append(src)
        return src

    pipe = Pipeline(factory, WindowConfig(mode="duration", window_ms=20, downsample=2), model=SumModel(),
                    post=NO_POST)
    slicer = pipe.slicer
    shapes = {f.image.shape for f in pipe.frames()}
    assert len(made) == 2 and pipe.stats.reconnects == 1
    assert shapes == {(12, 16)} and pipe.slicer is slicer  # (the same size: not rebuilt)


def test_start_end_seek_and_given_times_on_a_real_recording(tmp_path):
    t0 = DAVIS["t_first_us"]

    def ranged(n):
        return Pipeline(SourceConfig(spec=str(DAVIS["path"]), start_s=0.02, end_s=0.08),
                        WindowConfig(mode="duration", window_ms=10, downsample=n), model=SumModel(), post=NO_POST)
    with ranged(1) as full:
        times = [(f.t_start_us, f.t_us, f.n_events) for f in full.frames()]
    pipe = ranged(2)
    frames = list(pipe.frames())
    assert {f.image.shape for f in frames} == {(130, 173)}
    assert [(f.t_start_us, f.t_us, f.n_events) for f in frames] == times
    assert frames[0].t_start_us >= t0 + 20_000 and frames[-1].t_start_us < t0 + 80_000
    pipe.seek(t0 + 50_000)
    after = list(pipe.frames())
    assert after and after[0].t_start_us >= t0 + 50_000 and after[0].image.shape == (130, 173)
    pipe.close()
    ts = tmp_path / "at.txt"
    ts.write_text(f"{t0 + 30_000}\n{t0 + 90_000}\n")
    pipe = Pipeline(SourceConfig(spec=str(DAVIS["path"])),
                    WindowConfig(mode="timestamps", timestamps_path=str(ts), downsample=4), model=SumModel(),
                    post=NO_POST, timestamps_us=np.array([t0 + 30_000, t0 + 90_000]))
    at = list(pipe.frames())
    assert [f.t_us for f in at] == [t0 + 30_000, t0 + 90_000] and at[0].image.shape == (65, 87)
    pipe.close()


def test_threaded_mode_runs_binned():
    ev = make_events(40_000, 64, 48, duration_us=200_000)
    pipe = Pipeline(ArraySource(ev, 64, 48), WindowConfig(mode="events", downsample=2), model=SumModel(),
                    post=NO_POST, speed=0)
    got = []
    pipe.start(got.append)
    assert pipe.wait(30)
    assert got and {f.image.shape for f in got} == {(24, 32)}
    assert sum(f.n_events for f in got) == len(ev)
