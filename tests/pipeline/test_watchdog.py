"""A source whose read() does not return, and a plugin's events outside its sensor, as the
user sees them: a stall is one warning, a stats field, a status-bar line and a headless log
field while it lasts (a frozen frame said nothing); events outside width x height are
dropped with one warning and counted (they were ignored in silence: blank frames)."""

from __future__ import annotations

import logging
import threading
import time

import numpy as np
import pytest
from conftest import make_events
from gui_support import make_window, wait_frames

import evfocus_live.pipeline as pipeline_mod
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources.base import EventSource

pytestmark = pytest.mark.usefixtures("one_torch_thread")

STALL_S = 0.3  # (the real one is 5 s)
TIMEOUT_S = 30.0
STALL_MSG = "read() has not returned for"


@pytest.fixture(autouse=True)
def short_stall(monkeypatch):
    monkeypatch.setattr(pipeline_mod, "STALL_S", STALL_S, raising=False)  # (old code: none)


class StallCam(EventSource):
    """A 64x48 camera: a batch every 5 ms while ``flowing`` is set, else its read() blocks
    until it is (a driver that stopped sending without an error). ``quiet``: returns empty
    batches at once, as a camera that sees nothing does (not a stall)."""
    format, sensor, is_live = "stallcam", "test", True
    width, height = 64, 48

    def __init__(self):
        self.flowing = threading.Event()
        self.flowing.set()
        self.quiet = False
        self.blocked = threading.Event()  # a read() is waiting now
        self._t_us = 0
        #: (monotonic s) the first and the last quiet read's return (reset: None)
        self.quiet_span: tuple[float, float] | None = None
        #: the longest read() that did not block, s: one as long as STALL_S is a real stall (a
        #: loaded machine that did not run the reader), which the watchdog rightly says
        self.slowest_free_read_s = 0.0

    def read(self):
        t0 = time.monotonic()
        blocked = not self.flowing.is_set()
        if blocked:
            self.blocked.set()
            self.flowing.wait(TIMEOUT_S)
            self.blocked.clear()
        time.sleep(0.005)
        if self.quiet:
            now = time.monotonic()
            self.quiet_span = (self.quiet_span or (now,))[:1] + (now,)
            out = np.empty(0, make_events(1).dtype)
        else:
            out = make_events(500, self.width, self.height, t0_us=self._t_us, duration_us=5_000)
            self._t_us += 5_000
        if not blocked:
            self.slowest_free_read_s = max(self.slowest_free_read_s, time.monotonic() - t0)
        return out

    def close(self):
        self.flowing.set()  # (never leave a reader blocked behind a test)


def wait_until(cond, timeout_s=TIMEOUT_S):
    deadline = time.monotonic() + timeout_s
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def stall_lines(caplog):
    return [r for r in caplog.records if STALL_MSG in r.getMessage() and r.levelno == logging.WARNING]


def make_pipeline(source, model, **kw) -> Pipeline:
    return Pipeline(source, WindowConfig(mode="events", window_events=800), post=PostConfig(steps=()),
                    model_obj=model, render_events=False, **kw)


# ---------------------------------------------------------------------- the watchdog
def test_a_read_that_does_not_return_is_said_once_and_so_is_its_end(tiny_model, caplog):
    """A camera whose read() blocks: the frame froze, nothing was logged and nothing in the
    stats said why. Now stats.stalled_s counts while it lasts, one WARNING names the source,
    one line says when it reads again; a quiet camera (empty batches) is no stall.

    Waits on conditions, not fixed sleeps (a loaded 2-core machine): a read the machine did
    not run for STALL_S is a real stall the watchdog says, so stalls are counted apart from
    those (``slowest_free_read_s``), and only while the camera blocks."""
    src = StallCam()
    pipe = make_pipeline(src, tiny_model)
    frames = []

    def starved() -> bool:
        return src.slowest_free_read_s >= STALL_S

    caplog.set_level(logging.INFO, logger="evfocus_live.pipeline")
    pipe.start(frames.append)
    try:
        wait_until(lambda: len(frames) >= 2)
        src.quiet_span = None
        src.quiet = True  # nothing seen for longer than STALL_S: reads return, no stall
        wait_until(lambda: src.quiet_span is not None and src.quiet_span[1] - src.quiet_span[0] >= 2 * STALL_S)
        if not starved():  # (else the machine stalled the reader: said, rightly)
            assert pipe.stats.stalled_s == 0 and not stall_lines(caplog), [r.getMessage() for r in caplog.records]
        src.quiet = False
        wait_until(lambda: pipe.stats.stalled_s == 0)  # (no stall of a starved read going on)
        before, stalls_before = len(stall_lines(caplog)), pipe.stats.stalls
        src.flowing.clear()
        wait_until(src.blocked.is_set)
        wait_until(lambda: pipe.stats.stalled_s > 0)
        wait_until(lambda: pipe.stats.stalled_s >= 3 * STALL_S)  # it counts on, said once
        lines = stall_lines(caplog)[before:]
        assert (len(lines) == 1 and pipe.stats.stalls == stalls_before + 1) or starved(), \
            [r.getMessage() for r in lines]
        assert lines[-1].getMessage().startswith("stallcam source: read() has not returned for 0.3 s"), \
            lines[-1].getMessage()
        assert "camera stalled or unplugged?" in lines[-1].getMessage()
        n = len(frames)
        n_back = len(_back_lines(caplog))
        src.flowing.set()
        # (the line comes just after stalled_s is 0 again: wait for the line, then look at both)
        wait_until(lambda: len(_back_lines(caplog)) > n_back)
        back = _back_lines(caplog)[n_back:]
        assert pipe.stats.stalled_s == 0 or starved()
        assert (len(back) == 1 or starved()) and back[0].startswith("stallcam source:"), back
        took = float(back[0].split("after ")[1].split(" s")[0])
        assert took >= 3 * STALL_S
        wait_until(lambda: len(frames) > n + 1)  # and frames come again
        if not starved():
            assert len(stall_lines(caplog)) == before + 1 and pipe.stats.stalls == stalls_before + 1
    finally:
        src.flowing.set()
        pipe.stop()


