"""``pipeline.close_all()``: a pipeline whose name an interactive session bound to a new one
runs on (its threads hold it), with its reader, worker and the file's prefetch threads, until
the interpreter exits; close_all() stops and closes every started one."""

from __future__ import annotations

import threading

from conftest import DAVIS_FILE
from pipeline_support import NO_POST
from evfocus_live import pipeline
from evfocus_live.config import SourceConfig
from evfocus_live.pipeline import Pipeline


def test_close_all_stops_a_pipeline_no_name_holds_any_more():
    before = set(threading.enumerate())
    pipe = Pipeline(SourceConfig(str(DAVIS_FILE), loop=True), model="integrator", post=NO_POST)
    pipe.start()
    first_source = pipe.source
    pipe = Pipeline(SourceConfig(str(DAVIS_FILE), loop=True), model="integrator", post=NO_POST)  # the cell re-run
    pipe.start()
    assert len(set(threading.enumerate()) - before) >= 4
    pipeline.close_all()
    left = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert not left, [t.name for t in left]
    assert first_source.closed and pipe.source.closed
    assert not pipe.running
