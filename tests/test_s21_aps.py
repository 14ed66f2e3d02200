"""DAVIS APS frames, three loose ends: frames smaller than the sensor (DV's APS region of
interest) placed at their position; ``reconstruct --at aps`` reading the frames' pixels
once at most; the viewer's APS-loading thread stopped and joined when its session ends.

On small .aedat4 files written by dv-processing's own writer (the reference for where a
positioned frame lies: its reader gives ``positionX`` / ``positionY``).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from conftest import make_events
from aps_support import W, H, ROI_FRAMES, KEPT, write_davis

from evfocus_live.cli import main
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources import aedat4_file
from evfocus_live.sources.aedat4_file import APS_FILL, Aedat4FileSource
from evfocus_live.train.evaluate import evaluate_aps, minmax_normalised


def roi_image(k: int, w: int, h: int) -> np.ndarray:
    """A distinct textured image per frame (no flat area: SSIM is defined everywhere)."""
    yy, xx = np.mgrid[0:h, 0:w]
    return ((xx * 7 + yy * 13 + 40 * k + (xx * yy) % 17) % 256).astype(np.uint8)


@pytest.fixture(scope="module")
def roi_file(tmp_path_factory) -> Path:
    return write_davis(tmp_path_factory.mktemp("roi") / "roi_davis.aedat4", ROI_FRAMES)


def placed(k: int, x: int, y: int, w: int, h: int) -> np.ndarray:
    img = np.full((H, W), APS_FILL, np.uint8)
    img[y:y + h, x:x + w] = roi_image(k, w, h)
    return img


def expected_frames():
    return [(t, placed(ROI_FRAMES.index((t, x, y, w, h)), x, y, w, h)) for t, x, y, w, h in KEPT]


# ---------------------------------------------------------------------- 1. positioned frames
def test_positioned_frames_are_placed_where_dv_processing_says(roi_file, caplog):
    import dv_processing as dv

    rec = dv.io.MonoCameraRecording(str(roi_file))
    ref = []
    while rec.isRunning("frames"):
        f = rec.getNextFrame()
        if f is None:
            break
        ref.append((int(f.timestamp), int(f.positionX), int(f.positionY), np.asarray(f.image)))
    assert [(t, x, y) for t, x, y, _ in ref] == [f[:3] for f in ROI_FRAMES]  # (dv wrote the positions)
    with caplog.at_level(logging.WARNING), Aedat4FileSource(roi_file) as src:
        frames = src.aps_frames()
        assert [t for t, _ in frames] == [f[0] for f in KEPT]
        by_t = {t: (x, y, img.reshape(img.shape[:2])) for t, x, y, img in ref}
        for t, img in frames:
            x, y, ref_img = by_t[t]
            h, w = ref_img.shape
            assert img.shape == (H, W)
            assert np.array_equal(img[y:y + h, x:x + w], ref_img)  # dv's pixels, at dv's position
            outside = np.ones((H, W), bool)
            outside[y:y + h, x:x + w] = False
            assert (img[outside] == APS_FILL).all()
            assert src.aps_region(t) == (None if (w, h) == (W, H) else (x, y, w, h))
        # the two that do not fit the sensor there: one warning for both, and left out
        said = [r.getMessage() for r in caplog.records if "does not fit" in r.getMessage()]
        assert len(said) == 1 and "32x20 at (40, 30)" in said[0] and "64x48" in said[0]
        assert np.array_equal(src.aps_times_us(), [f[0] for f in KEPT])
        assert len(src.frame_times_us()) == len(ROI_FRAMES)  # (evfocus info counts the packets)


def test_a_fresh_source_reads_the_region_with_a_limit_and_times_only(roi_file):
    with Aedat4FileSource(roi_file) as src:
        first = src.aps_frames(limit=2)
        assert [t for t, _ in first] == [20_000, 40_000] and src.aps_region(40_000) == (10, 8, 32, 20)
    with Aedat4FileSource(roi_file) as src:
        src.aps_times_us()
        assert src.aps_region(80_000) == (12, 6, 40, 36) and src.aps_region(20_000) is None


def test_save_aps_writes_the_frames_placed_on_the_sensor(tmp_path, roi_file, tiny_ckpt, caplog):
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", str(roi_file), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                     "--no-progress", "--at", "aps", "--save-aps"]) == 0
    exp = expected_frames()
    ts = [tuple(int(v) for v in ln.split()) for ln in (out / "timestamps.txt").read_text().splitlines()]
    assert ts == [(k, t) for k, (t, _) in enumerate(exp)]
    for k, (_, img) in enumerate(exp):
        assert np.array_equal(cv2.imread(str(out / f"aps_{k:010d}.png"), cv2.IMREAD_UNCHANGED), img)
    # no "does not line up" any more: they do (the pipeline's size warning is for other sources)
    assert "does not line up" not in caplog.text
    # with --roi: the placed frame cropped as the reconstruction is
    out2 = tmp_path / "out2"
    assert main(["reconstruct", str(roi_file), "-o", str(out2), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", "--at", "aps", "--save-aps", "--roi", "8,4,40,30"]) == 0
    for k, (_, img) in enumerate(exp):
        got = cv2.imread(str(out2 / f"aps_{k:010d}.png"), cv2.IMREAD_UNCHANGED)
        assert np.array_equal(got, img[4:34, 8:48])


def test_pipeline_frames_carry_the_placed_aps_frame(roi_file, tiny_model):
    exp = dict(expected_frames())
    with Pipeline(str(roi_file), WindowConfig(mode="timestamps", timestamps_aps=True), model_obj=tiny_model,
                  post=PostConfig(steps=())) as pipe:
        frames = list(pipe.frames())
    assert [fr.aps_t_us for fr in frames] == list(exp)
    assert all(np.array_equal(fr.aps, exp[fr.aps_t_us]) for fr in frames)


class RegionEcho:
    """A test double: at the k-th window, the k-th APS frame inside its region and noise
    outside (where the camera measured nothing): SSIM 1 when only the region is scored."""

    def __init__(self, frames, regions):
        self.frames, self.regions, self.i = frames, regions, 0
        self.rng = np.random.default_rng(0)

    def reset_states(self):
        self.i = 0

    def __call__(self, voxel):
        k = min(self.i, len(self.frames) - 1)
        self.i += 1
        img = self.rng.uniform(0, 1, (H, W)).astype(np.float32)
        x, y, w, h = self.regions[k]
        img[y:y + h, x:x + w] = 0.2 + 0.4 * self.frames[k][y:y + h, x:x + w] / 255.0
        return {"image": torch.from_numpy(img)[None, None]}


def test_eval_scores_only_the_part_of_the_sensor_the_aps_frame_covers(roi_file):
    exp = expected_frames()
    regions = [(x, y, w, h) for _, x, y, w, h in KEPT]
    echo = RegionEcho([img for _, img in exp], regions)
    res = evaluate_aps({"echo": echo}, [roi_file], warmup=0, progress=False)[roi_file.name]
    assert res["frames"] == len(KEPT) and res["scored"] == len(KEPT)
    r = res["models"]["echo"]
    assert r["ssim"] == pytest.approx(1.0, abs=1e-6) and r["mse"] < 1e-10
    # (scored on the whole sensor, the noise outside the region would count)
    from evfocus_live.train import metrics as M
    echo.i = 1  # frame 1: a 32x20 region
    rec = echo(None)["image"][0, 0].numpy()
    assert M.ssim(minmax_normalised(rec), minmax_normalised(exp[1][1])) < 0.5


def test_eval_skips_a_recording_whose_aps_region_is_too_small(tmp_path):
    path = write_davis(tmp_path / "tiny_roi.aedat4", [(30_000, 5, 5, 6, 20), (60_000, 5, 5, 6, 20)])
    res = evaluate_aps({"flat": lambda v: {"image": torch.full((1, 1, H, W), 0.5)}}, [path], progress=False)
    assert "6x20 px frames (APS region at 5,5) are too small to score" in res[path.name]["skipped"]


def test_dv_camera_places_positioned_frames_and_leaves_out_those_off_the_sensor(caplog):
    from evfocus_live.sources.dv_camera import DvCameraSource
    from aps_support import FakeDavis as Cam  # (dv's camera, mocked)

    small = roi_image(0, 32, 20)
    frames = [SimpleNamespace(timestamp=1000, image=small, positionX=10, positionY=8),
              SimpleNamespace(timestamp=2000, image=small, positionX=40, positionY=30),
              SimpleNamespace(timestamp=3000, image=small, positionX=50, positionY=0)]
    src = DvCameraSource.__new__(DvCameraSource)
    src._cam, src.sensor, src.poll_timeout_s = Cam(frames), "DAVIS346_fake", 0.01
    src.width, src.height, src._frames_on = W, H, True
    with caplog.at_level(logging.WARNING):
        src.read()
    kept = src.aps_frames()
    assert [t for t, _ in kept] == [1000] and np.array_equal(kept[0][1], placed(0, 10, 8, 32, 20))
    assert sum("does not fit" in r.getMessage() for r in caplog.records) == 1


# ---------------------------------------------------------------------- 2. --at aps reads the pixels once at most
class PixelReads:
    """Counts the frame packets whose pixels are decoded (``_packet_frame(pixels=True)``)."""

    def __init__(self, monkeypatch):
        self.pixels = self.headers = 0
        orig = Aedat4FileSource._packet_frame

        def spy(src, off, n, pixels=True):
            if pixels:
                self.pixels += 1
            else:
                self.headers += 1
            return orig(src, off, n, pixels)
        monkeypatch.setattr(Aedat4FileSource, "_packet_frame", spy)


@pytest.mark.parametrize("save_aps, decoded", [(False, 0), (True, len(ROI_FRAMES))])
def test_at_aps_decodes_each_frame_once_with_save_aps_and_never_without(tmp_path, roi_file, tiny_ckpt,
                                                                          monkeypatch, save_aps, decoded):
    reads = PixelReads(monkeypatch)
    out = tmp_path / "out"
    assert main(["reconstruct", str(roi_file), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", "--at", "aps", *(["--save-aps"] if save_aps else [])]) == 0
    # (before: every packet's pixels twice, the check's read and the reconstruction's)
    assert reads.pixels == decoded
    assert len((out / "timestamps.txt").read_text().splitlines()) == len(KEPT)
    assert len(list(out.glob("aps_*.png"))) == (len(KEPT) if save_aps else 0)


def test_the_check_and_the_reconstruction_agree_at_the_memory_cap(tmp_path, roi_file, tiny_ckpt, monkeypatch,
                                                                    capsys, caplog):
    monkeypatch.setattr(aedat4_file, "MAX_APS_BYTES", 2 * W * H)  # two sensor-sized frames
    with Aedat4FileSource(roi_file) as src:
        assert list(src.aps_times_us()) == [t for t, _ in src.aps_frames()] == [20_000, 40_000]
    # the only frame at or after 0.05 s is past the cap: refused before any work, one line
    args = ["reconstruct", str(roi_file), "--model", str(tiny_ckpt), "--device", "cpu", "--no-progress",
            "--at", "aps", "--save-aps"]
    assert main([*args, "-o", str(tmp_path / "late"), "--start-s", "0.05"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "none of its 2 APS frames lies between" in err[0], err
    assert not (tmp_path / "late").exists()
    # otherwise: the frames kept and no more, said once (by the reconstruction, not its check too)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert main([*args, "-o", str(tmp_path / "out")]) == 0
    ts = (tmp_path / "out" / "timestamps.txt").read_text().split()
    assert ts == ["0", "20000", "1", "40000"] and len(list((tmp_path / "out").glob("aps_*.png"))) == 2
    assert sum("only the first 2 APS frames" in r.getMessage() for r in caplog.records) == 1


# ---------------------------------------------------------------------- 3. the viewer's APS thread
class SlowFrames(Aedat4FileSource):
    """A recording whose frame packets take ``delay_s`` each (a long DAVIS recording's read),
    noting the packets read after close() returned."""

    delay_s = 0.05

    def __init__(self, path):
        self.asked = threading.Event()
        self.closed = False
        self.read_after_close = 0
        super().__init__(path)

    def _packet_frame(self, off, n, pixels=True):
        self.asked.set()
        if self.closed:
            self.read_after_close += 1
        out = super()._packet_frame(off, n, pixels)
        threading.Event().wait(self.delay_s)
        return out

    def close(self):
        super().close()
        self.closed = True  # (a packet read in progress then was waited for; none may start now)


@pytest.fixture(scope="module")
def many_frames(tmp_path_factory) -> Path:
    """60 frames: 3 s of reading at SlowFrames' pace."""
    frames = [(1_000 + 1_600 * k, 0, 0, W, H) for k in range(60)]
    return write_davis(tmp_path_factory.mktemp("many") / "many.aedat4", frames)


def aps_threads():
    from evfocus_live.gui.session import APS_THREAD
    return [t for t in threading.enumerate() if t.name == APS_THREAD and t.is_alive()]


def test_closing_the_reader_stops_an_aps_read_in_another_thread(many_frames):
    src = SlowFrames(many_frames)
    got = {}

    def read():
        try:
            got["frames"] = src.aps_frames()
        except Exception as exc:  # noqa: BLE001 (what the read ended with is the point)
            got["error"] = exc
    t = threading.Thread(target=read)
    t.start()
    assert src.asked.wait(10)
    src.close()  # waits for the packet in hand, then the file is closed
    t.join(10)
    assert not t.is_alive()
    assert "closed while its APS frames were read" in str(got.get("error")) and src.read_after_close == 0


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_session_stop_during_the_aps_read_joins_the_thread(qtbot, many_frames, tiny_model, caplog):
    from evfocus_live.gui.session import LiveSession

    src = SlowFrames(many_frames)
    with caplog.at_level(logging.WARNING):
        sess = LiveSession(src, WindowConfig(mode="events", window_events=400), model_obj=tiny_model,
                           post=PostConfig(steps=()), speed=0.1, loop=True)
        sess.start()
        assert src.asked.wait(10) and sess.aps_loading
        sess.stop()
    # (before: the thread read on, past the close, and held what it read)
    assert not aps_threads() and src.read_after_close == 0
    assert sess.aps_loaded == () and not [r for r in caplog.records if "APS" in r.getMessage()]


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_viewer_closed_or_switched_during_the_aps_read(qtbot, tmp_path, many_frames, roi_file, tiny_model):
    from evfocus_live.gui.window import MainWindow, ViewerOptions

    def window(source):
        opts = ViewerOptions(source=source, model_obj=tiny_model, post=PostConfig(steps=()),
                             window=WindowConfig(mode="events", window_events=400), speed=0.1, loop=True,
                             show_aps=True, record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap")
        win = MainWindow(opts)
        qtbot.addWidget(win)
        win.show()
        return win

    # a switch to another recording: the old one's read stops, its thread is joined
    first = SlowFrames(many_frames)
    win = window(first)
    assert first.asked.wait(10) and win.session.aps_loading
    reading = aps_threads()
    assert len(reading) == 1
    assert win.open_source(str(roi_file))
    assert not reading[0].is_alive() and first.read_after_close == 0
    qtbot.waitUntil(lambda: not win.session.aps_loading, timeout=30_000)
    assert not aps_threads()
    win.close()
    # closing the window mid-read
    second = SlowFrames(many_frames)
    win = window(second)
    assert second.asked.wait(10) and win.session.aps_loading
    win.close()
    assert win.session is None and not aps_threads() and second.read_after_close == 0
