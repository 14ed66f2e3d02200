"""The temp-folder fallback for numba's cache is this account's alone, and the check is cheap.

numba loads its cache index with pickle; the fallback was ``/tmp/evfocus-live-numba-<uid>``,
a guessable name numba made (or took as found) with the umask's mode, so another account that
made it first (world-writable, or a symlink to its own folder) could have us run its code.
The check also runs at every ``import evfocus_live`` (each spawned worker, each DDP rank).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from numba_cache_support import blocked_path

from evfocus_live.numba_cache import fallback_cache_dir

REPO = Path(__file__).resolve().parents[2]
UID = os.getuid() if hasattr(os, "getuid") else 0


def _fallback(tmp_path: Path, monkeypatch, **env: str) -> Path | None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir(exist_ok=True)
    blocked = blocked_path(tmp_path)
    return fallback_cache_dir(blocked, {"HOME": str(blocked), "TMPDIR": str(tmp_path / "tmp"), **env})


def _is_private(folder: Path) -> bool:
    st = os.lstat(folder)
    return stat.S_ISDIR(st.st_mode) and st.st_uid == UID and not st.st_mode & 0o077


def test_the_fallback_is_made_private(tmp_path, monkeypatch):
    folder = _fallback(tmp_path, monkeypatch)
    assert folder == tmp_path / "tmp" / f"evfocus-live-numba-{UID}"
    assert _is_private(folder)


def test_a_world_writable_folder_made_first_is_not_used(tmp_path, monkeypatch):
    taken = tmp_path / "tmp" / f"evfocus-live-numba-{UID}"
    taken.mkdir(parents=True)
    taken.chmod(0o777)
    folder = _fallback(tmp_path, monkeypatch)
    assert folder is not None and folder != taken and _is_private(folder)


def test_a_symlink_made_first_is_not_followed(tmp_path, monkeypatch):
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    (tmp_path / "tmp").mkdir()
    (tmp_path / "tmp" / f"evfocus-live-numba-{UID}").symlink_to(theirs)
    folder = _fallback(tmp_path, monkeypatch)
    assert folder is not None and folder.resolve() != theirs.resolve() and _is_private(folder)


@pytest.mark.skipif(UID != 0, reason="chown to another account needs root")
def test_another_accounts_folder_is_not_used(tmp_path, monkeypatch):
    taken = tmp_path / "tmp" / f"evfocus-live-numba-{UID}"
    taken.mkdir(parents=True, mode=0o700)
    os.chown(taken, 65534, 65534)
    folder = _fallback(tmp_path, monkeypatch)
    assert folder is not None and folder != taken and _is_private(folder)


def test_the_runtime_dir_is_preferred(tmp_path, monkeypatch):
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    folder = _fallback(tmp_path, monkeypatch, XDG_RUNTIME_DIR=str(runtime))
    assert folder == runtime / "evfocus-live-numba" and _is_private(folder)


def test_no_fallback_with_the_jit_off(tmp_path, monkeypatch):
    assert _fallback(tmp_path, monkeypatch, NUMBA_DISABLE_JIT="1") is None
    assert _fallback(tmp_path, monkeypatch, NUMBA_DISABLE_JIT="0") is not None


def test_the_probe_leaves_no_file(tmp_path):
    assert fallback_cache_dir(tmp_path / "pkg", {"HOME": str(tmp_path / "home")}) is None
    assert [p.name for p in (tmp_path / "pkg" / "__pycache__").iterdir()] == []


def test_importing_the_package_does_not_import_tempfile():
    """tempfile (and random, shutil, ...) cost ~5 ms at every import, each spawned worker
    included; the check needs them only for the fallback."""
    code = "import sys, evfocus_live; print('tempfile' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(REPO)},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr[-2000:]


@pytest.mark.skipif(UID != 0, reason="chown to another account needs root")
def test_another_accounts_runtime_dir_is_not_used(tmp_path, monkeypatch):
    """``su``/``sudo -E`` keep the first account's $XDG_RUNTIME_DIR: its owner could swap a
    folder made in it."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    os.chown(runtime, 65534, 65534)
    folder = _fallback(tmp_path, monkeypatch, XDG_RUNTIME_DIR=str(runtime))
    assert folder == tmp_path / "tmp" / f"evfocus-live-numba-{UID}" and _is_private(folder)
