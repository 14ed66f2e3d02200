"""A config field of the wrong kind is one ConfigError line when the config is made.

Before, these were taken as given: ``half="no"`` is true (fp16 on CUDA), ``loop="no"`` looped,
an unknown window mode or a number as a model name failed later, far from the config, in
words about something else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evfocus_live.config import ModelConfig, SourceConfig, WindowConfig
from evfocus_live.errors import ConfigError


@pytest.mark.parametrize("make, field", [
    (lambda: WindowConfig(mode="durations"), "WindowConfig.mode"),
    (lambda: WindowConfig(timestamps_aps="yes"), "WindowConfig.timestamps_aps"),
    (lambda: WindowConfig(mode="timestamps", timestamps_path=3), "WindowConfig.timestamps_path"),
    (lambda: ModelConfig(name=3), "ModelConfig.name"),
    (lambda: ModelConfig(name=None), "ModelConfig.name"),
    (lambda: ModelConfig(device=0), "ModelConfig.device"),
    (lambda: ModelConfig(half="no"), "ModelConfig.half"),
    (lambda: SourceConfig(spec=3), "SourceConfig.spec"),
    (lambda: SourceConfig(loop="no"), "SourceConfig.loop"),
])
def test_a_field_of_the_wrong_kind_is_a_config_error(make, field):
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")) as err:
        make()
    assert "\n" not in str(err.value)


def test_the_unknown_mode_error_lists_the_modes():
    with pytest.raises(ConfigError) as err:
        WindowConfig(mode="durations")
    assert "duration, events, timestamps, adaptive" in str(err.value)


@pytest.mark.parametrize("make", [
    lambda: WindowConfig(mode="timestamps", timestamps_path=Path("t.txt")),
    lambda: WindowConfig(mode="adaptive", timestamps_aps=False),
    lambda: ModelConfig(name=Path("models/evfocus.pt"), device="cpu", half=False),
    lambda: SourceConfig(spec=Path("rec.aedat4"), loop=True),
])
def test_paths_and_right_kinds_are_still_taken(make):
    make()
