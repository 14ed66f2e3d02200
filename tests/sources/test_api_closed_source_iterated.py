"""Iterating a closed source says it is closed (InputError), as Pipeline does; it was read as
an empty one: ``concat(src)`` after the ``with`` block gave 0 events and no word."""

from __future__ import annotations

import pytest

from conftest import DAVIS_FILE, EVT3_FILE
from evfocus_live.errors import InputError
from evfocus_live.events import concat
from evfocus_live.sources import open_source


@pytest.mark.parametrize("path", [DAVIS_FILE, EVT3_FILE])
def test_iterating_a_closed_source_is_an_input_error(path):
    with open_source(path) as src:
        first = next(iter(src))
    assert len(first)
    with pytest.raises(InputError, match="closed"):
        concat(src)
