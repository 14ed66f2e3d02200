"""An event post-processor that forgets its ``return`` (None) dropped every event: the run
ended in "no event reached the model", naming no step. README "Plugins": it returns the
events it keeps, an empty array for none."""

from __future__ import annotations

import pytest
from conftest import make_events

from evfocus_live.core.postprocess import apply_event_filters
from evfocus_live.errors import ConfigError
from evfocus_live.events import EVENT_DTYPE


class Refractory:
    stage = "events"

    def reset(self):
        pass

    def __call__(self, events):
        events = events[::2]  # (and no return)


def test_an_event_step_returning_none_is_one_line_naming_it():
    with pytest.raises(ConfigError, match=r"'Refractory' returned None, not events .*empty array"):
        apply_event_filters([Refractory()], make_events(100, 64, 48), 64, 48)


def test_an_event_step_keeping_none_with_an_empty_array_ends_the_chain():
    out = apply_event_filters([lambda ev: ev[:0], Refractory()], make_events(100, 64, 48), 64, 48)
    assert out.dtype == EVENT_DTYPE and len(out) == 0
