"""``evfocus eval`` read a real recording with ``src.read()`` itself, so a plugin file reader
written from STYLE.md's protocol (``read(self, max_events)``) failed there alone with
"missing 1 required positional argument", and a plugin reader's fault was not named."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.errors import InputError
from evfocus_live.events import from_arrays
from evfocus_live.sources.base import EventSource
from evfocus_live.train import evaluate


class LabFile(EventSource):
    """A plugin file reader: at most ``max_events`` a read, 3 batches."""

    format = "labfile"
    width, height = 32, 24
    is_live = False
    fail = False

    def __init__(self, path=None):
        self.n_reads = 0

    def read(self, max_events):
        if self.fail:
            raise KeyError("t")
        self.n_reads += 1
        if self.n_reads > 3:
            return None
        n = min(max_events, 400)
        t0 = (self.n_reads - 1) * 1000
        return from_arrays(t0 + np.arange(n), np.arange(n) % 32, np.arange(n) % 24, np.arange(n) % 2)

    def close(self):
        pass


LabFile.__module__ = "evfocus_labfile"  # (a plugin's class: read through the plugin path)


class BrokenLabFile(LabFile):
    fail = True


BrokenLabFile.__module__ = "evfocus_labfile"


def _read(monkeypatch, cls):
    import evfocus_live.sources as sources

    monkeypatch.setattr(sources, "open_file", lambda path, *a, **k: cls())
    return evaluate._read_recording("rec.lab")


def test_eval_reads_a_plugin_file_whose_read_takes_max_events(monkeypatch):
    got = _read(monkeypatch, LabFile)
    events = got[0] if isinstance(got, tuple) else got
    assert len(events) == 1200 and np.all(np.diff(events["t"]) >= 0)


def test_eval_names_a_plugin_reader_that_fails(monkeypatch):
    with pytest.raises(InputError, match=r"source 'labfile' \(evfocus_labfile:BrokenLabFile\): read\(\) failed"):
        _read(monkeypatch, BrokenLabFile)
