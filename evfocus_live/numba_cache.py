"""A place for numba's compiled cache when the install is read-only.

Every ``@numba.njit(cache=True)`` looks for a writable ``__pycache__`` beside its module, then
for ``~/.cache/numba``; with neither (a read-only install used by an account whose home cannot
be written: a service, a batch job, a container) numba raised "cannot cache function ...: no
locator available" on import, so every event source failed to load and ``evfocus info`` said
"unknown event file format (supported: )". Then ``$NUMBA_CACHE_DIR`` is pointed at a folder
under the temp directory before numba reads it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def _writable(folder: Path) -> bool:
    """Whether files can be made in ``folder`` (made if missing), as numba tries it: mode bits
    alone do not say it on a read-only mount or for root."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def fallback_cache_dir(package_dir: Path, environ: dict[str, str] | None = None) -> Path | None:
    """The folder ``$NUMBA_CACHE_DIR`` should name, or None when numba finds one itself
    (the variable set, the package's ``__pycache__`` or the user's cache writable)."""
    env = os.environ if environ is None else environ
    if env.get("NUMBA_CACHE_DIR") or _writable(package_dir / "__pycache__"):
        return None
    user_cache = Path(env.get("XDG_CACHE_HOME") or Path(env.get("HOME") or "~").expanduser() / ".cache")
    if _writable(user_cache / "numba"):
        return None
    return Path(tempfile.gettempdir()) / f"evfocus-live-numba-{os.getuid() if hasattr(os, 'getuid') else 0}"


def ensure_cache_dir() -> None:
    """Sets ``$NUMBA_CACHE_DIR`` (and numba's config, when numba is already imported) to
    :func:`fallback_cache_dir` when it gives one."""
    folder = fallback_cache_dir(Path(__file__).resolve().parent)
    if folder is None:
        return
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    config = sys.modules.get("numba.core.config")
    if config is not None:
        config.CACHE_DIR = str(folder)
