"""The viewer's APS pane: DAVIS grey-level frames shown in the defocus pane, following the ROI, loaded
off the GUI thread (and that thread stopped when the session ends)."""

from __future__ import annotations

import dataclasses
import logging
import threading

import numpy as np
import pytest
from aps_support import (SYN_APS_US, SlowFrames, aps_of, aps_window, block_means, davis_synth, many_frames,
    pane_image, roi_file, syn_aps_image)  # noqa: F401 (fixtures)
from conftest import REAL_FILES

from evfocus_live.config import PostConfig, WindowConfig


DAVIS = REAL_FILES["davis346"]


FRAME_TIMEOUT_MS = 30_000


def set_roi(win, text: str) -> None:
    win.roi_edit.setText(text)
    win._roi_edited()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_aps_pane_follows_a_new_roi_within_one_aps_frame(qtbot, tmp_path, tiny_model, davis_synth):
    """A new ROI crops the APS frame on show anew: the pane must repaint it at the new size
    although its time did not change (it kept the old, uncropped image until the next APS
    frame: 64x48 beside a 32x24 reconstruction, for up to 40 ms of a DAVIS, for good when paused)."""
    win = aps_window(qtbot, tmp_path, str(davis_synth), tiny_model, speed=0.1, show_aps=True, loop=True)
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.aps is not None, timeout=FRAME_TIMEOUT_MS)
    win.toggle_pause()
    qtbot.waitUntil(lambda: win.session.paused, timeout=5000)
    fv = win.last_frame
    assert pane_image(win.defocus_pane).shape == (48, 64)
    set_roi(win, "16,8,32,24")
    t_aps, cropped = win.session.pipeline.aps_view_at(fv.t_us)
    assert t_aps == fv.aps_t_us and cropped.shape == (24, 32)
    # the next frame from the worker: the same APS frame, cropped to the new ROI
    win._paint(dataclasses.replace(fv, index=fv.index + 1, image=np.zeros((24, 32), np.uint8),
                                   event_image=None, aps=cropped, aps_t_us=t_aps), 0.0)
    assert np.array_equal(pane_image(win.defocus_pane), cropped)
    assert pane_image(win.defocus_pane).shape == pane_image(win.frame_pane).shape == (24, 32)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_new_roi_while_paused_shows_one_frame_of_it(qtbot, tmp_path, tiny_model):
    """Paused, an ROI typed (or dragged) showed nothing new: the panes kept the whole sensor's
    frame while the source label said "346x260 → 100x80" and the decay view's outline moved.
    Now, as after a seek, one frame of the new ROI is made and the replay stays paused, its
    panes at one size (the APS frame cropped as the reconstruction)."""
    win = aps_window(qtbot, tmp_path, str(DAVIS["path"]), tiny_model, speed=0.0, show_aps=True,
                     window_events=20_000)
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.aps is not None, timeout=FRAME_TIMEOUT_MS)
    win.toggle_pause()
    qtbot.waitUntil(lambda: win.session.paused, timeout=5000)
    set_roi(win, "50,50,100,80")
    qtbot.waitUntil(lambda: win.last_frame.image.shape == (80, 100), timeout=FRAME_TIMEOUT_MS)
    qtbot.waitUntil(lambda: win.session.paused and win.play_button.text() == "Play", timeout=5000)
    assert pane_image(win.frame_pane).shape == pane_image(win.event_pane).shape[:2] == (80, 100)
    if win.last_frame.aps is not None:  # (the first APS frame is 40 ms in)
        assert pane_image(win.defocus_pane).shape == (80, 100)
    n = win.frames_painted
    qtbot.wait(500)
    assert win.frames_painted == n and win.session.paused  # one frame, not a resumed replay
    win.close()


EVT2 = REAL_FILES["evt2"]


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


def slow_aps_source(path, release):
    """The synthetic recording, whose APS frames are only read once ``release`` is set."""
    from evfocus_live.sources.aedat4_file import Aedat4FileSource

    class SlowAps(Aedat4FileSource):
        def aps_frames(self):
            self.read_on = __import__("threading").current_thread()
            self.asked.set()
            release.wait(20)  # (the old viewer waited here, on its GUI thread)
            return super().aps_frames()

    src = SlowAps(path)
    src.asked = __import__("threading").Event()
    return src


def viewer(qtbot, tmp_path, source, model, window, **kw):
    return aps_window(qtbot, tmp_path, source, model, window=window, **kw)


