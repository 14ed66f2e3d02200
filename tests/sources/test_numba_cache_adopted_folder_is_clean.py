"""A 0755 numba cache folder of ours is taken over (made 0700) only when nothing in it was
ever open to others, and only where no one else can swap it.

numba loads ``.nbi``/``.nbc`` files with pickle: a folder that others could read may hold a
subfolder they could write (numba makes its subfolders with the umask's mode; a run under
umask 0, as services and containers often have, makes them 0777) or a file of theirs; made
0700, the folder would be loaded from as if ours. A folder inside a directory another account
can write (a ``$TMPDIR`` in a shared non-sticky folder, another account's home) can be renamed
away and replaced by theirs after the check.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from numba_cache_support import blocked_path

import evfocus_live.numba_cache as numba_cache
from evfocus_live.numba_cache import fallback_cache_dir

UID = os.getuid() if hasattr(os, "getuid") else 0

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="mode bits of accounts")


def _old_folder(tmp_path: Path) -> Path:
    made = tmp_path / "tmp" / f"evfocus-live-numba-{UID}"
    made.mkdir(parents=True)
    made.chmod(0o755)
    return made


def _fallback(tmp_path: Path, monkeypatch, tmp: Path | None = None) -> Path | None:
    tmp = tmp or tmp_path / "tmp"
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    blocked = blocked_path(tmp_path)
    return fallback_cache_dir(blocked, {"HOME": str(blocked), "TMPDIR": str(tmp)})


def test_a_clean_old_folder_is_still_taken_over(tmp_path, monkeypatch):
    made = _old_folder(tmp_path)
    sub = made / "sources_0123"
    sub.mkdir(mode=0o755)
    (sub / "k.nbi").write_text("")
    (sub / "k.nbi").chmod(0o644)
    assert _fallback(tmp_path, monkeypatch) == made
    assert made.stat().st_mode & 0o777 == 0o700


def test_an_old_folder_with_a_subfolder_others_could_write_is_not_used(tmp_path, monkeypatch):
    made = _old_folder(tmp_path)
    sub = made / "sources_0123"
    sub.mkdir()
    sub.chmod(0o777)  # (numba's makedirs under umask 0)
    folder = _fallback(tmp_path, monkeypatch)
    assert folder is not None and folder != made
    assert made.stat().st_mode & 0o777 == 0o755  # left as found, not made to look private


def test_an_old_folder_with_a_file_others_could_write_is_not_used(tmp_path, monkeypatch):
    made = _old_folder(tmp_path)
    (made / "k.nbi").write_text("")
    (made / "k.nbi").chmod(0o666)
    folder = _fallback(tmp_path, monkeypatch)
    assert folder is not None and folder != made


def test_an_old_folder_with_a_symlink_in_it_is_not_used(tmp_path, monkeypatch):
    made = _old_folder(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (made / "sources_0123").symlink_to(tmp_path / "elsewhere")
    folder = _fallback(tmp_path, monkeypatch)
    assert folder is not None and folder != made


@pytest.mark.skipif(UID != 0, reason="chown to another account needs root")
def test_an_old_folder_with_a_file_of_another_account_is_not_used(tmp_path, monkeypatch):
    made = _old_folder(tmp_path)
    sub = made / "sources_0123"
    sub.mkdir(mode=0o755)
    (sub / "k.nbi").write_text("")
    os.chown(sub / "k.nbi", 65534, 65534)
    folder = _fallback(tmp_path, monkeypatch)
    assert folder is not None and folder != made


def test_a_temp_dir_others_can_write_without_the_sticky_bit_is_not_used(tmp_path, monkeypatch):
    """Anyone may rename our folder out of a 0777 (not 1777) folder and put theirs there."""
    shared = tmp_path / "scratch"
    shared.mkdir()
    shared.chmod(0o777)
    system = tmp_path / "system-tmp"
    system.mkdir(mode=0o1777)
    monkeypatch.setattr(numba_cache, "SYSTEM_TEMPS", (str(system),), raising=False)
    folder = _fallback(tmp_path, monkeypatch, tmp=shared)
    assert folder is None or shared not in folder.parents


def test_a_sticky_shared_temp_dir_is_used(tmp_path, monkeypatch):
    shared = tmp_path / "scratch"
    shared.mkdir()
    shared.chmod(0o1777)  # (as /tmp)
    assert _fallback(tmp_path, monkeypatch, tmp=shared) == shared / f"evfocus-live-numba-{UID}"


@pytest.mark.skipif(UID != 0, reason="chown to another account needs root")
def test_a_temp_dir_inside_another_accounts_folder_is_not_used(tmp_path, monkeypatch):
    """Its owner may rename what is in it, our folder's parent included."""
    home = tmp_path / "eve"
    home.mkdir(mode=0o755)
    os.chown(home, 65534, 65534)
    tmp = home / "tmp"
    tmp.mkdir(mode=0o755)  # (ours: root's)
    system = tmp_path / "system-tmp"
    system.mkdir(mode=0o1777)
    monkeypatch.setattr(numba_cache, "SYSTEM_TEMPS", (str(system),), raising=False)
    folder = _fallback(tmp_path, monkeypatch, tmp=tmp)
    assert folder is None or home not in folder.parents
