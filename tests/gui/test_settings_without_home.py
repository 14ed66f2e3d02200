"""The viewer started with $HOME unset (a cron job, `env -i`, a service unit): Qt takes "/" as
the home and kept the settings in /.config/evfocus-live/evfocus-live.ini, at the root of the
file system (written there when run as root). They go to the account's own home instead."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from evfocus_live.gui import settings  # noqa: E402


@pytest.mark.skipif(os.name != "posix", reason="Qt's per-user folder on Linux and macOS")
def test_settings_in_the_accounts_home_without_home(monkeypatch):
    for name in ("HOME", "XDG_CONFIG_HOME", settings.SETTINGS_DIR_ENV):
        monkeypatch.delenv(name, raising=False)
    home = os.path.expanduser("~")  # (from the password database when $HOME is unset)
    path = Path(settings.settings_file())
    assert not str(path).startswith("/.config"), path
    if home not in ("~", "/"):
        assert path == Path(home) / ".config" / "evfocus-live" / "evfocus-live.ini"


def test_settings_dir_env_still_wins(monkeypatch, tmp_path):
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setenv(settings.SETTINGS_DIR_ENV, str(tmp_path))
    assert Path(settings.settings_file()) == tmp_path / "evfocus-live.ini"
