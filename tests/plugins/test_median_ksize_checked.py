"""The median plugin's ``ksize`` must be an odd whole number >= 3, said with the value given:
``int()`` took ``median:ksize=5.5`` for 5 in silence, and said 4.5 was "4"."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parents[2] / "plugins/evfocus-plugin-median/evfocus_plugin_median/__init__.py"


@pytest.fixture(scope="module")
def MedianFilter():
    # this checkout's plugin (the installed one may be another checkout's)
    spec = importlib.util.spec_from_file_location("median_under_test", PLUGIN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.MedianFilter


@pytest.mark.parametrize("ksize, shown", [(5.5, "5.5"), (4.5, "4.5"), (4, "4"), (1, "1"), (True, "True"),
                                          ("five", "'five'")])
def test_a_bad_ksize_is_refused_as_given(MedianFilter, ksize, shown):
    with pytest.raises(ValueError) as exc:
        MedianFilter(ksize=ksize)
    assert str(exc.value) == f"median: ksize must be an odd whole number >= 3, got {shown}"


def test_a_whole_float_ksize_is_taken(MedianFilter):
    assert MedianFilter(ksize=5.0).ksize == 5 and isinstance(MedianFilter(ksize=5.0).ksize, int)
