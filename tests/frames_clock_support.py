"""Helpers the ``--frames-dir`` clock tests share: a live camera that plays a script of batches
and absences (its clock opened again), and a session run with ``--frames-dir`` (and a
recording) on it."""

from __future__ import annotations

import threading
import time

import numpy as np

from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.events import from_arrays
from evfocus_live.gui import app
from evfocus_live.gui.recording import Recorder
from evfocus_live.sources import open_file
from evfocus_live.sources.base import EventSource

W, H = 64, 48
WINDOW = WindowConfig(mode="events", window_events=800)


def events(t0_us: int, n: int = 2000, step_us: int = 2):
    t = t0_us + np.arange(n, dtype=np.int64) * step_us
    return from_arrays(t, t % W, (t // W) % H, t % 2)


class ScriptedCam(EventSource):
    """A live camera: one batch per ``script`` entry (``events``' arguments); None: nothing for
    ``away_s`` (lost, then opened again). ``done`` is set once the script has run out."""

    format = "scripted"
    is_live = True

    def __init__(self, script: list, away_s: float):
        self.width, self.height = W, H
        self.script, self.away_s = list(script), away_s
        self.done = threading.Event()

    def read(self):
        time.sleep(0.005)
        while self.script and self.script[0] is None:
            self.script.pop(0)
            time.sleep(self.away_s)
        if not self.script:
            self.done.set()
            return np.empty(0, events(0, 1).dtype)
        return events(*self.script.pop(0))

    def close(self):
        pass


def run_frames(tmp_path, model, src: ScriptedCam, record: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """(frame times in ``--frames-dir``'s timestamps.txt, recorded event times or None)."""
    return run_counted(tmp_path, model, src, record, drain=False)[1:]


def run_counted(tmp_path, model, src: ScriptedCam, record: bool, drain: bool = True,
                rec: Recorder | None = None) -> tuple[int, np.ndarray, np.ndarray | None]:
    """:func:`run_frames`, and the windows the worker made (shown, or skipped to keep up) before
    the stop; ``drain``: once it has taken every event read (else at once); ``rec``: the recorder
    (a new :class:`Recorder` when None)."""
    from evfocus_live.gui.session import LiveSession

    rec = Recorder() if rec is None else rec
    if record:  # (as headless --record: started before the session)
        rec.start(events_path=tmp_path / "r.aedat4", width=W, height=H)
    s = LiveSession(src, WINDOW, post=PostConfig(steps=()), model_obj=model, recorder=rec)
    s.frame_sink = sink = app._FrameSink(FrameFolder(tmp_path / "frames"))
    s.start()
    try:
        assert src.done.wait(60.0)
        deadline = time.monotonic() + 60.0
        while drain and s.pipeline.ring.fill and time.monotonic() < deadline:
            time.sleep(0.02)
        if drain:
            time.sleep(0.3)  # (the last pop's windows)
        made = s.pipeline.stats.frames + s.pipeline.stats.skipped_windows
    finally:
        s.stop()
        sink.close()
    lines = (tmp_path / "frames" / "timestamps.txt").read_text().splitlines()
    frames_t = np.array([int(line.split()[1]) for line in lines], np.int64)
    if not record:
        return made, frames_t, None
    with open_file(tmp_path / "r.aedat4") as f:
        return made, frames_t, np.concatenate([b["t"] for b in f])
