"""A live camera's repeated read() fault is said once a minute at most, the rest counted: the
count left unsaid at a stop was never said (the log read one fault; stats counted many)."""

from __future__ import annotations

import logging

from pipeline_support import FlakyCam, run_reconnecting


class Cam(FlakyCam):
    opened = 0  # (its own count of opens: FlakyCam's test counts its own)


def test_the_faults_left_unsaid_are_counted_at_the_stop(caplog):
    with caplog.at_level(logging.INFO, logger="evfocus_live.pipeline"):
        pipe = run_reconnecting(Cam, 4)
        pipe.stop()  # (said once)
    said = [r.getMessage() for r in caplog.records if "since it was last said" in r.getMessage()]
    assert len(said) == 1, said
    assert said[0].startswith("source error (OSError") and "USB transfer failed" in said[0], said
