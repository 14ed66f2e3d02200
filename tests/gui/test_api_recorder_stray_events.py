"""The viewer's recorder leaves a camera's stray events (outside its sensor) out of the
recording: the writers refuse them now, which would have stopped the recording."""

from __future__ import annotations

from conftest import DAVIS_FILE
from evfocus_live.events import concat
from evfocus_live.sources import open_source


def test_the_recorder_leaves_stray_events_out(tmp_path):
    from evfocus_live.gui.recording import Recorder

    with open_source(DAVIS_FILE) as src:
        ev, (w, h) = concat(src), src.resolution
    stray = ev[:10].copy()
    stray["x"] = w + 5
    rec = Recorder()
    rec.start(events_path=tmp_path / "rec.aedat4", width=w, height=h)
    rec.write_events(concat([ev[:1000], stray, ev[1000:2000]]))
    rec.stop()
    assert rec.error is None
    with open_source(tmp_path / "rec.aedat4") as src:
        assert len(concat(src)) == 2000
