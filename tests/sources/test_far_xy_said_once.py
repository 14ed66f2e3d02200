"""Events whose far x/y values were set aside as a sensor size was inferred were said twice:
"3 event(s) have x values far beyond the others' ... those events are dropped", then "dropped
3 event(s) outside the 346x260 sensor" for the same events (the README says one warning).
Drops beyond those (a negative x) are still said; a looping replay says nothing again."""

from __future__ import annotations

import logging

import pytest
from conftest import make_events
from reader_support import _save

from evfocus_live.sources import open_file
from evfocus_live.sources.npy_file import DropCounter


def _read(path):
    with open_file(path) as src:
        while src.read() is not None:
            pass
        return src.stats["dropped"]


@pytest.mark.parametrize("kind", ["npy", "npz", "h5"])
def test_far_values_set_aside_are_said_once(tmp_path, caplog, kind):
    ev = make_events(20_000, seed=4)
    ev["x"][[10, 5000, 15000]] = 1124
    path = tmp_path / f"ev.{kind}"
    _save(kind, path, ev)
    with caplog.at_level(logging.WARNING):
        assert _read(path) == 3
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 1 and "far beyond" in said[0], said


def test_drops_beyond_those_said_are_said():
    log = logging.getLogger("evfocus_live.sources.npy_file")
    said: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            said.append(record.getMessage())

    h = Keep(logging.WARNING)
    log.addHandler(h)
    try:
        drops = DropCounter("f.npy", 346, 260, said=3)
        drops.add(2)
        drops.add(1)  # (the three said as the size was inferred)
        assert said == []
        drops.add(4)  # (four more: negative x, say)
        assert len(said) == 1 and "dropped 4 event(s)" in said[0], said
        drops.add(5)
        drops.flush()
        assert len(said) == 2 and "dropped 5 more" in said[1], said
        drops.add(3)  # (a loop's next pass)
        drops.flush()
        assert len(said) == 2 and drops.total == 15
    finally:
        log.removeHandler(h)
