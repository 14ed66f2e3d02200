"""No room in the temp folder for numba's cache is said in one line, not a traceback from
``import evfocus_live`` (the fresh folder's ``mkdtemp`` raised out of the import: a full disk,
a temp folder out of inodes), so even ``evfocus --help`` went down."""

from __future__ import annotations

import errno
import logging
import os
import tempfile

from numba_cache_support import blocked_path

from evfocus_live.numba_cache import fallback_cache_dir

UID = os.getuid() if hasattr(os, "getuid") else 0


def test_a_full_temp_folder_gives_no_cache_folder_and_says_so(tmp_path, monkeypatch, caplog):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    (tmp / f"evfocus-live-numba-{UID}").write_text("")  # (the shared name taken: a fresh folder is needed)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile, "mkdtemp", full)
    blocked = blocked_path(tmp_path)
    with caplog.at_level(logging.WARNING, logger="evfocus_live.numba_cache"):
        assert fallback_cache_dir(blocked, {"HOME": str(blocked), "TMPDIR": str(tmp)}) is None
    assert "NUMBA_CACHE_DIR" in caplog.text and os.strerror(errno.ENOSPC) in caplog.text
