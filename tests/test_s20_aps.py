"""A DAVIS camera's own grey-level (APS) frames: ``reconstruct --at aps [--save-aps]``,
``evfocus info``, the pipeline's ``FrameResult.aps`` and the viewer's APS toggle.

On the real DAVIS346 recording (3 APS frames in its 0.13 s) and on a small synthetic
.aedat4 written by dv-processing's own writer (ours writes no frames).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from conftest import REAL_FILES, make_events
from aps_support import SYN_W, SYN_H, SYN_APS_US, syn_aps_image, davis_synth, ckpt, reconstruct, read_ts, aps_window  # noqa: F401 (fixtures)
from aps_support import FakeDavis, pane_image

from evfocus_live.cli import main
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.errors import ConfigError
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources.aedat4_file import Aedat4FileSource
from evfocus_live.writers.aedat4 import Aedat4Writer

DAVIS = REAL_FILES["davis346"]
EVT2 = REAL_FILES["evt2"]


def aps_of(path) -> list[tuple[int, np.ndarray]]:
    with Aedat4FileSource(path) as src:
        return src.read_frames()


# ---------------------------------------------------------------------- the source
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


# ---------------------------------------------------------------------- the DAVIS camera (mocked)


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


# ---------------------------------------------------------------------- the pipeline
def test_pipeline_attaches_the_last_aps_frame_at_or_before_each_window(davis_synth, tiny_model):
    aps = aps_of(davis_synth)
    times = np.array([t for t, _ in aps])
    pipe = Pipeline(str(davis_synth), WindowConfig(mode="duration", window_ms=7), model_obj=tiny_model,
                    post=PostConfig(steps=()))
    frames = list(pipe.frames())
    assert len(frames) > 10
    seen = set()
    for fr in frames:
        k = int(np.searchsorted(times, fr.t_us, side="right"))
        if k == 0:
            assert fr.aps is None and fr.aps_t_us is None
        else:
            assert fr.aps_t_us == times[k - 1] and np.array_equal(fr.aps, aps[k - 1][1])
            seen.add(fr.aps_t_us)
    assert seen == set(SYN_APS_US)
    # a seek back follows: the frame after it shows the earlier APS frame again
    pipe.seek(30_000)
    fr = next(pipe.frames())
    assert fr.aps_t_us == 20_000
    pipe.close()
    # aps=False: nothing attached (reconstruct without --save-aps)
    with Pipeline(str(davis_synth), WindowConfig(mode="duration", window_ms=30), model_obj=tiny_model,
                  post=PostConfig(steps=()), aps=False) as pipe:
        assert all(fr.aps is None for fr in pipe.frames())


def test_timestamps_from_aps_window_config(davis_synth, tiny_model):
    with pytest.raises(ConfigError, match="exclude each other"):
        WindowConfig(mode="timestamps", timestamps_path="ts.txt", timestamps_aps=True)
    with Pipeline(str(davis_synth), WindowConfig(mode="timestamps", timestamps_aps=True), model_obj=tiny_model,
                  post=PostConfig(steps=())) as pipe:
        frames = list(pipe.frames())
    assert [fr.t_us for fr in frames] == list(SYN_APS_US)
    assert [fr.aps_t_us for fr in frames] == list(SYN_APS_US)


# ---------------------------------------------------------------------- reconstruct --at aps
def test_at_aps_on_the_real_davis_file(tmp_path, ckpt, shared_data, capsys):
    path = shared_data / DAVIS["path"].name
    aps = aps_of(path)
    out = tmp_path / "out"
    assert reconstruct(path, out, ckpt, "--at", "aps", "--save-aps") == 0
    assert "3 frames" in capsys.readouterr().out
    assert read_ts(out) == [(k, t) for k, (t, _) in enumerate(aps)]
    for k, (_, img) in enumerate(aps):
        assert np.array_equal(cv2.imread(str(out / f"aps_{k:010d}.png"), cv2.IMREAD_UNCHANGED), img)
        frame = cv2.imread(str(out / f"frame_{k:010d}.png"), cv2.IMREAD_UNCHANGED)
        assert frame.shape == img.shape
    assert len(list(out.glob("aps_*.png"))) == 3
    # the same as --at with a file of those times: the first window holds every event before the
    # first APS frame (here only 0.6 ms of them), the events after the last one are not used
    ts_file = tmp_path / "aps_times.txt"
    ts_file.write_text("".join(f"{t}\n" for t, _ in aps))
    out2 = tmp_path / "out2"
    assert reconstruct(path, out2, ckpt, "--at", str(ts_file)) == 0
    assert read_ts(out2) == read_ts(out)
    for k in range(3):
        name = f"frame_{k:010d}.png"
        assert np.array_equal(cv2.imread(str(out / name), 0), cv2.imread(str(out2 / name), 0)), name
    assert not list(out2.glob("aps_*.png"))
    # a folder holding APS frames of an earlier run is refused like its frames, and --overwrite clears them
    assert reconstruct(path, out, ckpt, "--at", "aps") == 2
    assert "already holds" in capsys.readouterr().err
    assert reconstruct(path, out, ckpt, "--at", "aps", "--overwrite") == 0
    assert not list(out.glob("aps_*.png")) and len(read_ts(out)) == 3


def test_at_aps_on_a_synthetic_davis_file_with_downsample(tmp_path, ckpt, davis_synth):
    out = tmp_path / "out"
    assert reconstruct(davis_synth, out, ckpt, "--at", "aps", "--save-aps", "--downsample", "2") == 0
    assert read_ts(out) == list(enumerate(SYN_APS_US))
    for k in range(3):  # APS frames binned as the reconstructions are (2x2 means; s20-apseval)
        binned = (syn_aps_image(k).astype(int).reshape(SYN_H // 2, 2, SYN_W // 2, 2).sum((1, 3)) + 2) // 4
        assert np.array_equal(cv2.imread(str(out / f"aps_{k:010d}.png"), cv2.IMREAD_UNCHANGED), binned)
        assert cv2.imread(str(out / f"frame_{k:010d}.png"), 0).shape == (SYN_H // 2, SYN_W // 2)


def test_at_aps_without_aps_frames_is_one_line_and_exit_2(tmp_path, ckpt, capsys):
    from evfocus_live.writers.hdf5 import Hdf5Writer
    ours = tmp_path / "ours.aedat4"
    with Aedat4Writer(ours, 346, 260) as w:
        w.write(make_events(2_000))
    h5 = tmp_path / "ev.h5"
    with Hdf5Writer(h5, 346, 260) as w:
        w.write(make_events(2_000))
    for inp, why in ((EVT2["path"], "evt2 recordings have none"), (ours, "no frame stream"),
                     (h5, "recordings have none")):
        out = tmp_path / f"out_{Path(inp).suffix[1:]}"
        assert reconstruct(inp, out, ckpt, "--at", "aps") == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "has no APS (grey-level) frames" in err and why in err, err
        assert "Traceback" not in err
        assert not out.exists() or not any(out.iterdir())  # checked before any work
    # several inputs: one without frames stops the run before the first is reconstructed
    out = tmp_path / "several"
    assert reconstruct(REAL_FILES["davis346"]["path"], out, ckpt, "--at", "aps") == 0  # (sanity)
    assert main(["reconstruct", str(REAL_FILES["davis346"]["path"]), str(EVT2["path"]), "-o",
                 str(tmp_path / "several2"), "--model", str(ckpt), "--at", "aps", "--no-progress"]) == 2
    assert not (tmp_path / "several2").exists() or not any((tmp_path / "several2").rglob("frame_*"))


def test_save_aps_needs_at_aps(tmp_path, ckpt, capsys):
    assert reconstruct(DAVIS["path"], tmp_path / "o", ckpt, "--save-aps") == 2
    assert "--save-aps needs --at aps" in capsys.readouterr().err
    ts = tmp_path / "ts.txt"
    ts.write_text(f"{DAVIS['t_first_us'] + 50_000}\n")
    assert reconstruct(DAVIS["path"], tmp_path / "o", ckpt, "--at", str(ts), "--save-aps") == 2
    assert "--save-aps needs --at aps" in capsys.readouterr().err


# ---------------------------------------------------------------------- evfocus info
def test_info_lists_aps_frames(capsys, davis_synth):
    assert main(["info", str(DAVIS["path"])]) == 0
    out = capsys.readouterr().out
    aps = [t for t, _ in aps_of(DAVIS["path"])]
    assert f"aps frames  3  ({aps[0]:,} .. {aps[-1]:,} µs, 0.080000 s, 25.0 fps)" in out
    assert main(["info", str(davis_synth), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["aps_frames"] == 3 and info["aps_t_first_us"] == SYN_APS_US[0]
    assert info["aps_t_last_us"] == SYN_APS_US[-1] and info["aps_duration_us"] == 60_000
    assert main(["info", str(EVT2["path"]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["aps_frames"] == 0
    assert main(["info", str(EVT2["path"])]) == 0
    assert "aps frames" not in capsys.readouterr().out


# ---------------------------------------------------------------------- the viewer
FRAME_TIMEOUT_MS = 30_000


def expected_aps(frames, t_us):
    """The last APS frame at or before ``t_us`` (None before the first)."""
    before = [f for f in frames if f[0] <= t_us]
    return before[-1] if before else None


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_viewer_shows_the_aps_frame_in_the_defocus_pane(qtbot, tmp_path, tiny_model, davis_synth):
    frames = aps_of(davis_synth)
    win = aps_window(qtbot, tmp_path, str(davis_synth), tiny_model, speed=0.1, loop=True)
    assert win.session is not None, win.status_log
    assert win.aps_check.isEnabled() and not win.aps_check.isChecked()
    assert win.defocus_pane.title.text.startswith("defocus map")
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.t_us >= SYN_APS_US[0],
                    timeout=FRAME_TIMEOUT_MS)
    win.aps_check.setChecked(True)
    assert win.aps_shown and win.defocus_pane.isVisible() and win.defocus_pane.title.text == "APS frame (camera)"
    assert win.defocus_pane.image_item.lut is None  # grey, not the defocus map's colour map

    def shows_its_aps_frame():
        fv = win.last_frame
        exp = expected_aps(frames, fv.t_us)
        return exp is not None and fv.aps_t_us == exp[0] and np.array_equal(pane_image(win.defocus_pane), exp[1])
    qtbot.waitUntil(shows_its_aps_frame, timeout=FRAME_TIMEOUT_MS)
    # the frame follows a seek (paused: the one frame made after the seek shows it)
    win.toggle_pause()
    qtbot.waitUntil(lambda: win.session.paused, timeout=5000)
    for target, k in ((SYN_APS_US[2] + 5_000, 2), (SYN_APS_US[1] + 2_000, 1)):
        win.seek(target)
        qtbot.waitUntil(lambda: win.last_frame.t_us >= target and win.last_frame.t_us < target + 20_000,
                        timeout=FRAME_TIMEOUT_MS)
        exp = expected_aps(frames, win.last_frame.t_us)
        assert exp[0] >= SYN_APS_US[k]
        assert win.last_frame.aps_t_us == exp[0] and np.array_equal(pane_image(win.defocus_pane), exp[1])
    # before the first APS frame: none, and the pane says so
    win.seek(2_000)
    qtbot.waitUntil(lambda: win.last_frame.t_us < SYN_APS_US[0], timeout=FRAME_TIMEOUT_MS)
    assert win.last_frame.aps is None and "no APS frame" in win.defocus_pane.note.toPlainText()
    # off again: the defocus map comes back at once (paused: from the frame shown), in its colours
    win.seek(SYN_APS_US[1] + 2_000)
    qtbot.waitUntil(lambda: win.last_frame.t_us >= SYN_APS_US[1], timeout=FRAME_TIMEOUT_MS)
    win.aps_check.setChecked(False)
    assert win.defocus_pane.title.text.startswith("defocus map") and win.defocus_pane.image_item.lut is not None
    from evfocus_live.gui.widgets import defocus_to_uint8
    assert np.array_equal(pane_image(win.defocus_pane),
                          defocus_to_uint8(win.last_frame.defocus, win.defocus_indicator.max_px))
    # the defocus map's own on/off hides the pane; the APS toggle shows it again
    win.defocus_check.setChecked(False)
    assert not win.defocus_pane.isVisible()
    win.aps_check.setChecked(True)
    assert win.defocus_pane.isVisible()
    assert np.array_equal(pane_image(win.defocus_pane), expected_aps(frames, win.last_frame.t_us)[1])
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_viewer_aps_on_the_real_davis_file_and_off_for_sources_without(qtbot, tmp_path, tiny_model, shared_data):
    path = shared_data / DAVIS["path"].name
    frames = aps_of(path)
    win = aps_window(qtbot, tmp_path, str(path), tiny_model, speed=0.0, show_aps=True, window_events=20_000)
    assert win.aps_shown

    def shows_its_aps_frame():
        fv = win.last_frame
        exp = None if fv is None else expected_aps(frames, fv.t_us)
        return exp is not None and np.array_equal(pane_image(win.defocus_pane), exp[1])
    qtbot.waitUntil(shows_its_aps_frame, timeout=FRAME_TIMEOUT_MS)
    assert pane_image(win.defocus_pane).shape == (260, 346)
    # a source without APS frames: the toggle is off (greyed) and the pane is the defocus map again
    assert win.open_source(str(EVT2["path"]))
    assert not win.aps_check.isEnabled() and not win.aps_shown
    assert win.defocus_pane.title.text.startswith("defocus map")
    win.close()
