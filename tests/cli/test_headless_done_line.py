"""A headless replay's last line said "done: 3 frames" when a paced run had let 3 of the file's 6
windows go to keep up (a file under a second long ends before any once-a-second rate line, so
nothing said so, and its --video lacked them); and "1 frames"."""

from __future__ import annotations

from headless_support import headless_lines

from evfocus_live.gui import app


def test_done_line_names_the_skipped_windows(tmp_path, tiny_ckpt, caplog, monkeypatch):
    from evfocus_live import pipeline

    def keep_up(self, windows):  # counts 3 skipped once and keeps every window: no timing involved
        if not getattr(self, "_counted", False):
            self._counted = True
            self.stats.skipped_windows += 3
        return windows

    monkeypatch.setattr(pipeline.Pipeline, "_keep_up", keep_up)
    done = headless_lines(tmp_path, tiny_ckpt, caplog, "done: ", "--window-events", "5000", "--exit-after", "30")
    assert len(done) == 1 and done[0].endswith("; 3 windows skipped to keep up (--speed 0 reconstructs "
                                               "every window)"), done


def test_done_line_counts_in_words():
    assert app.done_line(1, 0, 0.5, live=False) == "done: 1 frame in 0.5 s"
    assert app.done_line(2, 1, 3.0, live=True) == "done: 2 frames in 3.0 s; 1 window skipped to keep up"