def expected_syn_aps(t_us):
    before = [(t, syn_aps_image(k)) for k, t in enumerate(SYN_APS_US) if t <= t_us]
    return before[-1] if before else None


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.gui
def test_viewer_plays_while_the_aps_frames_load_and_shows_them_after(qtbot, tmp_path, tiny_model, davis_synth):  # noqa: F811
    import threading

    from evfocus_live.config import WindowConfig
    release = threading.Event()
    src = slow_aps_source(davis_synth, release)
    try:
        win = viewer(qtbot, tmp_path, src, tiny_model, WindowConfig(mode="events", window_events=400),
                     speed=0.1, loop=True, show_aps=True)
        # the window stands and plays while the read is held: it is not on the GUI thread
        assert src.asked.wait(10) and src.read_on is not threading.main_thread()
        assert win.session is not None and win.session.aps_loading
        assert win.aps_check.isEnabled() and win.aps_shown  # (the file's frame stream: known at open)
        qtbot.waitUntil(lambda: win.frames_painted >= 5 and win.last_frame.t_us > SYN_APS_US[0],
                        timeout=FRAME_TIMEOUT_MS)
        assert not release.is_set() and win.last_frame.aps is None
        assert win.defocus_pane.note.toPlainText() == "loading APS frames\u2026"
        # paused, then the frames arrive: the frame shown gets its APS frame without a new one
        win.toggle_pause()
        qtbot.waitUntil(lambda: win.session.paused, timeout=5000)
        qtbot.wait(200)
        shown = win.frames_painted
        release.set()
        qtbot.waitUntil(lambda: not win.session.aps_loading and not win._aps_waiting, timeout=FRAME_TIMEOUT_MS)
        exp = expected_syn_aps(win.last_frame.t_us)
        assert exp is not None and win.last_frame.aps_t_us == exp[0]
        assert np.array_equal(pane_image(win.defocus_pane), exp[1])
        assert win.defocus_pane.note.toPlainText() == "" and win.frames_painted == shown
        # and on play, the new frames carry theirs
        win.toggle_pause()

        def shows_its_aps_frame():
            fv = win.last_frame
            e = expected_syn_aps(fv.t_us)
            return fv.index > 0 and e is not None and fv.aps_t_us == e[0] and np.array_equal(pane_image(win.defocus_pane), e[1])
        qtbot.waitUntil(shows_its_aps_frame, timeout=FRAME_TIMEOUT_MS)
        win.close()
    finally:
        release.set()


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.gui
def test_viewer_aps_pane_follows_the_roi(qtbot, tmp_path, tiny_model, davis_synth):  # noqa: F811
    from evfocus_live.config import WindowConfig
    roi = (6, 4, 37, 33)
    win = viewer(qtbot, tmp_path, str(davis_synth), tiny_model,
                 WindowConfig(mode="events", window_events=300, roi=roi, downsample=2),
                 speed=0.1, loop=True, show_aps=True)

    def shows_its_cropped_aps_frame():
        fv = win.last_frame
        e = None if fv is None else expected_syn_aps(fv.t_us)
        return e is not None and np.array_equal(pane_image(win.defocus_pane), block_means(e[1][4:37, 6:43], 2))
    qtbot.waitUntil(shows_its_cropped_aps_frame, timeout=FRAME_TIMEOUT_MS)
    assert pane_image(win.defocus_pane).shape == pane_image(win.frame_pane).shape == (17, 19)
    win.close()


def aps_threads(before=frozenset()):
    """The APS-reading threads alive, less ``before``: an earlier test's, still winding down in
    this process (under pytest-xdist any test of the suite may have run here before)."""
    from evfocus_live.gui.session import APS_THREAD
    return [t for t in threading.enumerate() if t.name == APS_THREAD and t.is_alive() and t not in before]


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_session_stop_during_the_aps_read_joins_the_thread(qtbot, many_frames, tiny_model, caplog):
    from evfocus_live.gui.session import LiveSession

    src = SlowFrames(many_frames)
    before = set(aps_threads())
    with caplog.at_level(logging.WARNING):
        sess = LiveSession(src, WindowConfig(mode="events", window_events=400), model_obj=tiny_model,
                           post=PostConfig(steps=()), speed=0.1, loop=True)
        sess.start()
        assert src.asked.wait(10) and sess.aps_loading
        sess.stop()
    # (before: the thread read on, past the close, and held what it read)
    assert not aps_threads(before) and src.read_after_close == 0
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
    before = set(aps_threads())
    first = SlowFrames(many_frames)
    win = window(first)
    assert first.asked.wait(10) and win.session.aps_loading
    reading = aps_threads(before)
    assert len(reading) == 1
    assert win.open_source(str(roi_file))
    assert not reading[0].is_alive() and first.read_after_close == 0
    qtbot.waitUntil(lambda: not win.session.aps_loading, timeout=30_000)
    assert not aps_threads(before)
    win.close()
    # closing the window mid-read
    second = SlowFrames(many_frames)
    win = window(second)
    assert second.asked.wait(10) and win.session.aps_loading
    win.close()
    assert win.session is None and not aps_threads(before) and second.read_after_close == 0
