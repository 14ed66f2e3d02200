"""A settings file a newer viewer saved can hold a section or key this one lacks under the same
``version = 1`` (versions add keys without a new version: [sim] came that way); it read as a typo
('unknown setting ... (known: ...)'). A key like none known now asks whether the file is a newer
version's and says what to do; a typo keeps its did-you-mean alone."""

from __future__ import annotations

import pytest

from evfocus_live.config_file import load_settings
from evfocus_live.errors import ConfigError

NEWER = "saved by a newer evfocus-live? upgrade evfocus-live, or delete it from the file"


@pytest.mark.parametrize("body", ['[window]\nfoveation_px = 3\n', '[display]\ncolormap = "gray"\n'],
                         ids=["key", "section"])
def test_a_newer_viewers_file_says_upgrade(tmp_path, body):
    f = tmp_path / "lab.toml"
    f.write_text("version = 1\n" + body)
    with pytest.raises(ConfigError) as err:
        load_settings(f)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(str(f)) and NEWER in msg, msg


@pytest.mark.parametrize("body", ['[window]\nwindow_sm = 3.0\n', '[windw]\nwindow_ms = 3.0\n'],
                         ids=["key", "section"])
def test_a_typo_is_not_called_newer(tmp_path, body):
    f = tmp_path / "lab.toml"
    f.write_text("version = 1\n" + body)
    with pytest.raises(ConfigError, match="did you mean") as err:
        load_settings(f)
    assert "newer" not in str(err.value)
