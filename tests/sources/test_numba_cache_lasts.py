"""numba's cache for a read-only install lasts from run to run, and its write probe leaves nothing.

A folder the cache cannot use costs each start seconds of compiling (~3 s for ``evfocus info``
on a RAW file): a folder of ours that numba made 0755 under the shared temp name (evfocus-live
pointed it there before the fallback was made private) was refused at every run for a fresh
one; macOS's own user cache folder was never probed (``~/.cache/numba`` was); a probe file left
by a killed process of the same pid (a container's pid 1) made ``__pycache__`` look read-only.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
from numba_cache_support import blocked_path

import evfocus_live.numba_cache as numba_cache
from evfocus_live.numba_cache import fallback_cache_dir

UID = os.getuid() if hasattr(os, "getuid") else 0


def test_a_probe_left_by_an_earlier_process_of_our_pid_is_no_bar(tmp_path):
    cache = tmp_path / "pkg" / "__pycache__"
    cache.mkdir(parents=True)
    (cache / f".evfocus-probe-{os.getpid()}").write_text("")  # (what a killed run left before)
    assert fallback_cache_dir(tmp_path / "pkg", {"HOME": str(blocked_path(tmp_path))}) is None


@pytest.mark.parametrize("nameless", [True, False], ids=["O_TMPFILE", "named"])
def test_a_probe_cut_short_leaves_no_file(tmp_path, monkeypatch, nameless):
    """A kill between making the probe and removing it: nothing is left once the next probe ran
    (a file system without ``O_TMPFILE``, or a system: its one name, taken over)."""
    if not nameless:
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    folder = tmp_path / "cache"

    def killed(path, *a, **k):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(numba_cache.os, "unlink", killed)
        try:
            numba_cache._writable(folder)
        except KeyboardInterrupt:
            pass
    assert numba_cache._writable(folder)
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="mode bits of accounts")
def test_a_folder_of_ours_others_may_only_read_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    made = tmp_path / "tmp" / f"evfocus-live-numba-{UID}"
    made.mkdir(parents=True)
    made.chmod(0o755)
    (made / "kept.nbi").write_text("")  # (a kernel compiled by an earlier run)
    env = {"HOME": str(blocked_path(tmp_path)), "TMPDIR": str(tmp_path / "tmp")}
    assert fallback_cache_dir(blocked_path(tmp_path), env) == made
    assert made.stat().st_mode & 0o777 == 0o700 and (made / "kept.nbi").exists()
    assert fallback_cache_dir(blocked_path(tmp_path), env) == made  # the next run: the same folder


def test_macos_probes_its_own_user_cache(tmp_path, monkeypatch):
    """numba caches in ``~/Library/Caches/numba`` there: a writable ``~/.cache`` says nothing of it."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "Library").write_text("")  # (~/Library/Caches cannot be made)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    env = {"HOME": str(home), "TMPDIR": str(tmp_path / "tmp")}
    monkeypatch.setattr(sys, "platform", "darwin")
    folder = fallback_cache_dir(blocked_path(tmp_path), env)
    monkeypatch.undo()
    assert folder is not None and folder.parent == tmp_path / "tmp"


@pytest.mark.parametrize("platform, env, expected", [
    ("linux", {"HOME": "/h"}, "/h/.cache/numba"),
    ("linux", {"HOME": "/h", "XDG_CACHE_HOME": "/x"}, "/x/numba"),
    ("darwin", {"HOME": "/h", "XDG_CACHE_HOME": "/x"}, "/h/Library/Caches/numba"),
    ("win32", {"HOME": "/h", "LOCALAPPDATA": "/l"}, "/l/numba/Cache"),
])
def test_the_user_cache_is_numbas_own(platform, env, expected, monkeypatch):
    monkeypatch.setattr(sys, "platform", platform)
    got = numba_cache.numba_user_cache_dir(env)
    monkeypatch.undo()
    assert got == Path(expected)
