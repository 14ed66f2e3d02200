"""``PatternSource(width=64.5)`` became a 64-pixel-wide sensor without a word: a size that is
not whole pixels is refused in one line (64.0 is 64)."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def pattern():
    """This checkout's copy of the example (not the installed one already imported)."""
    path = REPO / "plugins" / "evfocus-plugin-pattern" / "evfocus_plugin_pattern" / "__init__.py"
    spec = importlib.util.spec_from_file_location("_checkout_pattern_size", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    yield mod
    sys.modules.pop("_checkout_pattern_size", None)


@pytest.mark.parametrize("size", [dict(width=64.5), dict(height=47.9), dict(width=float("nan")), dict(width="64")])
def test_a_size_that_is_not_whole_pixels_is_refused(pattern, size):
    with pytest.raises(ValueError, match="whole pixels") as err:
        pattern.PatternSource(**{"width": 64, "height": 48, "realtime": False, **size})
    assert "\n" not in str(err.value)


def test_a_whole_float_size_is_taken(pattern):
    src = pattern.PatternSource(width=64.0, height=np.int64(48), realtime=False)
    assert (src.width, src.height) == (64, 48)
