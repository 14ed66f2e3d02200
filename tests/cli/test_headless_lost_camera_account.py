"""A headless run's account of its lost camera was four counters side by side in its loop (lost
since, drops, time run, back since). ``app.LostCamera`` holds them: the same rule (see
``HEADLESS_RECONNECT_S``, ``RUN_PAYS_BACK``), told here by the tick, without a camera."""

from __future__ import annotations

from evfocus_live.gui import app

TICK_S = 0.05


def _play(camera: app.LostCamera, script: list[tuple[bool, float]], t_s: float = 0.0) -> tuple[float, bool]:
    """Feed (lost, seconds) spells tick by tick; (the time reached, given up)."""
    for lost, span_s in script:
        end_s = t_s + span_s
        while t_s < end_s - 1e-9:
            t_s += TICK_S
            camera.see(lost, t_s)
            if camera.given_up(t_s):
                return t_s, True
    return t_s, False


def test_a_camera_away_for_good_is_given_up_after_the_limit():
    camera = app.LostCamera()
    t_s, given_up = _play(camera, [(False, 5.0), (True, 60.0)])
    assert given_up and abs(t_s - 5.0 - app.HEADLESS_RECONNECT_S) < 2 * TICK_S
    assert camera.end_line(t_s, "davis346", "disconnected") == \
        "the davis346 camera has not come back within 30 s: disconnected"


def test_brief_drops_among_long_runs_never_end_the_run():
    camera = app.LostCamera()  # (1.5 s away every 20 s: under a third of the time)
    _, given_up = _play(camera, [(True, 1.5), (False, 18.5)] * 40)
    assert not given_up and camera.lost_since_s is None


def test_a_camera_away_most_of_the_time_is_given_up_with_its_count():
    camera = app.LostCamera()  # (2 s away, 1 s back: each second back pays half a second)
    t_s, given_up = _play(camera, [(False, 1.0)] + [(True, 2.0), (False, 1.0)] * 40)
    assert given_up and camera.drops > 1
    line = camera.end_line(t_s, "davis346", "disconnected")
    assert line.startswith(f"the davis346 camera keeps dropping out: lost {camera.drops} times, ")
    assert line.endswith("running: giving up (disconnected)")
    assert camera.rate_text(t_s).startswith(" CAMERA LOST ") and f"lost {camera.drops} times" in camera.rate_text(t_s)


def test_a_replay_is_never_counted_lost():
    camera = app.LostCamera()
    camera.see(True, 1.0, live=False)
    assert camera.lost_since_s is None and camera.rate_text(2.0) == "" and not camera.given_up(100.0)
