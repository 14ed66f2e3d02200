"""What the slow-post-step and slow-event-filter tests share: a small recording and plugin
steps that take time on the pipeline's clock (``clock_s``, advanced by
``pipeline_support.run_on_fake_clock``), not in a real sleep: on a loaded machine a real 60 ms
step could lose to the model's time, and nothing was said."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.plugins import POSTPROCESSORS

#: the pipeline's clock ahead of the real one, in seconds (a slow step adds to it)
clock_s = [0.0]


class Sleepy:
    """A frame step that takes ``delay_s`` on the pipeline's clock."""
    stage = "frame"

    def __init__(self, delay_s: float = 1.0):  # (slower than any model's first window)
        self.delay_s = delay_s

    def __call__(self, frame, t_us=0):
        clock_s[0] += self.delay_s
        return frame

    def reset(self):
        pass


class Quick(Sleepy):
    def __call__(self, frame, t_us=0):
        return frame


class SleepyFilter(Sleepy):
    """An event filter that takes ``delay_s`` a batch on the pipeline's clock."""
    stage = "events"

    def __call__(self, events):
        clock_s[0] += self.delay_s
        return events


class QuickFilter(SleepyFilter):
    def __call__(self, events):
        return events


PLUGINS = [EntryPoint("sleepy", "slow_steps:Sleepy", POSTPROCESSORS),
           EntryPoint("quick", "slow_steps:Quick", POSTPROCESSORS),
           EntryPoint("sleepy_ev", "slow_steps:SleepyFilter", POSTPROCESSORS),
           EntryPoint("quick_ev", "slow_steps:QuickFilter", POSTPROCESSORS)]


def write_rec(path, n_events: int = 6_000, duration_us: int = 100_000):
    """A 64x48 .npy recording at ``path``; returns ``path``."""
    np.save(path, make_events(n_events, width=64, height=48, duration_us=duration_us))
    return path


@pytest.fixture
def rec(tmp_path):
    return write_rec(tmp_path / "rec.npy")
