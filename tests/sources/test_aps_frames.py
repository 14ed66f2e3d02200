"""DAVIS APS frames as the readers and the DAVIS camera give them: parsed as dv-processing does,
colour, corrupt packets, region of interest, memory cap, a read stopped when the reader closes."""

from __future__ import annotations

import json
import logging
import threading
from types import SimpleNamespace

import cv2
import numpy as np
from aps_support import (H, KEPT, ROI_FRAMES, SYN_APS_US, SYN_H, SYN_W, W, FakeDavis, SlowFrames, aps_of,
    davis_synth, frames_decoded, many_aps, many_frames, placed, roi_file, roi_image, syn_aps_image)  # noqa: F401 (fixtures)
from conftest import REAL_FILES, make_events
from gui_support import pattern

from evfocus_live.cli import main
from evfocus_live.sources.aedat4_file import APS_FILL, Aedat4FileSource
from evfocus_live.writers.aedat4 import Aedat4Writer


DAVIS = REAL_FILES["davis346"]


EVT2 = REAL_FILES["evt2"]


def test_real_davis_file_has_three_aps_frames_in_memory_once(shared_data):
    with Aedat4FileSource(shared_data / DAVIS["path"].name) as src:
        frames = src.aps_frames()
        assert len(frames) == 3
        assert [t for t, _ in frames] == sorted(t for t, _ in frames)
        assert all(img.shape == (260, 346) and img.dtype == np.uint8 for _, img in frames)
        assert src.aps_frames() is frames  # read once: later calls (one per window) touch no disk
        assert DAVIS["t_first_us"] <= frames[0][0] and frames[-1][0] <= DAVIS["t_last_us"]


def test_synthetic_aps_frames_read_back(davis_synth):
    with Aedat4FileSource(davis_synth) as src:
        frames = src.aps_frames()
        assert [t for t, _ in frames] == list(SYN_APS_US)
        for k, (_, img) in enumerate(frames):
            assert np.array_equal(img, syn_aps_image(k))
        assert np.array_equal(src.frame_times_us(), SYN_APS_US)


def dv_frames(path) -> list[tuple[int, np.ndarray]]:
    """The frames as dv-processing reads them (the reference for our parser)."""
    import dv_processing as dv
    r = dv.io.MonoCameraRecording(str(path))
    out = []
    while r.isFrameStreamAvailable() and r.isRunning("frames"):
        f = r.getNextFrame()
        if f is not None:
            out.append((int(f.timestamp), np.asarray(f.image)))
    return out


def test_our_frame_parser_matches_dv_processing(shared_data, davis_synth):
    for path in (shared_data / DAVIS["path"].name, davis_synth):
        ref, ours = dv_frames(path), aps_of(path)
        assert len(ours) == len(ref) == 3
        for (t, img), (t_ref, img_ref) in zip(ours, ref):
            # (the real file: start of exposure, 2.4 ms before the flatbuffer's own midpoint time)
            assert t == t_ref and np.array_equal(img, img_ref.reshape(img.shape))


def test_colour_aps_frames_are_turned_grey(tmp_path):
    import dv_processing as dv
    path = tmp_path / "colour.aedat4"
    bgr = np.random.default_rng(3).integers(0, 256, (SYN_H, SYN_W, 3), dtype=np.uint8)
    w = dv.io.MonoCameraWriter(str(path), dv.io.MonoCameraWriter.DAVISConfig("DAVIS346C", (SYN_W, SYN_H)))
    store = dv.EventStore()
    for t in range(100):
        store.push_back(1_000 + 100 * t, t % SYN_W, t % SYN_H, True)
    w.writeEvents(store)
    w.writeFrame(dv.Frame(5_000, bgr))
    del w
    (t, img), = aps_of(path)
    assert t == 5_000 and np.array_equal(img, cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))


