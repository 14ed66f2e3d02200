"""A read-only install used by an account whose home cannot be written still reads files.

numba's ``cache=True`` needs a writable ``__pycache__`` beside the module or ``~/.cache/numba``;
with neither it raised "no locator available" as the sources were imported, every source
plugin failed to load, and ``evfocus info`` said "unknown event file format (supported: )".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from numba_cache_support import blocked_path

from evfocus_live.numba_cache import fallback_cache_dir

REPO = Path(__file__).resolve().parents[2]


def test_no_fallback_when_the_package_can_cache(tmp_path):
    assert fallback_cache_dir(tmp_path / "pkg", {"HOME": str(blocked_path(tmp_path))}) is None


def test_no_fallback_when_the_home_cache_can_be_written(tmp_path):
    assert fallback_cache_dir(blocked_path(tmp_path), {"HOME": str(tmp_path / "home")}) is None
    assert (tmp_path / "home" / ".cache" / "numba").is_dir()


def test_a_set_numba_cache_dir_is_kept(tmp_path):
    blocked = blocked_path(tmp_path)
    assert fallback_cache_dir(blocked, {"HOME": str(blocked), "NUMBA_CACHE_DIR": "/x"}) is None


def test_neither_writable_falls_back_to_the_temp_folder(tmp_path):
    blocked = blocked_path(tmp_path)
    # the fallback folder is made now (private): in this test's folder, not the real temp one
    folder = fallback_cache_dir(blocked, {"HOME": str(blocked), "TMPDIR": str(tmp_path)})
    assert folder is not None and folder.name.startswith("evfocus-live-numba-")
    folder = fallback_cache_dir(blocked, {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(blocked),
                                          "TMPDIR": str(tmp_path)})
    assert folder is not None


def test_sources_load_with_no_cache_locator(tmp_path):
    """numba's own check, end to end: its in-tree locator is refused (as on a read-only
    mount) and the home cache cannot be made; the text source still imports and reads."""
    blocked = blocked_path(tmp_path)
    events = tmp_path / "ev.txt"
    events.write_text("8 6\n0 1 2 1\n10 3 4 0\n")
    code = (
        "import numba.core.caching as c\n"
        "c.InTreeCacheLocator.from_function = classmethod(lambda cls, f, p: None)\n"
        "import evfocus_live.numba_cache as m\n"
        "m._writable = (lambda w: lambda f: False if f.name == '__pycache__' else w(f))(m._writable)\n"
        "m.ensure_cache_dir()\n"
        "from evfocus_live.sources import open_source\n"
        f"print(type(open_source({str(events)!r})).__name__)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(HOME=str(blocked), PYTHONPATH=str(REPO), TMPDIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0 and "TextFileSource" in out.stdout, out.stderr[-2000:]
    assert any(tmp_path.glob("evfocus-live-numba-*/*"))  # the cache went to the temp folder
