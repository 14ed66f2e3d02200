"""The warning about a numba cache folder refused for its contents tells the user to run
``rm -r '<folder>'``; with a temp folder whose name holds a ``'`` (``TMPDIR=/home/o'neil/tmp``)
that line split into other words in a shell. It is quoted as one shell word now."""

from __future__ import annotations

import logging
import os
import shlex
import tempfile

import pytest
from numba_cache_support import blocked_path

from evfocus_live.numba_cache import fallback_cache_dir


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="mode bits of accounts")
def test_the_rm_line_is_one_shell_word_for_a_folder_with_a_quote(tmp_path, monkeypatch, caplog):
    tmp = tmp_path / "o'neil" / "tmp"
    tmp.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    blocked = blocked_path(tmp_path)
    made = tmp / f"evfocus-live-numba-{os.getuid()}"
    made.mkdir()
    made.chmod(0o755)
    (made / "k.nbi").write_text("")
    (made / "k.nbi").chmod(0o666)  # (numba's file under umask 0: the folder is refused)
    with caplog.at_level(logging.INFO, logger="evfocus_live.numba_cache"):
        fallback_cache_dir(blocked, {"HOME": str(blocked), "TMPDIR": str(tmp)})
    said = [r.getMessage() for r in caplog.records if "rm -r" in r.getMessage()]
    assert len(said) == 1
    command = said[0].split("(rm -r ", 1)[1].split(")", 1)[0]
    assert shlex.split(command) == [str(made)]  # (was three words: ...o, neil/tmp/..., cut)
