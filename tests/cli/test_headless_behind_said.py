"""A headless run whose model cannot keep up only counted the skipped windows (``skipped=``):
it now says so once, with the options that would let it keep up; its rate line gives the
newest frame's latency, and its last line the events dropped on the way."""

from __future__ import annotations

from headless_support import headless_lines

from evfocus_live.gui import app

BEHIND = "the model cannot keep up: 570 ms a window at 64x48, 4 of the last 6 windows skipped"


def test_behind_said_once_with_the_options_and_latency_in_the_rate_line(tmp_path, tiny_ckpt, caplog, monkeypatch):
    from evfocus_live import pipeline

    def keep_up(self, windows):  # behind from the first pop on: no timing involved
        self.stats.behind = BEHIND
        return windows

    monkeypatch.setattr(pipeline.Pipeline, "_keep_up", keep_up)
    said = headless_lines(tmp_path, tiny_ckpt, caplog, "the model cannot keep up", "--window-events", "2000",
                          duration_us=1_500_000)
    # (a 64x48 sensor: no smaller size or part of it to suggest)
    assert said == [BEHIND + "; --speed 0 shows every window of the file, slower than real time"], said
    rates = [line for line in (r.getMessage() for r in caplog.records) if line.startswith("t=")]
    assert rates and all(" latency=" in line for line in rates), rates
    assert any(" latency=-" not in line for line in rates), rates


def test_done_line_says_the_dropped_events():
    assert app.done_line(2, 0, 1.0, live=False, dropped=1234, ring_dropped=1234) == ("done: 2 frames in 1.0 s; 1,234 events dropped "
                                                                  "(--speed 0 reconstructs every window)")
    assert app.done_line(2, 3, 1.0, live=True, dropped=1) == ("done: 2 frames in 1.0 s; 3 windows skipped to keep "
                                                              "up; 1 event dropped")


def test_the_hint_for_a_1280x720_file_in_both_wordings():
    import numpy as np
    from pipeline_support import NO_POST, ArraySource, SumModel

    from evfocus_live.events import EVENT_DTYPE
    from evfocus_live.gui.session import faster_hint
    from evfocus_live.pipeline import Pipeline

    ev = np.zeros(10, EVENT_DTYPE)
    ev["t"] = np.arange(10)
    pipe = Pipeline(ArraySource(ev, 1280, 720), model=SumModel(), post=NO_POST, speed=1.0)
    assert faster_hint(pipe, viewer=False) == (
        "try --downsample 2 (the model sees 640x360: 4x fewer pixels) or --roi 467,230,346,260 (a 346x260 part of "
        "the sensor); --speed 0 shows every window of the file, slower than real time")
    assert faster_hint(pipe, viewer=True) == (
        "try the Window group's downsample box at 2x2 (the model sees 640x360: 4x fewer pixels) or its ROI box, "
        "e.g. 467,230,346,260 (a 346x260 part of the sensor); the speed box at max shows every window of the file, "
        "slower than real time")
