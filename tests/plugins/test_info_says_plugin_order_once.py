"""``evfocus info`` on a plugin's file whose batches have ``t`` going back: the plugin's
"out of time order" warning (the pipeline's word for it) is held back, as ``info`` counts the
steps back over the whole file and says them itself: it was said twice in two wordings."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint

from conftest import make_events

from evfocus_live.plugins import SOURCES
from evfocus_live.sources.base import EventSource
from plugin_support import _with_extra, fresh_sources  # noqa: F401 (a fixture)


class Shuffled(EventSource):
    """``SHUF`` files: one batch, its halves swapped."""

    format = "shuf"
    extensions = (".shuf",)

    @classmethod
    def sniff(cls, head, path):
        return head.startswith(b"SHUF")

    def __init__(self, path):
        self.width, self.height = 64, 48
        self._done = False

    def read(self):
        if self._done:
            return None
        self._done = True
        ev = make_events(400, 64, 48)
        return __import__("numpy").concatenate([ev[200:], ev[:200]])

    def seek(self, t_us):
        self._done = False

    def time_range_us(self):
        return (0, 100_000)


def test_info_says_a_plugins_steps_back_once(monkeypatch, fresh_sources, tmp_path, capsys, caplog):
    from evfocus_live.cli import main as cli_main

    _with_extra(monkeypatch, [EntryPoint("shuf", "test_info_says_plugin_order_once:Shuffled", SOURCES)])
    path = tmp_path / "rec.shuf"
    path.write_bytes(b"SHUF\n")
    with caplog.at_level(logging.WARNING):
        assert cli_main(["info", str(path)]) == 0
    assert "step(s) back in time" in capsys.readouterr().out
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 1 and "step back in time" in said[0], said
