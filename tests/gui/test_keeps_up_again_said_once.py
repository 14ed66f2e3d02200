"""A model near the input rate falls behind and catches up by turns. The "cannot keep up" warning
is said at most once a minute (``session.BehindNotice``), but the pipeline logged "the model keeps
up again" at INFO at every end of a spell: a 6 s headless run of README's first command on a busy
2-core machine said it three times after one warning. Now it is said once after each warning."""

from __future__ import annotations

import logging

from evfocus_live.gui import app
from evfocus_live.gui.session import BEHIND_SAY_EVERY_S, BehindNotice


class _Sess:
    def __init__(self):
        self.behind = ""
        self.pipeline = None

    def stats(self):
        return self


def test_recovered_only_after_a_spell_that_was_said():
    n = BehindNotice()
    seq = [("x", True, False), ("", False, True), ("x", False, False), ("", False, False),
           ("x", False, False), ("", False, False)]
    for t, (behind, due, recovered) in enumerate(seq):
        assert n.due(behind, float(t)) is due
        assert n.recovered is recovered
    # a minute on, the next spell is said again, and its end too
    assert n.due("x", BEHIND_SAY_EVERY_S + 10)
    assert not n.due("", BEHIND_SAY_EVERY_S + 11) and n.recovered


def test_headless_says_keeps_up_again_once_per_warning(caplog, monkeypatch):
    monkeypatch.setattr("evfocus_live.gui.session.faster_hint", lambda pipe, viewer: "")
    sess, notice = _Sess(), BehindNotice()
    with caplog.at_level(logging.DEBUG):
        for t in range(8):
            sess.behind = "the model cannot keep up: 64 ms a window" if t % 2 == 0 else ""
            app._say_behind(sess, notice, float(t))
    said = [(r.levelno, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
    assert [m for _, m in said if "cannot keep up" in m] == ["the model cannot keep up: 64 ms a window"]
    assert [m for _, m in said if "keeps up again" in m] == ["the model keeps up again"]
