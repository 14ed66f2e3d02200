"""A place for numba's compiled cache when the install is read-only.

Every ``@numba.njit(cache=True)`` looks for a writable ``__pycache__`` beside its module, then
for its user-wide folder (``~/.cache/numba``; ``~/Library/Caches/numba`` on macOS); with
neither (a read-only install used by an account whose home cannot be written: a service, a
batch job, a container) numba raised "cannot cache function ...: no locator available" on
import, so every event source failed to load and ``evfocus info`` said "unknown event file
format (supported: )". Then ``$NUMBA_CACHE_DIR`` is pointed at a private folder
(``$XDG_RUNTIME_DIR``, else the temp directory) before numba reads it. These folders last from
run to run: only one taken by another account gives a folder for one run, which compiles the
kernels again (seconds at start). numba keys each cached kernel by its source file's folder (a
hash of the path), the source's own hash, numba's and Python's versions, so two installs of
evfocus-live, or an upgrade in place, never load each other's code.

Runs at every ``import evfocus_live`` (each spawned DataLoader worker, each DDP rank): it leaves
no file (its write probe has no name where the system allows), and imports nothing heavy
(``tempfile`` costs ~5 ms) unless the fallback is needed. numba loads its cache with pickle,
so the fallback folder must be ours alone: one another account made first (a shared ``/tmp``,
the uid in its name is guessable) could hand us code to run.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

#: the probe's name where it needs one (see :func:`_writable`)
PROBE_NAME = ".evfocus-probe"
#: where the fallback goes when the temp folder is not safe (see :func:`_safe_parent`)
SYSTEM_TEMPS = ("/tmp", "/var/tmp")


def _writable(folder: Path) -> bool:
    """Whether files can be made in ``folder`` (made if missing), as numba tries it: mode bits
    alone do not say it on a read-only mount or for root. The probe has no name where the
    system allows (``O_TMPFILE``), so a process killed mid-probe leaves nothing behind; else it
    is one fixed name that the next probe takes over (a name with the pid in it was left by
    each killed run, and one left by an earlier process of the same pid, as a container's pid 1
    always is, made ``O_EXCL`` fail: the folder was taken as read-only)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    tmpfile = getattr(os, "O_TMPFILE", 0)
    if tmpfile:
        try:
            os.close(os.open(folder, tmpfile | os.O_WRONLY, 0o600))
            return True
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                return False  # (EROFS, EACCES...: a file system without it says one of those three)
    probe = folder / PROBE_NAME
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600))
    except OSError:
        return False
    try:
        os.unlink(probe)
    except FileNotFoundError:  # another process's probe of the same folder removed it first
        pass
    except OSError:
        return False
    return True


def _private(folder: Path) -> bool:
    """``folder`` made (mode 0700) or found as a real folder of ours that no one else can write
    into; a symlink, another account's folder or a group/world-writable one is refused. One of
    ours that others may only read (0755: what numba itself made there, when evfocus-live
    pointed it at that name before it made the folder private) is made 0700 and used: refused,
    each run compiled every kernel again into a fresh folder (seconds at each start), unless
    something in it was open to others (see :func:`_nothing_of_others_in`)."""
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return False
    if not hasattr(os, "getuid"):  # (no accounts' mode bits to check: Windows)
        return folder.is_dir() and not folder.is_symlink() and _writable(folder)
    try:  # the folder itself, not what a symlink swapped in after a check would name
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_NOFOLLOW)
    except OSError:  # a symlink, a plain file
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
            return False
        if st.st_mode & 0o077:
            if not _nothing_of_others_in(fd):
                return False
            os.fchmod(fd, 0o700)
    except OSError:
        return False
    finally:
        os.close(fd)
    return _writable(folder)


