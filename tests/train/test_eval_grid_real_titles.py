"""The real-recording grid titled each row with its file label cut to 28 characters, so two
recordings whose names differ only at the end (``session_2026_11_28_cam1.aedat4`` and
``..._cam2.aedat4``) got the same title. A long label is now shortened in its middle."""

from __future__ import annotations

from evfocus_live.train.evaluate import grid_title


def test_long_labels_keep_their_ends_and_stay_distinct():
    a, b = "session_2026_11_28_street_cam1.aedat4", "session_2026_11_28_street_cam2.aedat4"
    ta, tb = grid_title(a), grid_title(b)
    assert ta != tb
    assert len(ta) <= 28 and ta.startswith("session_") and ta.endswith("cam1.aedat4")
    assert ".." in ta


def test_short_labels_are_kept_whole():
    assert grid_title("davis.aedat4") == "davis.aedat4"
    assert grid_title("x" * 28) == "x" * 28
