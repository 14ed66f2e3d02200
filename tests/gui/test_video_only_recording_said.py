"""The viewer with ``--video`` alone (or any recording of a video without events) said
"recording saved (0 events): out.mp4": the count was of an events file that was not made; it
counts the video's frames then."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from evfocus_live.gui.window import saved_text


def test_a_video_alone_counts_its_frames():
    rec = SimpleNamespace(events_path=None, video_path=Path("out.mp4"), n_frames=51)
    assert saved_text([Path("out.mp4")], rec, 0) == "recording saved (51 video frames): out.mp4"


def test_events_keep_their_count():
    rec = SimpleNamespace(events_path=Path("r.aedat4"), video_path=Path("r.mp4"), n_frames=9)
    assert saved_text([Path("r.aedat4"), Path("r.mp4")], rec, 1234) == "recording saved (1234 events): r.aedat4, r.mp4"
    stale = SimpleNamespace(events_path=Path("old.aedat4"), video_path=Path("v.mp4"), n_frames=1)
    assert saved_text([Path("v.mp4")], stale, 0) == "recording saved (1 video frame): v.mp4"