def test_a_corrupt_frame_packet_keeps_the_frames_before_it(tmp_path, shared_data, caplog, capsys):
    """These three flipped bytes in a frame packet's header made dv-processing 2.0.4 spin (> 20 s,
    not interruptible; the viewer reads the frames at open); our parser names the packet and
    keeps the frames before it, the events still play."""
    src_path = shared_data / DAVIS["path"].name
    with Aedat4FileSource(src_path) as src:
        packets = src._frame_packets
        assert len(packets) == 3
    data = bytearray(src_path.read_bytes())
    off = packets[1][0]
    for i in (off + 4, off + 17, off + 42):
        data[i] ^= 0xFF
    bad = tmp_path / "bad_frame.aedat4"
    bad.write_bytes(bytes(data))
    with Aedat4FileSource(bad) as src:
        frames = src.aps_frames()
        assert [t for t, _ in frames] == [t for t, _ in aps_of(src_path)][:1]
        assert f"corrupt AEDAT4 packet at byte {off}" in caplog.text
        assert sum(len(b) for b in src) == DAVIS["events"]
    # evfocus info still describes the events, and counts the frames the app uses (those
    # before the corrupt packet, as reconstruct --at aps; s21: it said None, frames not counted)
    caplog.clear()
    assert main(["info", str(bad), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["aps_frames"] == 1
    assert f"corrupt AEDAT4 packet at byte {off}" in caplog.text


def test_sources_without_aps_frames_have_none(tmp_path):
    from evfocus_live.sources import open_file
    ours = tmp_path / "ours.aedat4"
    with Aedat4Writer(ours, 346, 260) as w:  # our writer writes events only
        w.write(make_events(2_000))
    for path in (ours, EVT2["path"]):
        with open_file(path) as src:
            assert len(src.aps_frames()) == 0


def test_aps_memory_cap_keeps_the_first_frames_and_says_so(davis_synth, monkeypatch, caplog):
    from evfocus_live.sources import aedat4_file
    monkeypatch.setattr(aedat4_file, "MAX_APS_BYTES", 2 * SYN_W * SYN_H)
    with Aedat4FileSource(davis_synth) as src:
        assert [t for t, _ in src.aps_frames()] == list(SYN_APS_US[:2])
    assert "only the first 2 APS frames" in caplog.text


def test_dv_camera_keeps_the_last_aps_frames_it_received():
    from evfocus_live.sources.dv_camera import APS_KEEP, DvCameraSource
    frames = [SimpleNamespace(timestamp=1000 * k, image=np.full((260, 346, 1), k, np.uint8))
              for k in range(APS_KEEP + 3)]
    src = DvCameraSource.__new__(DvCameraSource)
    src._cam, src.sensor, src.poll_timeout_s = FakeDavis(frames), "DAVIS346_fake", 0.01
    src.width, src.height, src._frames_on = 346, 260, True
    assert src.has_aps and len(src.aps_frames()) == 0
    assert len(src.read()) == 0
    kept = src.aps_frames()
    assert [t for t, _ in kept] == [1000 * k for k in range(3, APS_KEEP + 3)]
    assert kept[-1][1].shape == (260, 346) and kept[-1][1][0, 0] == APS_KEEP + 2
    # the viewer wraps the source: the frames and the toggle's "has APS" pass through
    from evfocus_live.gui.session import TapSource
    tap = TapSource(src, SimpleNamespace())
    assert tap.has_aps and tap.aps_frames() is kept
    # a camera without a frame stream (DVXplorer) is never asked for frames
    src2 = DvCameraSource.__new__(DvCameraSource)
    src2._cam, src2.sensor, src2.poll_timeout_s = FakeDavis(frames), "DVX_fake", 0.01
    src2.width, src2.height, src2._frames_on = 346, 260, False
    src2.read()
    assert not src2.has_aps and len(src2.aps_frames()) == 0 and len(src2._cam.frames) == len(frames)


def test_aps_frames_of_another_size_than_the_events_are_said_once(caplog, tiny_model):
    """A DAVIS recorded with DV's APS region of interest has smaller APS frames than its event
    sensor; the APS PNGs and pane did not line up with the frames, in silence."""
    import logging

    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.pipeline import Pipeline

    src = pattern(64, 48)
    small = np.full((12, 16), 128, np.uint8)
    src.aps_frames = lambda limit=None: [(0, small)]
    pipe = Pipeline(src, WindowConfig(mode="events", window_events=500), model_obj=tiny_model,
                    post=PostConfig(steps=()))
    with caplog.at_level(logging.WARNING):
        frames = [fr for _, fr in zip(range(3), pipe.frames())]
    said = [r.getMessage() for r in caplog.records if "APS frames are 16x12" in r.getMessage()]
    assert frames[-1].aps is small and len(said) == 1 and "64x48" in said[0]


N_APS = 40


def test_aps_frames_limit_reads_only_the_first_and_keeps_the_default(many_aps, frames_decoded):
    import numpy as np

    from evfocus_live.sources.aedat4_file import Aedat4FileSource

    with Aedat4FileSource(many_aps) as src:
        first = src.aps_frames(limit=3)
        assert frames_decoded[0] == 3 and [t for t, _ in first] == [2_000, 4_400, 6_800]
        every = src.aps_frames()  # the default: all of them, read once and kept
        assert len(every) == N_APS and frames_decoded[0] == 3 + N_APS
        assert all(a[0] == b[0] and np.array_equal(a[1], b[1]) for a, b in zip(first, every[:3]))
        assert src.aps_frames(limit=5) == every[:5] and src.aps_frames() is every
        assert frames_decoded[0] == 3 + N_APS  # (from what is kept)


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
