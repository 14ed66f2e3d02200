"""The note that a refused numba cache folder was warned about (``.evfocus-live-numba-UID.refused``)
lies in the shared temp folder, where others can make names. It was opened with O_CREAT and,
being ours, truncated and written: a hard link there to a file of ours (where the system lets
others link to our files: ``fs.protected_hardlinks=0``) had that file's content replaced by the
note's. A note that is not a plain file with one link is now left alone (the warning stays)."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import pytest
from numba_cache_support import blocked_path

from evfocus_live.numba_cache import REFUSED_NOTE, fallback_cache_dir

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="accounts' mode bits, hard links")


def _refused_setup(tmp_path: Path, monkeypatch) -> tuple[Path, dict, Path]:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    blocked = blocked_path(tmp_path)
    shared = tmp / f"evfocus-live-numba-{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)  # refused: others can write in it
    return blocked, {"HOME": str(blocked), "TMPDIR": str(tmp)}, tmp / REFUSED_NOTE.format(name=shared.name)


def test_a_note_hard_linked_to_a_file_of_ours_is_not_written(tmp_path, monkeypatch, caplog):
    blocked, env, note = _refused_setup(tmp_path, monkeypatch)
    precious = tmp_path / "thesis.tex"
    precious.write_text("four years of work\n")
    os.link(precious, note)
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="evfocus_live.numba_cache"):
            assert fallback_cache_dir(blocked, env) is not None
        assert "others can write in it" in caplog.text  # (warned each time: no note of ours to trust)
    assert precious.read_text() == "four years of work\n"


def test_a_plain_note_of_ours_still_says_it_once(tmp_path, monkeypatch, caplog):
    blocked, env, note = _refused_setup(tmp_path, monkeypatch)
    said = []
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="evfocus_live.numba_cache"):
            fallback_cache_dir(blocked, env)
        said.append("others can write in it" in caplog.text)
    assert said == [True, False] and note.is_file()