def _back_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "read() returned after" in r.getMessage()]


def test_a_stop_does_not_wait_its_full_timeout_on_a_stalled_read(tiny_model, caplog):
    """Switching away from a stalled camera: stop() waited 5 s on the reader stuck in read()
    (the viewer froze), then said only "did not stop within 5.0 s"."""
    src = StallCam()
    src.flowing.clear()
    pipe = make_pipeline(src, tiny_model)
    pipe.start()
    try:
        wait_until(lambda: pipe.stats.stalled_s > 0)
        t0 = time.monotonic()
        pipe.stop(timeout_s=5.0)
        took_s = time.monotonic() - t0
        msg = [r.getMessage() for r in caplog.records if "did not answer" in r.getMessage()]
        assert msg and "stallcam camera did not answer (its read() has not returned" in msg[-1], msg
        assert took_s < 4.0  # (the reader is not waited for: 0.2 s, not the 5 s asked)
    finally:
        src.flowing.set()
        pipe.wait(TIMEOUT_S)
    assert not pipe.running


@pytest.mark.gui
def test_the_viewer_says_a_stalled_camera_on_the_status_bar(qtbot, tmp_path, tiny_model):
    """The viewer showed the last frame as if the camera still sent: no word anywhere."""
    src = StallCam()
    win = make_window(qtbot, tmp_path, src, tiny_model, window_events=800)
    try:
        wait_frames(qtbot, win)
        src.flowing.clear()
        qtbot.waitUntil(lambda: STALL_MSG in win.statusBar().currentMessage(), timeout=TIMEOUT_S * 1000)
        msg = win.statusBar().currentMessage()
        assert msg.startswith("stallcam source: read() has not returned for") and "unplugged?" in msg, msg
        qtbot.waitUntil(lambda: "stalled" in win.readouts.text("event_rate"), timeout=TIMEOUT_S * 1000)
        qtbot.wait(600)  # the status bar counts on; status_log has the stall once
        assert sum(STALL_MSG in m for m in win.status_log) == 1, win.status_log
        src.flowing.set()
        # (said on the bar; a later line may replace it: a loaded machine's "cannot keep up", now
        # that a camera's every window is made when the model keeps up)
        qtbot.waitUntil(lambda: any("reading again" in m for m in win.status_log), timeout=TIMEOUT_S * 1000)
        qtbot.waitUntil(lambda: "stalled" not in win.readouts.text("event_rate"), timeout=TIMEOUT_S * 1000)
        wait_frames(qtbot, win)
    finally:
        src.flowing.set()
        win.close()


