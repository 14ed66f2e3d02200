"""A headless replay's last line gave "(--speed 0 reconstructs every window)" for any dropped
event, also events outside the sensor (or the source's own losses), which --speed 0 does not
bring back, and at --speed 0 itself. Only windows skipped and the full ring buffer's drops, the
losses of keeping up, get it."""

from __future__ import annotations

from evfocus_live.gui import app


def test_events_outside_the_sensor_get_no_speed_hint():
    assert app.done_line(2, 0, 1.0, live=False, dropped=5) == "done: 2 frames in 1.0 s; 5 events dropped"


def test_the_full_rings_drops_get_it():
    assert app.done_line(2, 0, 1.0, live=False, dropped=7, ring_dropped=5) == (
        "done: 2 frames in 1.0 s; 7 events dropped (--speed 0 reconstructs every window)")
