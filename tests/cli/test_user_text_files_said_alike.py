"""A settings file and an ``--at`` timestamps file are read by one helper
(``errors.read_user_text``), so each failure is said alike for both: before, a binary timestamps
file said "timestamps file is not text" where a settings file said "not a settings file (not
UTF-8 text)", from two copies of the same error mapping."""

from __future__ import annotations

import pytest

from evfocus_live.config_file import load_settings
from evfocus_live.core.slicing import read_timestamps
from evfocus_live.errors import ConfigError

READERS = [("settings", load_settings), ("timestamps", read_timestamps)]


@pytest.mark.parametrize("kind,read", READERS)
def test_binary_file(tmp_path, kind, read):
    p = tmp_path / "f.bin"
    p.write_bytes(b"\xff\xfe\x00\x81" * 10)
    with pytest.raises(ConfigError) as e:
        read(p)
    assert str(e.value) == f"{p}: not a {kind} file (not UTF-8 text)"


@pytest.mark.parametrize("kind,read", READERS)
def test_missing_and_folder(tmp_path, kind, read):
    (tmp_path / "lab.toml").write_text("")
    with pytest.raises(ConfigError) as e:
        read(tmp_path / "lab.tom")
    assert str(e.value).startswith(f"{tmp_path / 'lab.tom'}: no such {kind} file (did you mean")
    assert str(e.value).endswith("lab.toml?)")
    with pytest.raises(ConfigError) as e:
        read(tmp_path)
    assert str(e.value) == f"{tmp_path}: is a folder, not a {kind} file"