def _nothing_of_others_in(fd: int) -> bool:
    """Everything in the folder open as ``fd`` is a plain file or folder of ours that no one else
    can write: checked before a folder others could read is made 0700 and loaded from (numba
    unpickles its files), since its subfolders and files have the mode of the umask they were
    made under (0777 under umask 0, as services and containers often run), and one that was open
    to others may hold their files, or be written into later through a folder they hold open."""
    return _first_of_others_in(fd) is None


def _first_of_others_in(fd: int) -> str | None:
    """The first thing in the folder open as ``fd`` (its path there) that is not a plain file or
    folder of ours alone (see :func:`_nothing_of_others_in`), "" where the folder cannot be
    read through; None where there is none."""
    uid = os.getuid()

    def _raise(exc: OSError):
        raise exc

    try:
        for top, dirs, files, dir_fd in os.fwalk(dir_fd=fd, onerror=_raise):
            for name in dirs + files:
                st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
                plain = stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)  # (no symlink)
                if not plain or st.st_uid != uid or st.st_mode & 0o022:
                    return os.path.normpath(os.path.join(top, name))
    except OSError:
        return ""
    return None


def _why_refused(folder: Path) -> tuple[str, bool]:
    """Why :func:`_private` refused ``folder``, in words that name what is wrong; and whether
    this account can remove it (else its owner must)."""
    try:
        st = os.lstat(folder)
    except OSError as exc:
        return f"it could not be made ({exc.strerror or exc})", False
    if stat.S_ISLNK(st.st_mode):
        return "it is a symlink", st.st_uid == os.getuid()
    if not stat.S_ISDIR(st.st_mode):
        return "it is not a folder", st.st_uid == os.getuid()
    if st.st_uid != os.getuid():
        return f"it is another account's (uid {st.st_uid})", False
    if st.st_mode & 0o022:
        return f"others can write in it (mode {st.st_mode & 0o777:o})", True
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_NOFOLLOW)
    except OSError as exc:
        return f"it cannot be opened ({exc.strerror or exc})", True
    try:
        bad = _first_of_others_in(fd)
    finally:
        os.close(fd)
    if bad:
        return f"{folder / bad} in it is not this account's alone", True
    return ("it cannot be read through" if bad == "" else "files cannot be made in it"), True


#: a note, beside the refused folder, of the refusal already warned about (see :func:`_say_refused`)
REFUSED_NOTE = ".{name}.refused"


