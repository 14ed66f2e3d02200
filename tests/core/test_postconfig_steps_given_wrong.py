"""``PostConfig(steps=...)`` given a bare string, None or non-names is one ConfigError saying
how to write it. ``steps="unsharp"`` was iterated letter by letter ("post-processor 'u' is
unavailable"), ``steps=None`` a TypeError from inside the pipeline's setup."""

from __future__ import annotations

import pytest

from evfocus_live.config import PostConfig
from evfocus_live.errors import ConfigError


@pytest.mark.parametrize("steps, words", [
    ("unsharp", ["the string 'unsharp'", "steps=('unsharp',)"]),
    (None, ["must be a tuple of names, got None"]),
    (("auto_hdr", 3), ["must be names (strings), got 3"]),
])
def test_steps_that_are_not_names_are_one_line(steps, words):
    with pytest.raises(ConfigError) as err:
        PostConfig(steps=steps)
    for w in words:
        assert w in str(err.value), str(err.value)


def test_options_not_a_dict_is_one_line():
    with pytest.raises(ConfigError, match="PostConfig.options must be a dict"):
        PostConfig(steps=("unsharp",), options=[("unsharp", {"amount": 2})])


def test_a_list_of_names_is_kept_as_a_tuple():
    cfg = PostConfig(steps=["unsharp", "auto_hdr"], options={"unsharp": {"amount": 2}})
    assert cfg.steps == ("unsharp", "auto_hdr") and hash(cfg.steps)
    assert PostConfig().steps == ("auto_hdr",) and PostConfig(steps=()).steps == ()
