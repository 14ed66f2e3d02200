"""A headless replay that fell behind said the ``--speed 0`` hint twice: in its keep-up warning
and again on its done line. Said once now: the done line gives it only when no warning did."""

from __future__ import annotations

import logging

from cli_support import write_aedat4

from evfocus_live.gui import app

BEHIND = "the model cannot keep up: 570 ms a window at 64x48, 4 of the last 6 windows skipped"


def test_the_hint_once_when_the_warning_said_it(tmp_path, tiny_ckpt, caplog, monkeypatch):
    from evfocus_live import pipeline

    def keep_up(self, windows):  # behind, with windows skipped, from the first pop on: no timing
        self.stats.behind = BEHIND
        self.stats.skipped_windows += 1  # (counted only: every window is still shown)
        return windows

    monkeypatch.setattr(pipeline.Pipeline, "_keep_up", keep_up)
    rec = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=1_500_000)
    with caplog.at_level(logging.INFO, logger="evfocus_live.gui"):
        assert app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none",
                         "--window-events", "2000"]) == 0
    lines = [r.getMessage() for r in caplog.records]
    assert sum("--speed 0" in line for line in lines) == 1, lines
    assert any(line.startswith(BEHIND) and "--speed 0" in line for line in lines), lines
    done = [line for line in lines if line.startswith("done: ")]
    assert done and "skipped to keep up" in done[0], done


def test_the_done_line_keeps_it_when_no_warning_said_it():
    assert app.done_line(3, 3, 0.3, live=False) == ("done: 3 frames in 0.3 s; 3 windows skipped to keep up "
                                                    "(--speed 0 reconstructs every window)")
    assert app.done_line(3, 3, 0.3, live=False, speed_hint_said=True) == (
        "done: 3 frames in 0.3 s; 3 windows skipped to keep up")