def test_a_headless_run_logs_the_stall_in_its_rate_line(tiny_ckpt, caplog, monkeypatch):
    """``evfocus-live --headless`` on a camera that stopped sending logged the same rate line
    each second (frames=N, 0 ev/s) and nothing else."""
    from evfocus_live.gui import app, session

    src = StallCam()
    src.flowing.clear()  # stalled from the start; back once a rate line said so (no race with the clock)
    ends = {"at": None}

    class Release(logging.Handler):
        def emit(self, record):
            if record.getMessage().startswith("t=") and " STALLED " in record.getMessage():
                ends["at"] = ends["at"] or time.monotonic() + 1.5  # then 1.5 s of events, and the end
                src.flowing.set()

    def read(orig=src.read):
        return None if ends["at"] is not None and time.monotonic() > ends["at"] else orig()
    src.read = read
    monkeypatch.setattr(session, "open_with_fallback", lambda spec, msgs, fallback=True: src)
    handler = Release()
    logging.getLogger("evfocus_live.gui").addHandler(handler)
    try:
        with caplog.at_level(logging.INFO):
            rc = app.main(["stallcam-device", "--headless", "--model", str(tiny_ckpt), "--post", "none",
                           "--window-events", "800", "--exit-after", "8"])
    finally:
        logging.getLogger("evfocus_live.gui").removeHandler(handler)
        src.flowing.set()
    assert rc == 0
    rate = [r.getMessage() for r in caplog.records if r.getMessage().startswith("t=")]
    assert any(" STALLED " in ln and "camera stalled or unplugged?" in ln for ln in rate), rate
    assert "STALLED" not in rate[-1], rate  # reading again by the last line
    assert len(stall_lines(caplog)) == 1
    assert any("read() returned after" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------------- events outside the sensor
class OutsideCam(StallCam):
    """A plugin camera that says 64x48 but gives every fifth event at x 64..99 and every
    seventh at y 48..59 (a wrong size, a ROI offset), and every sixth batch all outside."""
    format = "outsidecam"

    def __init__(self, n_batches=60):
        super().__init__()
        self.left, self.inside, self.outside = n_batches, 0, 0

    def read(self):
        if self.left == 0:
            return None
        self.left -= 1
        ev = super().read()
        ev["x"][::5] = 64 + np.arange(len(ev[::5])) % 36
        ev["y"][::7] = 48 + np.arange(len(ev[::7])) % 12
        if self.left % 6 == 0:
            ev["x"] += 64
        keep = (ev["x"] < 64) & (ev["y"] < 48)
        self.inside += int(keep.sum())
        self.outside += int((~keep).sum())
        return ev


def outside_lines(caplog):
    return [r.getMessage() for r in caplog.records if "outside its 64x48 sensor" in r.getMessage()]


def test_a_plugins_events_outside_its_sensor_are_dropped_counted_and_said_once(tiny_model, caplog):
    """They went on into the slicer (counted toward count windows: blank frames) and were
    ignored by the voxel grid without a word."""
    src = OutsideCam()
    pipe = make_pipeline(src, tiny_model)
    frames = list(pipe.frames())
    assert frames and src.outside > 0
    assert pipe.stats.outside_events == src.outside
    assert pipe.stats.dropped_events >= src.outside
    assert pipe.stats.events_total == src.inside == sum(f.n_events for f in frames)
    lines = outside_lines(caplog)
    assert len(lines) == 1 and lines[0].startswith("outsidecam source: dropped"), lines


def test_the_viewer_drops_them_before_the_recorder_and_counts_them(tiny_model, caplog, tmp_path):
    """In the viewer the tap (recorder, event view) saw them first: the recording held
    events outside its own sensor."""
    from evfocus_live.gui.session import LiveSession
    from evfocus_live.sources import open_source

    src = OutsideCam(n_batches=10_000)
    sess = LiveSession(src, WindowConfig(mode="events", window_events=800), post=PostConfig(steps=()),
                       model_obj=tiny_model)
    rec = tmp_path / "rec.aedat4"
    sess.recorder.start(events_path=rec, width=64, height=48, sensor="test")
    sess.start()
    try:
        wait_until(lambda: sess.frames_done >= 3 and sess.pipeline.stats.outside_events > 0)
    finally:
        sess.stop()
    assert sess.pipeline.stats.dropped_events >= sess.pipeline.stats.outside_events > 0
    assert len(outside_lines(caplog)) == 1
    caplog.clear()
    with open_source(str(rec)) as back:
        ev = np.concatenate([b for b in back if len(b)])
    assert len(ev) == sess.recorder.n_events > 0
    assert int(ev["x"].max()) < 64 and int(ev["y"].max()) < 48
    assert not [r for r in caplog.records if "outside" in r.getMessage()]


def test_a_reconnected_cameras_first_batch_is_checked_too(tiny_model, caplog):
    """The batch a reconnect read went on unchecked (not even its dtype), uncounted."""
    made = []

    class FailsOnce(OutsideCam):
        def read(self):
            if len(made) == 1:
                raise OSError("USB transfer failed")
            return super().read()

    def factory():
        made.append(FailsOnce(n_batches=4))
        return made[-1]
    pipe = Pipeline(factory, WindowConfig(mode="events", window_events=800), post=PostConfig(steps=()),
                    model_obj=tiny_model, render_events=False)
    frames = list(pipe.frames())
    assert len(made) == 2 and pipe.stats.reconnects == 1 and frames
    assert pipe.stats.outside_events == made[1].outside > 0
    assert pipe.stats.events_total == made[1].inside
