"""Two clock restarts in a file less than 10 s apart: the status bar says at most one restart every
10 s, so the second was held back, and it was marked as said all the same: no later pass of a
looping replay said it either (only the log's count of suppressed lines knew of it). A restart held
back by the limit is now said on a later pass, once the 10 s are over; one that was said is still
not said again."""

from __future__ import annotations

import logging
import types

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.core import slicing
from evfocus_live.pipeline import Pipeline


@pytest.mark.usefixtures("one_torch_thread")
def test_a_restart_held_back_by_the_rate_limit_is_said_on_a_later_pass(tmp_path, caplog, monkeypatch, tiny_model):
    clocks = [make_events(3000, 64, 48, t0_us=t0, duration_us=200_000, seed=k)
              for k, t0 in enumerate((5_000_000, 3_000_000, 20_000))]  # back 2.2 s, then 3.2 s
    path = tmp_path / "two_restarts.npy"
    np.save(path, np.concatenate(clocks))
    now_s = [0.0]  # the rate limit's clock, set per pass: a pass takes no real time here
    monkeypatch.setattr(slicing, "time", types.SimpleNamespace(monotonic=lambda: now_s[0]))
    pipe = Pipeline(str(path), WindowConfig(mode="duration", window_ms=20), model_obj=tiny_model,
                    post=PostConfig(steps=()), speed=0)
    told: list[str] = []
    pipe.on_warning = told.append
    said_per_pass = []
    with caplog.at_level(logging.WARNING):
        for p, now_s[0] in enumerate([100.0, 104.0, 112.0, 130.0, 150.0]):  # a loop's passes
            if p:
                pipe.seek(0)  # (as the loop: back to the start)
            assert sum(1 for _ in pipe.frames()) > 20
            said_per_pass.append([t for t in told if "jumped back" in t])
    pipe.close()
    first = "jumped back by 2.2 s (a clock restart?)"
    second = "jumped back by 3.2 s (a clock restart?)"
    which = {True: "first", False: "second"}
    assert all(first in t or second in t for t in told), told
    assert [[which[first in t] for t in said] for said in said_per_pass] == [
        ["first"], ["first"], ["first", "second"], ["first", "second"], ["first", "second"]]
    # (before: ["first"] at every pass; the second is said 10 s after the first, and only once)
    logged = [r.getMessage() for r in caplog.records if "jumped back" in r.getMessage()]
    assert len(logged) == 2 and first in logged[0] and second in logged[1], logged
