"""The viewer's latency readout after a live camera's clock restart that no reopen signalled (a
reset of its clock mid-stream, or a step back after a silence: ``ClockShift`` counts both as a
new clock, and since s32 the pipeline cuts the open window there). ``LiveSession.arrival_wall``
looks a frame's time up among the batches' arrivals by bisection, which needs them sorted: the
old clock's (larger) times before the new clock's put a new-clock frame at the oldest arrival
held (up to 4096 batches back), so the readout said seconds of latency until they rolled out.
A reopen cleared them; a restart without one now does too."""

from __future__ import annotations

from frames_clock_support import events

from evfocus_live.config import PostConfig


def _session(tiny_model, src):
    from evfocus_live.gui.session import LiveSession

    return LiveSession(src, post=PostConfig(steps=()), model_obj=tiny_model)


def _fake_clock(monkeypatch, times):
    """``time.monotonic`` gives ``times`` (the batches' arrivals), one a call."""
    import evfocus_live.gui.session as session_mod

    it = iter(times)
    monkeypatch.setattr(session_mod.time, "monotonic", lambda: next(it))


def test_a_restart_without_a_reopen_starts_the_arrivals_afresh(tiny_model, monkeypatch):
    from frames_clock_support import ScriptedCam

    s = _session(tiny_model, ScriptedCam([], away_s=0.0))
    try:
        tap = s.source
        _fake_clock(monkeypatch, [100.0 + 0.01 * i for i in range(5)] + [200.0, 200.01])
        for i in range(5):  # the old clock: 5 batches near 2 s
            tap.waited_s = 0.0
            s._on_events(events(2_000_000 + i * 5000))
        tap.waited_s = 0.0  # (streaming on: no silence, no reopen) ...
        s._on_events(events(1_000))  # ... the camera's clock reset to 1 ms: a new clock
        assert s.frame_clock.clock == 1
        s._on_events(events(6_000))
        # a new-clock frame at 3 ms was read with the batch that came at 200.0 s (was 100.0: the
        # oldest arrival held, 100 s of latency)
        assert s.arrival_wall(3_000) == 200.0
        assert s.arrival_wall(8_000) == 200.01
    finally:
        monkeypatch.undo()  # (the real clock for the stop)
        s.stop()


def test_a_step_back_within_the_jitter_keeps_the_arrivals(tiny_model, monkeypatch):
    from frames_clock_support import ScriptedCam

    s = _session(tiny_model, ScriptedCam([], away_s=0.0))
    try:
        tap = s.source
        _fake_clock(monkeypatch, [100.0, 100.01, 100.02])
        tap.waited_s = 0.0
        s._on_events(events(2_000_000))
        s._on_events(events(2_003_000))  # (ends at 2_006_998)
        s._on_events(events(2_006_500))  # 0.5 ms back while it streams: late events, one clock
        assert s.frame_clock.clock == 0
        assert s.arrival_wall(2_000_500) == 100.0
    finally:
        monkeypatch.undo()  # (the real clock for the stop)
        s.stop()