def _say_refused(shared: Path, fresh: str) -> None:
    """Warn that ``shared`` was refused and what to do about it, once per folder and reason:
    every run after the first falls back again (seconds of compiling each start) and says
    so at INFO only, until the folder is removed or changes. The note of what was said is a
    file of ours beside it (one of another account's, or one with other names, is not trusted or
    written: the warning stays)."""
    import logging

    log = logging.getLogger(__name__)
    why, ours = _why_refused(shared)
    try:
        st = os.lstat(shared)
        key = f"{st.st_dev}:{st.st_ino}:{why}"
    except OSError:
        key = f"-:{why}"
    note = shared.with_name(REFUSED_NOTE.format(name=shared.name))
    said = False
    try:
        fd = os.open(note, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:
        fd = None
    if fd is not None:
        try:
            st = os.fstat(fd)
            # a plain file of ours with no other name: a hard link someone made here to a file
            # of ours (where the system allows it) would have had its content replaced
            mine = (stat.S_ISREG(st.st_mode) and st.st_nlink == 1
                    and (not hasattr(os, "getuid") or st.st_uid == os.getuid()))
            said = mine and os.read(fd, 4096).decode("utf-8", "replace") == key
            if mine and not said:
                os.ftruncate(fd, 0)
                os.pwrite(fd, key.encode(), 0)
        except OSError:
            pass
        finally:
            os.close(fd)
    quoted = "'" + str(shared).replace("'", "'\\''") + "'"  # (a TMPDIR with a ' in it: still one word)
    action = (f"remove it (rm -r {quoted})" if ours else
              "ask its owner to remove it") + ", or set NUMBA_CACHE_DIR to a folder of yours"
    log.log(logging.INFO if said else logging.WARNING,
            "%s is not used for numba's cache: %s. Each run compiles the kernels again (seconds at "
            "start) into %s; %s, to keep them from run to run%s", shared, why, fresh, action,
            "" if said else " (said once for this folder)")


def _safe_parent(parent: Path) -> Path | None:
    """``parent`` with no symlink left in it, when no other account can rename what is in it or
    above it (and so swap our folder for theirs after the check): each folder up to ``/`` is
    root's or ours, and one others can write has the sticky bit (``/tmp``); else None."""
    if not hasattr(os, "getuid"):  # (Windows: the temp folder is the account's own)
        return parent
    real = Path(os.path.realpath(parent))
    for folder in (real, *real.parents):
        try:
            st = os.lstat(folder)
        except OSError:
            return None
        if not stat.S_ISDIR(st.st_mode) or st.st_uid not in (0, os.getuid()):
            return None
        if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
            return None
    return real


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


def numba_user_cache_dir(environ: dict[str, str]) -> Path:
    """The user-wide folder numba caches in itself (its ``appdirs``), per platform: the one to
    probe (``~/.cache/numba`` was probed everywhere; macOS's is ``~/Library/Caches/numba``)."""
    home = Path(environ.get("HOME") or "~").expanduser()
    if sys.platform == "win32":
        return Path(environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "numba" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "numba"
    if "XDG_CACHE_HOME" in environ:  # numba's rule (os.getenv's default): set, even to "", it is
        # taken as it is ("" gives a folder "numba" in the current one)
        return Path(environ["XDG_CACHE_HOME"]) / "numba"
    if "HOME" in environ:  # (as os.path.expanduser: an empty $HOME is "/")
        return Path(environ["HOME"].rstrip("/") + "/.cache") / "numba"
    return home / ".cache" / "numba"


#: numba's own configuration file, read from the current folder (with pyyaml) as numba starts
NUMBA_CONFIG_FILE = ".numba_config.yaml"
#: the encoding numba reads it in (``open(name, 'rt')``: the locale's; UTF-8 was not numba's
#: view where they differ: ASCII in a C locale, cp1252 on Windows)
NUMBA_CONFIG_ENCODING = "locale"


def numba_configured_cache_dir(environ: dict[str, str]) -> str | None:
    """The cache folder the user gave numba: ``$NUMBA_CACHE_DIR``, numba's config when it is
    imported, else a ``cache_dir`` in ``.numba_config.yaml`` read as numba reads it (the
    current folder, pyyaml, keys as ``NUMBA_`` + upper case; the environment wins). A folder
    given in the file was overridden by the fallback's ``$NUMBA_CACHE_DIR``."""
    if environ.get("NUMBA_CACHE_DIR"):
        return environ["NUMBA_CACHE_DIR"]
    config = sys.modules.get("numba.core.config") if environ is os.environ else None
    if config is not None and getattr(config, "CACHE_DIR", ""):  # (numba read the file where it started)
        return str(config.CACHE_DIR)
    if not os.path.isfile(NUMBA_CONFIG_FILE):
        return None
    try:
        import yaml

        with open(NUMBA_CONFIG_FILE, encoding=NUMBA_CONFIG_ENCODING) as fh:
            conf = yaml.safe_load(fh)
    except Exception:  # no pyyaml (numba ignores the file then), unreadable, not YAML: numba's to say
        return None
    if not isinstance(conf, dict):
        return None
    given = next((v for k, v in conf.items() if str(k).upper() == "CACHE_DIR"), None)
    return str(given) if given else None


def numba_config_problem() -> str | None:
    """What keeps numba from starting in :data:`NUMBA_CONFIG_FILE` of the current folder, in
    words that name the file; None where there is none (no file, or no pyyaml: numba then
    skips it). numba parses it at its import (``yaml.safe_load``, each key upper-cased): a file
    it cannot read made ``import numba`` raise, every event reader failed to load, and a
    recording was "unknown event file format (supported: )"."""
    if not os.path.isfile(NUMBA_CONFIG_FILE):
        return None
    try:
        import yaml
    except ImportError:
        return None
    try:
        with open(NUMBA_CONFIG_FILE, encoding=NUMBA_CONFIG_ENCODING) as fh:
            conf = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        why = f"not valid YAML ({getattr(exc, 'problem', None) or type(exc).__name__}{where})"
    except (OSError, ValueError) as exc:  # (unreadable; not UTF-8)
        why = f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    else:
        if conf is None or (isinstance(conf, dict) and all(isinstance(k, str) for k in conf)):
            return None
        why = "not a mapping of settings (as cache_dir: /some/folder)"
    return (f"{os.path.abspath(NUMBA_CONFIG_FILE)} (numba's settings, read from the current folder): "
            f"{why}, so numba does not start; fix or remove it")


def config_problem_behind(exc: BaseException) -> str | None:
    """:func:`numba_config_problem` when ``exc`` was raised by numba reading that file (its
    ``numba/core/config.py`` in the traceback), else None: each plugin that imports numba fails
    on it, and their load warnings (7 "ParserError: while parsing a flow sequence") came before
    the one line that names the file."""
    import traceback

    if not any(Path(frame.f_code.co_filename).as_posix().endswith("/numba/core/config.py")
               for frame, _ in traceback.walk_tb(exc.__traceback__)):
        return None
    return numba_config_problem()


def fallback_cache_dir(package_dir: Path, environ: dict[str, str] | None = None) -> Path | None:
    """The folder ``$NUMBA_CACHE_DIR`` should name, or None when numba finds one itself
    (a folder given to numba: :func:`numba_configured_cache_dir`; the JIT off; the package's
    ``__pycache__`` or the user's cache writable)."""
    env = os.environ if environ is None else environ
    if numba_configured_cache_dir(env) or _jit_disabled(env) or _writable(package_dir / "__pycache__"):
        return None
    if _writable(numba_user_cache_dir(env)):
        return None
    import tempfile  # only here: ~5 ms at every import otherwise

    # per user, mode 0700 by the spec; one inherited from another account (su, sudo -E) is not
    # ours: its owner could swap the folder made in it
    runtime = env.get("XDG_RUNTIME_DIR") and _safe_parent(Path(env["XDG_RUNTIME_DIR"]))
    if runtime and _owned(runtime) and _private(runtime / "evfocus-live-numba"):
        return runtime / "evfocus-live-numba"
    uid = os.getuid() if hasattr(os, "getuid") else 0
    # the temp folder, else a system one where it is not safe ($TMPDIR in a folder others can write)
    temps = [env.get("TMPDIR"), tempfile.gettempdir()] + (list(SYSTEM_TEMPS) if hasattr(os, "getuid") else [])
    temp = next(filter(None, (_safe_parent(Path(t)) for t in temps if t)), None)
    import logging

    log = logging.getLogger(__name__)
    if temp is None:
        log.warning("no temp folder that only this account can change (%s): numba's cache has nowhere "
                    "to go; set NUMBA_CACHE_DIR to a folder of yours", ", ".join(t for t in temps if t))
        return None
    shared = temp / f"evfocus-live-numba-{uid}"
    if _private(shared):
        return shared
    # the shared name is taken by someone else: a fresh folder of this process (and its workers,
    # which inherit $NUMBA_CACHE_DIR), removed as it exits
    import atexit
    import shutil

    try:
        fresh = tempfile.mkdtemp(prefix=f"evfocus-live-numba-{uid}-", dir=temp)
    except OSError as exc:  # (a full disk: import evfocus_live went down with a traceback)
        log.warning("numba's cache has nowhere to go (%s: %s): set NUMBA_CACHE_DIR to a folder of yours",
                    shared, exc.strerror or exc)
        return None
    atexit.register(shutil.rmtree, fresh, ignore_errors=True)
    _say_refused(shared, fresh)
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
