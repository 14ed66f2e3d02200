"""A place for numba's compiled cache when the install is read-only.

Every ``@numba.njit(cache=True)`` looks for a writable ``__pycache__`` beside its module, then
for ``~/.cache/numba``; with neither (a read-only install used by an account whose home cannot
be written: a service, a batch job, a container) numba raised "cannot cache function ...: no
locator available" on import, so every event source failed to load and ``evfocus info`` said
"unknown event file format (supported: )". Then ``$NUMBA_CACHE_DIR`` is pointed at a private
folder (``$XDG_RUNTIME_DIR``, else the temp directory) before numba reads it.

Runs at every ``import evfocus_live`` (each spawned DataLoader worker, each DDP rank): it makes
no file beyond a probe it removes, and imports nothing heavy (``tempfile`` costs ~5 ms) unless
the fallback is needed. numba loads its cache with pickle, so the fallback folder must be ours
alone: one another account made first (a shared ``/tmp``, the uid in its name is guessable)
could hand us code to run.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path


def _writable(folder: Path) -> bool:
    """Whether files can be made in ``folder`` (made if missing), as numba tries it: mode bits
    alone do not say it on a read-only mount or for root."""
    probe = folder / f".evfocus-probe-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        os.unlink(probe)
        return True
    except OSError:
        return False


def _private(folder: Path) -> bool:
    """``folder`` made (mode 0700) or found as a real folder of ours that no one else can write
    into or read; a symlink, another account's folder or a group/world-writable one is refused."""
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return False
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode):
        return False
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o077):
        return False
    return _writable(folder)


def _owned(folder: Path) -> bool:
    """``folder`` is this account's (where there are accounts)."""
    try:
        return not hasattr(os, "getuid") or os.stat(folder).st_uid == os.getuid()
    except OSError:
        return False


def _jit_disabled(env) -> bool:
    """``NUMBA_DISABLE_JIT=1``: no function is compiled, so none is cached."""
    try:
        return int(env.get("NUMBA_DISABLE_JIT") or 0) != 0
    except ValueError:
        return False


def fallback_cache_dir(package_dir: Path, environ: dict[str, str] | None = None) -> Path | None:
    """The folder ``$NUMBA_CACHE_DIR`` should name, or None when numba finds one itself
    (the variable set, the JIT off, the package's ``__pycache__`` or the user's cache writable)."""
    env = os.environ if environ is None else environ
    if env.get("NUMBA_CACHE_DIR") or _jit_disabled(env) or _writable(package_dir / "__pycache__"):
        return None
    user_cache = Path(env.get("XDG_CACHE_HOME") or Path(env.get("HOME") or "~").expanduser() / ".cache")
    if _writable(user_cache / "numba"):
        return None
    import tempfile  # only here: ~5 ms at every import otherwise

    # per user, mode 0700 by the spec; one inherited from another account (su, sudo -E) is not
    # ours: its owner could swap the folder made in it
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime and _owned(Path(runtime)) and _private(Path(runtime) / "evfocus-live-numba"):
        return Path(runtime) / "evfocus-live-numba"
    uid = os.getuid() if hasattr(os, "getuid") else 0
    shared = Path(env.get("TMPDIR") or tempfile.gettempdir()) / f"evfocus-live-numba-{uid}"
    if _private(shared):
        return shared
    # the shared name is taken by someone else: a fresh folder of this process (and its workers,
    # which inherit $NUMBA_CACHE_DIR), removed as it exits
    import atexit
    import logging
    import shutil

    fresh = tempfile.mkdtemp(prefix=f"evfocus-live-numba-{uid}-")
    atexit.register(shutil.rmtree, fresh, ignore_errors=True)
    logging.getLogger(__name__).warning("%s could not be made, or is not this account's alone (another "
                                        "one made it first?): numba's cache goes to %s for this run", shared, fresh)
    return Path(fresh)


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
