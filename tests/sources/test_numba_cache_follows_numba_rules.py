"""The numba cache fallback against numba's own rules, three ways it did not follow them: a
``cache_dir`` in the user's ``.numba_config.yaml`` was overridden (the fallback's
``$NUMBA_CACHE_DIR`` wins over numba's file); ``XDG_CACHE_HOME=""`` is set to numba (its cache
then goes to ``./numba``) but was unset to the probe (``~/.cache/numba``); and a fallback folder
refused for what is in it was warned about at every run, without saying what to remove."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

import pytest
from numba_cache_support import blocked_path

from evfocus_live.numba_cache import fallback_cache_dir, numba_user_cache_dir

UID = os.getuid() if hasattr(os, "getuid") else 0


def _env(tmp_path: Path, monkeypatch, **extra) -> tuple[Path, dict]:
    """A read-only install and home (``blocked``), the temp folder ``tmp_path/tmp``."""
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    blocked = blocked_path(tmp_path) if not (tmp_path / "file").exists() else tmp_path / "file" / "below"
    return blocked, {"HOME": str(blocked), "TMPDIR": str(tmp), **extra}


def test_a_cache_dir_in_numbas_config_file_is_kept(tmp_path, monkeypatch):
    pytest.importorskip("yaml")
    work = tmp_path / "work"
    work.mkdir()
    (work / ".numba_config.yaml").write_text(f"cache_dir: {tmp_path / 'mine'}\n")
    monkeypatch.chdir(work)
    blocked, env = _env(tmp_path, monkeypatch)
    assert fallback_cache_dir(blocked, env) is None  # numba reads the file: nothing to set


def test_a_numba_config_file_without_a_cache_dir_changes_nothing(tmp_path, monkeypatch):
    pytest.importorskip("yaml")
    work = tmp_path / "work"
    work.mkdir()
    (work / ".numba_config.yaml").write_text("disable_jit: 0\n")
    monkeypatch.chdir(work)
    blocked, env = _env(tmp_path, monkeypatch)
    assert fallback_cache_dir(blocked, env) is not None


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG is the Unix rule")
@pytest.mark.parametrize("extra", [{"XDG_CACHE_HOME": ""}, {"XDG_CACHE_HOME": "/x/y"}, {}, {"HOME": ""}])
def test_the_probed_folder_is_numbas_own(tmp_path, monkeypatch, extra):
    from numba.misc.appdirs import user_cache_dir

    env = {"HOME": str(tmp_path / "home"), **extra}
    for k in ("XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert numba_user_cache_dir(env) == Path(user_cache_dir(appname="numba", appauthor=False))


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG is the Unix rule")
def test_an_empty_xdg_cache_home_is_numbas_current_folder(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    blocked, env = _env(tmp_path, monkeypatch, XDG_CACHE_HOME="")
    assert fallback_cache_dir(blocked, env) is None  # numba caches in ./numba, writable here


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="mode bits of accounts")
def test_a_refused_folder_is_warned_once_naming_what_to_remove(tmp_path, monkeypatch, caplog):
    blocked, env = _env(tmp_path, monkeypatch)
    made = tmp_path / "tmp" / f"evfocus-live-numba-{UID}"
    made.mkdir()
    made.chmod(0o755)
    (made / "k.nbi").write_text("")
    (made / "k.nbi").chmod(0o666)  # (numba's file under umask 0)
    warnings = []
    for _ in range(3):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="evfocus_live.numba_cache"):
            assert fallback_cache_dir(blocked, env) not in (None, made)
        warnings.append([r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING])
    assert len(warnings[0]) == 1
    assert f"rm -r '{made}'" in warnings[0][0] and str(made / "k.nbi") in warnings[0][0]
    assert warnings[1:] == [[], []]  # said at INFO after the first run
    # removed, and a new refused one made: said again
    import shutil

    shutil.rmtree(made)
    made.mkdir()
    made.chmod(0o777)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="evfocus_live.numba_cache"):
        fallback_cache_dir(blocked, env)
    assert "others can write in it" in caplog.text
