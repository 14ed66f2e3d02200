"""A live camera's clock restart by the silence rule (a step back under 1 s after its reads
waited ``recording.SILENCE_S``) must close the open window in every live run. The clock number
the pipeline carries (``TapSource.clock_epoch``) only advanced when a ``--frames-dir`` sink was
set: the viewer and a headless ``--video``/``--record`` run put both clocks' events in one
window (50 windows for the 50.5 of the script; cut at the restart, 51)."""

from __future__ import annotations

import time

import pytest
from frames_clock_support import WINDOW, ScriptedCam

from evfocus_live.config import PostConfig
from evfocus_live.gui.recording import Recorder

N = 2000  # events a batch, 2 µs apart (frames_clock_support.events)
BACK_US = 3_000  # under RESTART_BACK_US: a restart only by the silence before it


def _script() -> list:
    """5 batches (12.5 windows of 800), the camera away (a read that waits), then 15 batches and
    one of 400 (38 windows) from ``BACK_US`` before the fifth's last event."""
    first = [(2_000_000 + i * 5000, N) for i in range(5)]
    t5 = 2_000_000 + 4 * 5000 + (N - 1) * 2 - BACK_US
    return first + [None] + [(t5 + i * 5000, N) for i in range(15)] + [(t5 + 15 * 5000, 400)]


def _windows_made(tmp_path, model, record: bool) -> tuple[int, list[int]]:
    from evfocus_live.gui.session import LiveSession

    src = ScriptedCam(_script(), away_s=0.3)
    rec = Recorder()
    if record:
        rec.start(events_path=tmp_path / "r.aedat4", width=src.width, height=src.height)
    s = LiveSession(src, WINDOW, post=PostConfig(steps=()), model_obj=model, recorder=rec)
    assert s.frame_sink is None  # (the viewer's, a headless run's without --frames-dir)
    clocks: list[int] = []
    on_frame = s._on_frame
    s._on_frame = lambda fr: (clocks.append(fr.clock), on_frame(fr))
    s.start()
    try:
        assert src.done.wait(60.0)
        deadline = time.monotonic() + 60.0
        while s.pipeline.ring.fill and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # (the last pop's windows)
        made = s.pipeline.stats.frames + s.pipeline.stats.skipped_windows
    finally:
        s.stop()
        rec.stop()
    return made, clocks


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("record", [False, True])
def test_a_silence_restart_cuts_the_window_without_frames_dir(tmp_path, tiny_model, record):
    made, clocks = _windows_made(tmp_path, tiny_model, record)
    assert made == 51  # (was 50: the open window ran on over the restart)
    assert clocks and clocks[-1] == 1  # (was 0: the new clock's frames carried the old number)
