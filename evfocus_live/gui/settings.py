"""What the viewer remembers between runs: recent files, the open dialog's folder, the
window's geometry, and the inference precision and the compare model ("vs" box) picked in the
Model group. Never the model, device, window or ROI choices: those are the command line's and
the defaults README gives, so a run starts as its command line says (the window keeps each
sensor size's ROI in memory for its session only). The precision is kept because it is a choice
about this machine (speed against outputs that match fp32 exactly) that holds for any model and
source; the compare model because a user comparing two models compares them run after run (it
was the one Model-group choice forgotten). ``evfocus-live --precision`` and ``--compare`` (or a
``--config`` file's key) still win over them.

One INI file, ``evfocus-live.ini``: in ``$EVFOCUS_SETTINGS_DIR`` when set (tests point it at a
temporary folder, so no test reads or writes the user's own), else in Qt's per-user
configuration folder (``~/.config/evfocus-live/`` on Linux and macOS, ``%APPDATA%\\evfocus-live\\``
on Windows; with ``$HOME`` unset, the account's home from the password database, where Qt
took ``/``). Every viewer of that user shares it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6 import QtCore

log = logging.getLogger(__name__)

#: the folder that holds ``evfocus-live.ini`` (else Qt's per-user configuration folder)
SETTINGS_DIR_ENV = "EVFOCUS_SETTINGS_DIR"
#: how many event files File > Open Recent lists
MAX_RECENT = 8

_RECENT_KEY = "recent/files"
_LAST_DIR_KEY = "recent/last_dir"
_GEOMETRY_KEY = "window/geometry"
_PRECISION_KEY = "model/precision"
_COMPARE_KEY = "model/compare"
_said: set[str] = set()  # settings files that could not be written: said once a run


def open_settings() -> QtCore.QSettings:
    """The viewer's settings: a new handle each time, so what another viewer wrote since is read."""
    folder = os.environ.get(SETTINGS_DIR_ENV, "").strip()
    if not folder and os.name == "posix" and not os.environ.get("HOME") and not os.environ.get("XDG_CONFIG_HOME"):
        # Qt takes no $HOME for "/" (a cron job, `env -i`, a service): the file went to
        # /.config/evfocus-live/; the account's home, as Python's expanduser finds it, instead
        home = os.path.expanduser("~")
        if home not in ("~", "/", ""):
            folder = str(Path(home) / ".config" / "evfocus-live")
    if folder:
        return QtCore.QSettings(str(Path(folder) / "evfocus-live.ini"), QtCore.QSettings.Format.IniFormat)
    return QtCore.QSettings(QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope,
                            "evfocus-live", "evfocus-live")


def settings_file() -> str:
    """Where the settings live (Help > About: which file to delete or hand over)."""
    return open_settings().fileName()


def _save(s: QtCore.QSettings) -> bool:
    """Write ``s`` out; a file that cannot be written (read-only home, full disk) is one warning
    a run: the viewer works on, it only forgets."""
    s.sync()
    if s.status() == QtCore.QSettings.Status.NoError:
        return True
    if s.fileName() not in _said:
        _said.add(s.fileName())
        log.warning("cannot save the viewer's settings to %s: recent files, the window size and the "
                    "model choices are not remembered", s.fileName())
    return False


def _str_list(value) -> list[str]:
    """A stored list as strings: QSettings gives one string for a one-item list in INI files,
    None for none, and anything at all for a hand-edited file."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v]
    return []


def recent_files() -> list[str]:
    """The last event files opened, most recent first (at most MAX_RECENT; some may be gone)."""
    return _str_list(open_settings().value(_RECENT_KEY))[:MAX_RECENT]


def add_recent_file(path: str | Path) -> list[str]:
    """Put ``path`` (absolute) first in the recent list, once; its folder becomes the open
    dialog's start. Returns the new list."""
    p = str(Path(path).absolute())
    files = [p, *(f for f in recent_files() if f != p)][:MAX_RECENT]
    s = open_settings()
    s.setValue(_RECENT_KEY, files)
    s.setValue(_LAST_DIR_KEY, str(Path(p).parent))
    _save(s)
    return files


def clear_recent_files() -> None:
    s = open_settings()
    s.remove(_RECENT_KEY)
    _save(s)


def last_folder() -> str:
    """Where the open dialog starts: the folder of the last file opened, while it exists
    ('' = the current folder)."""
    d = open_settings().value(_LAST_DIR_KEY)
    return d if isinstance(d, str) and d and Path(d).is_dir() else ""


def set_last_folder(folder: str | Path) -> None:
    s = open_settings()
    s.setValue(_LAST_DIR_KEY, str(Path(folder).absolute()))
    _save(s)


def window_geometry() -> QtCore.QByteArray | None:
    g = open_settings().value(_GEOMETRY_KEY)
    return g if isinstance(g, QtCore.QByteArray) and not g.isEmpty() else None


def save_window_geometry(geometry: QtCore.QByteArray) -> None:
    s = open_settings()
    s.setValue(_GEOMETRY_KEY, geometry)
    _save(s)


def precision(choices: tuple[str, ...]) -> str | None:
    """The inference precision last picked in the viewer (one of ``choices``); None when none
    was, or the file holds something else (a hand edit, a newer viewer's choice)."""
    p = open_settings().value(_PRECISION_KEY)
    return p if isinstance(p, str) and p in choices else None


def save_precision(choice: str) -> None:
    s = open_settings()
    s.setValue(_PRECISION_KEY, str(choice))
    _save(s)


def compare() -> str | None:
    """The compare model last picked in the viewer's "vs" box: a model name or checkpoint,
    ``"none"`` for none picked, None when nothing was saved (or the file holds no text). Not
    checked here: a checkpoint since deleted is the window's status line, not a failure."""
    c = open_settings().value(_COMPARE_KEY)
    return c.strip() if isinstance(c, str) and c.strip() else None


def save_compare(name: str | None) -> None:
    """Remember the "vs" box's model (None: none); a checkpoint by its absolute path (picked as
    ``mine.pt`` in the folder the viewer ran in, the next launch from another was "not found")."""
    from ..config_file import absolute_model_file

    s = open_settings()
    s.setValue(_COMPARE_KEY, absolute_model_file(str(name)) if name else "none")
    _save(s)
