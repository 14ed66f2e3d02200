"""A short headless run's model is said to be behind at its tail (the pipeline's
``test_behind_said_for_a_short_run``): the worker sets it as the run ends, maybe after the loop's
last look, which then broke on the end and left it unsaid while its done line counted the
skipped windows. It is looked at once more before the done line: said once, its ``--speed 0``
hint not said again there. The end is stood in for: nothing is timed."""

from __future__ import annotations

import logging

from cli_support import write_aedat4

from evfocus_live.gui import app, session

BEHIND = "the model cannot keep up: 1400 ms a window at 64x48, 25 of the last 27 windows skipped"


def test_behind_set_as_the_run_ends_is_said_once(tmp_path, tiny_ckpt, caplog, monkeypatch):
    ended = session.LiveSession.ended

    def ended_late(self):  # the worker's tail sets it just as the loop sees the end
        done = ended.fget(self)
        if done and not self.pipeline.stats.behind:
            self.pipeline.stats.behind = BEHIND
            self.pipeline.stats.skipped_windows += 25
        return done

    monkeypatch.setattr(session.LiveSession, "ended", property(ended_late))
    rec = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=300_000)
    with caplog.at_level(logging.INFO, logger="evfocus_live.gui"):
        assert app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none",
                         "--window-events", "2000"]) == 0
    lines = [r.getMessage() for r in caplog.records]
    assert [line for line in lines if line.startswith("the model cannot keep up")] == [
        BEHIND + "; --speed 0 shows every window of the file, slower than real time"], lines
    assert sum("--speed 0" in line for line in lines) == 1, lines
    done = [line for line in lines if line.startswith("done: ")]
    assert done and done[0].endswith("25 windows skipped to keep up"), done
