"""``repr(pipe)`` of a pipeline whose ``__init__`` stopped before its stats existed (an argument
refused first thing; shown by a verbose traceback's locals, a debugger, a subclass) names what
it can: it raised AttributeError ('Pipeline' object has no attribute 'stats'), although its
docstring said it was safe on a pipeline whose setup failed part way."""

from __future__ import annotations

import pytest

from evfocus_live.errors import ConfigError
from evfocus_live.pipeline import Pipeline


def test_repr_of_a_pipeline_refused_first_thing():
    seen = {}

    class Watched(Pipeline):
        def __init__(self, *a, **kw):
            seen["repr"] = repr(self)  # (before any of the setup)
            super().__init__(*a, **kw)

    with pytest.raises(ConfigError):
        Watched("sim", window={"mode": "duration"})
    assert seen["repr"] == "<Pipeline ? ?, model ? on ?: not made, 0 frames>"
