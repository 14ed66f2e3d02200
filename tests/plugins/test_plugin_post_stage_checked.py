"""A post-processor plugin whose ``stage`` is misspelled (``"event"``): it was run as a frame
step, ``proc(frame, t_us)`` on an events filter, and the run ended in "failed: TypeError:
__call__() takes 2 positional arguments but 3 were given", which named no stage. Now it is
refused when built, naming the two stages."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from evfocus_live.core.postprocess import build_postprocessors
from evfocus_live.errors import ConfigError
from evfocus_live.plugins import POSTPROCESSORS, Registry


class Misspelt:
    stage = "event"

    def __init__(self, width=None, height=None):
        pass

    def __call__(self, events):
        return events

    def reset(self):
        pass


def test_an_unknown_stage_is_refused_naming_both():
    reg = Registry(POSTPROCESSORS, [EntryPoint("evdrop", "test_plugin_post_stage_checked:Misspelt", POSTPROCESSORS)])
    with pytest.raises(ConfigError, match=r"post-processor 'evdrop': stage must be \"frame\" or \"events\", got 'event'"):
        build_postprocessors(("evdrop",), registry=reg, width=64, height=48)
