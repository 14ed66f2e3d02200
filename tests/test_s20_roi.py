"""``--roi X,Y,W,H``: only the events inside a rectangle of the sensor reach the slicer and
model, shifted to its origin, so everything after sees a W x H sensor (then ``--downsample``);
events outside it are excluded on purpose (not dropped), recordings keep the whole sensor."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
from conftest import REAL_FILES, make_events
from pipeline_support import NO_POST, ArraySource, FlakyLiveSource, SumModel
from gui_support import make_window, pattern, wait_frames
from pipeline_support import VoxelSpy, events_at, read_all
from gui_support import set_roi
from gui_support import drag

from evfocus_live.cli import main
from evfocus_live.cli.options import parse_roi
from evfocus_live.config import MIN_ROI_PX, PostConfig, WindowConfig
from evfocus_live.core.slicing import default_window_events
from evfocus_live.errors import ConfigError
from evfocus_live.gui import app
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources import open_source
from evfocus_live.writers.aedat4 import Aedat4Writer

EVT2 = REAL_FILES["evt2"]


def run(ev, w, h, window: WindowConfig, model=None, batch=3000):
    pipe = Pipeline(ArraySource(ev, w, h, batch=batch), window, model=model or SumModel(), post=NO_POST)
    return pipe, list(pipe.frames())


def inside(ev, x0, y0, w, h):
    return ev[(ev["x"] >= x0) & (ev["x"] < x0 + w) & (ev["y"] >= y0) & (ev["y"] < y0 + h)]


def hit_pixels(spy: VoxelSpy) -> set[tuple[int, int]]:
    hit = spy.seen[0][0].abs().sum(0)
    return {(int(x), int(y)) for y, x in torch.nonzero(hit).tolist()}


# ---------------------------------------------------------------------- config and option text
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


# ---------------------------------------------------------------------- the pipeline
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


# ---------------------------------------------------------------------- evfocus reconstruct
@pytest.mark.parametrize("bad,said", [("1,2,3", "not X,Y,W,H"), ("0,0,8,8", "at least 16"),
                                      ("600,0,100,100", "640x480")])
def test_reconstruct_refuses_a_bad_roi_in_one_line(tmp_path, capsys, bad, said):
    rc = main(["reconstruct", str(EVT2["path"]), "-o", str(tmp_path / "o"), "--roi", bad])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "--roi" in err and said in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


def test_reconstruct_writes_the_roi_downsampled_with_the_same_timestamps(tmp_path, tiny_ckpt):
    def rec(out, *extra):
        argv = ["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                "--window-ms", "10", "--end-s", "0.03", "--no-progress", "--post", "none", *extra]
        assert main(argv) == 0
        return (out / "timestamps.txt").read_text(), sorted(out.glob("frame_*.png"))

    ts1, full = rec(tmp_path / "full")
    ts2, small = rec(tmp_path / "roi", "--roi", "100,50,320,240", "--downsample", "2")
    assert ts1 == ts2 and len(small) == len(full) == 3
    assert {cv2.imread(str(p), 0).shape for p in small} == {(120, 160)}


# ---------------------------------------------------------------------- evfocus-live
@pytest.mark.parametrize("bad,said", [("0,0,346", "not X,Y,W,H"), ("0,0,10,100", "at least 16"),
                                      ("0,0,97,16", "96x72")])
def test_live_headless_refuses_a_bad_roi(tmp_path, capsys, bad, said):
    rec = tmp_path / "in.aedat4"
    with Aedat4Writer(rec, 96, 72) as wr:
        wr.write(make_events(1000, 96, 72))
    assert app.main([str(rec), "--headless", "--roi", bad, "--exit-after", "5"]) == app.EXIT_USER_ERROR
    err = capsys.readouterr().err.strip()
    assert "--roi" in err
    assert said in err and len(err.splitlines()) == 1, err


def test_headless_video_is_the_roi_and_the_recording_the_whole_sensor(tmp_path, tiny_ckpt):
    rec = tmp_path / "in.aedat4"
    ev = make_events(30_000, 64, 48, duration_us=150_000)
    ev[:10]["x"], ev[:10]["y"] = 63, 47  # outside the ROI: must be recorded as it came
    with Aedat4Writer(rec, 64, 48) as wr:
        wr.write(ev)
    out, video = tmp_path / "out.aedat4", tmp_path / "out.mp4"
    rc = app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none", "--speed", "0",
                   "--roi", "0,0,40,32", "--downsample", "2", "--record", str(out), "--video", str(video),
                   "--exit-after", "60"])
    assert rc == 0
    cap = cv2.VideoCapture(str(video))
    ok, img = cap.read()
    cap.release()
    assert ok and img.shape[:2] == (16, 20)
    src = open_source(str(out))
    assert (src.width, src.height) == (64, 48)
    got = read_all(src)
    assert len(got) == len(ev) and got["x"].max() == 63 and got["y"].max() == 47


# ---------------------------------------------------------------------- the viewer


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_roi_box_applies_refuses_reverts_and_clears(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    assert win.roi_edit.text() == "" and win.last_frame.image.shape == (72, 96)
    set_roi(win, "16,8,48,32")
    assert win.opts.window.roi == (16, 8, 48, 32)
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.image.shape == (32, 48), timeout=30_000)
    assert "96x72 \u2192 48x32" in win.source_label.text()
    gen = win.session.pipeline._gen
    set_roi(win, "16,8,48,32")  # unchanged (leaving the box): not applied again (no state reset)
    assert win.session.pipeline._gen == gen
    set_roi(win, "60,0,48,32")  # not inside the 96x72 sensor: refused, the box shows what runs
    assert "96x72" in win.status_log[-1] and win.roi_edit.text() == "16,8,48,32"
    assert win.opts.window.roi == (16, 8, 48, 32) and win.session.pipeline.roi == (16, 8, 48, 32)
    set_roi(win, "1,2,3")  # malformed: said, reverted
    assert "not X,Y,W,H" in win.status_log[-1] and win.roi_edit.text() == "16,8,48,32"
    win.downsample_combo.setCurrentIndex(win.downsample_combo.findData(2))  # ROI first, then the binning
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.image.shape == (16, 24), timeout=30_000)
    assert win.opts.window.roi == (16, 8, 48, 32)
    win.roi_full_button.click()
    assert win.opts.window.roi is None and win.roi_edit.text() == ""
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.image.shape == (36, 48), timeout=30_000)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_source_that_cannot_hold_the_roi_runs_whole_and_says_so(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    set_roi(win, "40,30,56,40")
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.image.shape == (40, 56), timeout=30_000)
    assert win.record_to(tmp_path / "rec.aedat4")
    wait_frames(qtbot, win, 2)
    assert win.open_source(pattern(64, 48))  # (saves the recording)
    assert any("64x48" in m and "whole sensor" in m for m in win.status_log), win.status_log
    assert win.opts.window.roi is None and win.roi_edit.text() == ""
    wait_frames(qtbot, win, 2)
    assert win.last_frame.image.shape == (48, 64)
    src = open_source(str(tmp_path / "rec.aedat4"))
    got = read_all(src)
    assert (src.width, src.height) == (96, 72) and got["x"].min() < 40 and got["y"].min() < 30  # all events
    win.close()


# ---------------------------------------------------------------------- bench/bench_roi.py
@pytest.mark.parametrize("args, said", [(["--roi", "0,0,2000,16"], "1280x720"), (["--roi", "1,2"], "X,Y,W,H"),
                                        (["--window-ms", "0"], "window_ms"), (["--input", "/nonexistent.raw"],
                                                                              "nonexistent")])
def test_bench_roi_refuses_bad_options_in_one_line(args, said):
    from cli_support import _bench

    r = _bench("bench_roi.py", *args)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "Traceback" not in r.stderr, (r.returncode, r.stderr)
    assert err[0].startswith("bench_roi.py: error:") and said in err[0] and not r.stdout.strip(), err


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_rectangle_dragged_on_the_event_pane_sets_the_roi(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win, 3)
    qtbot.wait(300)  # (the panes' layout settles: a drag across a moving view maps its ends apart)
    assert win.event_pane.image_shape == (72, 96)
    drag(qtbot, win.event_pane, (8.2, 4.6), (59.5, 43.1))  # (whole pixels covering it)
    assert win.opts.window.roi == (8, 4, 52, 40) and win.roi_edit.text() == "8,4,52,40"
    qtbot.waitUntil(lambda: win.event_pane.image_shape == (40, 52), timeout=30_000)
    win.downsample_combo.setCurrentIndex(win.downsample_combo.findData(2))
    qtbot.waitUntil(lambda: win.event_pane.image_shape == (20, 26), timeout=30_000)
    qtbot.wait(300)
    drag(qtbot, win.event_pane, (20.5, 15.5), (2.5, 1.5))  # on the binned ROI, backwards: its sensor pixels
    assert win.opts.window.roi == (8 + 2 * 2, 4 + 1 * 2, (21 - 2) * 2, (16 - 1) * 2)
    roi = win.opts.window.roi
    drag(qtbot, win.event_pane, (1, 1), (4, 4))  # too small: said, nothing changes
    assert "at least 16x16" in win.status_log[-1] and win.opts.window.roi == roi
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("decay"))  # the whole sensor's pane
    qtbot.waitUntil(lambda: win.event_pane.image_shape == (72, 96), timeout=30_000)
    qtbot.wait(300)
    drag(qtbot, win.event_pane, (60.5, 30.5), (90.5, 70.5))
    assert win.opts.window.roi == (60, 30, 31, 41)
    win.close()
