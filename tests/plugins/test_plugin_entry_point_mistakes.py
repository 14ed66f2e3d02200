"""Entry-point mistakes in a plugin's ``setup.cfg``: a value that is not ``module:Object`` (a
package name with '-', stray words) failed to load with "AttributeError: 'NoneType' object
has no attribute 'group'"; a post-processor entry that needs arguments (a model factory put in
the wrong group) said "bad options  (...)" with no option given. Both now say what is wrong."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from evfocus_live.core.postprocess import build_postprocessors
from evfocus_live.errors import ConfigError
from evfocus_live.plugins import POSTPROCESSORS, Registry


def needs_args(name, device):
    return None


@pytest.mark.parametrize("value, words", [
    ("evfocus-labtools:Gamma", ["malformed entry point 'evfocus-labtools:Gamma'", "module.path:Object",
                                "evfocus_labtools, not evfocus-labtools"]),
    ("my filter : Gamma x", ["malformed entry point 'my filter : Gamma x'"]),
])
def test_a_malformed_value_is_named(value, words):
    reg = Registry(POSTPROCESSORS, [EntryPoint("labgamma", value, POSTPROCESSORS)])
    with pytest.raises(ConfigError) as info:
        build_postprocessors(("labgamma",), registry=reg)
    msg = str(info.value)
    assert "NoneType" not in msg and all(w in msg for w in words), msg
    assert "labgamma" not in reg.names()  # (failed: listed as such, not offered)


def test_a_step_that_needs_arguments_says_so():
    reg = Registry(POSTPROCESSORS, [EntryPoint("labnet", "test_plugin_entry_point_mistakes:needs_args",
                                               POSTPROCESSORS)])
    with pytest.raises(ConfigError, match=r"'labnet' cannot be built with no options \(.*missing 2 required.*"
                                          r"every option needs a default"):
        build_postprocessors(("labnet",), registry=reg)
