"""``--roi X,Y,W,H`` in the Pipeline: only the events inside reach the slicer and model, shifted to its
origin; events outside are excluded on purpose (not dropped); recordings keep the whole sensor."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import make_events
from pipeline_support import NO_POST, ArraySource, FlakyLiveSource, SumModel, VoxelSpy, events_at

from evfocus_live.cli.options import parse_roi
from evfocus_live.config import MIN_ROI_PX, PostConfig, WindowConfig
from evfocus_live.core.slicing import default_window_events
from evfocus_live.errors import ConfigError
from evfocus_live.pipeline import Pipeline


def run(ev, w, h, window: WindowConfig, model=None, batch=3000):
    pipe = Pipeline(ArraySource(ev, w, h, batch=batch), window, model=model or SumModel(), post=NO_POST)
    return pipe, list(pipe.frames())


def inside(ev, x0, y0, w, h):
    return ev[(ev["x"] >= x0) & (ev["x"] < x0 + w) & (ev["y"] >= y0) & (ev["y"] < y0 + h)]


def hit_pixels(spy: VoxelSpy) -> set[tuple[int, int]]:
    hit = spy.seen[0][0].abs().sum(0)
    return {(int(x), int(y)) for y, x in torch.nonzero(hit).tolist()}


def test_window_config_roi_is_four_whole_numbers_at_least_16_px():
    assert WindowConfig().roi is None
    assert WindowConfig(roi=(0, 0, 16, 16)).roi == (0, 0, 16, 16)
    assert WindowConfig(roi=tuple(np.array([1, 2, 30, 40]))).roi == (1, 2, 30, 40)  # numpy ints: plain ints
    assert type(WindowConfig(roi=tuple(np.array([1, 2, 30, 40]))).roi[0]) is int
    for bad in ((0, 0, 15, 16), (0, 0, 16, 15), (-1, 0, 32, 32), (0, 0, 32), [0, 0, 32, 32], (0, 0, 32.0, 32),
                (True, 0, 32, 32), "0,0,32,32"):
        with pytest.raises(ConfigError, match="WindowConfig.roi"):
            WindowConfig(roi=bad)


def test_parse_roi_text():
    assert parse_roi("--roi", " 10, 20,346 ,260 ") == (10, 20, 346, 260)
    for empty in (None, "", "full", "none"):
        assert parse_roi("--roi", empty) is None
    for bad, said in (("1,2,3", "not X,Y,W,H"), ("a,b,c,d", "not X,Y,W,H"), ("-1,0,32,32", "not X,Y,W,H"),
                      ("0,0,32,32,1", "not X,Y,W,H"), ("0,0,8,100", f"at least {MIN_ROI_PX}")):
        with pytest.raises(ConfigError, match=said) as err:
            parse_roi("--roi", bad)
        assert str(err.value).startswith("--roi") and "\n" not in str(err.value)


def test_frames_are_the_roi_and_the_count_window_follows_its_pixels():
    ev = make_events(40_000, 64, 48, duration_us=200_000)
    pipe, frames = run(ev, 64, 48, WindowConfig(mode="events", roi=(8, 4, 32, 24)))
    n = default_window_events(32, 24)
    assert n == round(0.35 * 32 * 24) != default_window_events(64, 48)
    assert (pipe.width, pipe.height) == (32, 24) and pipe.source_size == (64, 48) and pipe.roi == (8, 4, 32, 24)
    assert {f.image.shape for f in frames} == {(24, 32)}
    assert {f.event_image.shape for f in frames} == {(24, 32, 3)}
    assert [f.n_events for f in frames[:-1]] == [n] * (len(frames) - 1)
    assert sum(f.n_events for f in frames) == len(inside(ev, 8, 4, 32, 24)) < len(ev)


def test_events_outside_are_excluded_not_dropped_and_the_rest_are_shifted():
    roi = (10, 5, 20, 16)
    xy = [(10, 5), (29, 20), (15, 10), (9, 5), (30, 5), (10, 4), (10, 21), (63, 47), (0, 0)]
    spy = VoxelSpy()
    ev = events_at(xy * 20)
    bad = events_at([(64, 3), (2, 48)], t0_us=int(ev["t"][-1]) + 10)  # outside the 64x48 sensor: dropped
    pipe, frames = run(np.concatenate([ev, bad]), 64, 48, WindowConfig(mode="duration", window_ms=100, roi=roi),
                       model=spy)
    assert hit_pixels(spy) == {(0, 0), (19, 15), (5, 5)}
    assert sum(f.n_events for f in frames) == 3 * 20
    assert pipe.stats.outside_events == 2 and pipe.stats.dropped_events == 2  # the sensor's, not the ROI's


def test_roi_then_downsample_equals_cropping_and_binning_by_hand():
    ev = make_events(30_000, 64, 48, duration_us=100_000, seed=5)
    roi = (5, 3, 41, 33)
    pipe, two = run(ev, 64, 48, WindowConfig(mode="duration", window_ms=10, roi=roi, downsample=2))
    assert (pipe.width, pipe.height) == (21, 17)  # ceil(41/2) x ceil(33/2)
    crop = inside(ev, *roi).copy()
    crop["x"] = (crop["x"] - 5) // 2
    crop["y"] = (crop["y"] - 3) // 2
    _, by_hand = run(crop, 21, 17, WindowConfig(mode="duration", window_ms=10))
    assert len(two) == len(by_hand) > 5
    assert [f.t_us for f in two] == [f.t_us for f in by_hand]
    assert all(np.array_equal(a.image, b.image) for a, b in zip(two, by_hand))
    assert ev["x"].max() == 63 and ev["x"].min() == 0  # the source's array is not changed


def test_whole_sensor_roi_is_byte_identical_to_none():
    ev = make_events(20_000, 64, 48, duration_us=100_000, seed=2)
    _, plain = run(ev, 64, 48, WindowConfig(mode="duration", window_ms=10))
    _, full = run(ev, 64, 48, WindowConfig(mode="duration", window_ms=10, roi=(0, 0, 64, 48)))
    assert len(full) == len(plain) and all(a.image.tobytes() == b.image.tobytes() for a, b in zip(plain, full))


def test_an_roi_outside_the_sensor_is_one_line_naming_its_size():
    ev = make_events(1000, 64, 48)
    with pytest.raises(ConfigError, match=r"ROI 40,0,32,16 .*not inside the array source's 64x48 sensor"):
        Pipeline(ArraySource(ev, 64, 48), WindowConfig(roi=(40, 0, 32, 16)), model=SumModel(), post=NO_POST)


def test_set_window_changes_the_roi_and_refuses_one_that_does_not_fit():
    ev = make_events(40_000, 64, 48, duration_us=200_000)
    model = SumModel()
    pipe = Pipeline(ArraySource(ev, 64, 48), WindowConfig(mode="duration", window_ms=10), model=model,
                    post=PostConfig(steps=("hot_pixels",)))
    it = pipe.frames()
    assert next(it).image.shape == (48, 64)
    resets = model.resets
    pipe.set_window(WindowConfig(mode="duration", window_ms=10, roi=(16, 16, 32, 16)))
    assert model.resets > resets  # a new ROI resets the network's state
    assert next(it).image.shape == (16, 32) and pipe.event_filters[0]._map.height == 16
    with pytest.raises(ConfigError, match="64x48"):
        pipe.set_window(WindowConfig(mode="duration", window_ms=10, roi=(50, 0, 16, 16)))
    assert pipe.roi == (16, 16, 32, 16) and next(it).image.shape == (16, 32)  # the running one stays
    pipe.set_window(WindowConfig(mode="duration", window_ms=10))
    assert next(it).image.shape == (48, 64)
    it.close()


def test_a_reconnect_to_a_smaller_sensor_runs_on_the_whole_sensor(caplog):
    made = []

    def factory():
        w, h = (64, 48) if not made else (24, 20)
        src = FlakyLiveSource(make_events(20_000, w, h, duration_us=200_000, seed=len(made)), w, h,
                              batch=5000, fail_after=2 if not made else 10**9)
        made.append(src)
        return src

    pipe = Pipeline(factory, WindowConfig(mode="duration", window_ms=20, roi=(16, 16, 32, 24)), model=SumModel(),
                    post=NO_POST)
    shapes = [f.image.shape for f in pipe.frames()]
    assert pipe.stats.reconnects == 1 and shapes[0] == (24, 32) and shapes[-1] == (20, 24)
    assert pipe.roi is None
    said = [r.getMessage() for r in caplog.records if "whole sensor" in r.getMessage()]
    assert len(said) == 1 and "24x20" in said[0], said


def test_threaded_mode_runs_the_roi():
    ev = make_events(40_000, 64, 48, duration_us=200_000)
    pipe = Pipeline(ArraySource(ev, 64, 48), WindowConfig(mode="events", roi=(0, 0, 32, 32)), model=SumModel(),
                    post=NO_POST, speed=0)
    got = []
    pipe.start(got.append)
    assert pipe.wait(30)
    assert got and {f.image.shape for f in got} == {(32, 32)}
    assert sum(f.n_events for f in got) == len(inside(ev, 0, 0, 32, 32))
    assert pipe.stats.dropped_events == 0
