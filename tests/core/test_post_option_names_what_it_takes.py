"""A wrong post-processor option (``--post median:foo=3``, ``auto_hdr:smoothing_frames=abc``) said
only the constructor's words ("got an unexpected keyword argument 'foo'", "must be real number,
not str": which option?) and not the options the step takes; the line names both now."""

from __future__ import annotations

import pytest

from evfocus_live.core.postprocess import build_postprocessors
from evfocus_live.errors import ConfigError


@pytest.mark.parametrize("name,opts,given,takes", [
    ("median", {"foo": 3}, "foo=3", "it takes ksize=3"),
    ("auto_hdr", {"smoothing_frames": "abc"}, "smoothing_frames='abc'", "smoothing_frames=8"),
])
def test_bad_option_names_the_value_and_what_the_step_takes(name, opts, given, takes):
    with pytest.raises(ConfigError) as err:
        build_postprocessors([name], {name: opts}, width=32, height=24)
    msg = str(err.value)
    assert "\n" not in msg and f"post-processor {name!r}: bad options {given} (" in msg and takes in msg, msg


def test_event_filters_do_not_list_the_sensor_size():
    with pytest.raises(ConfigError) as err:
        build_postprocessors(["noise_filter"], {"noise_filter": {"q": 2}}, width=32, height=24)
    msg = str(err.value)
    assert "duration_us=" in msg and "width" not in msg and "height" not in msg, msg
