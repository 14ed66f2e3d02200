"""Plugin discovery through ``importlib.metadata`` entry points.

Three groups: ``evfocus_live.sources``, ``evfocus_live.models`` and
``evfocus_live.postprocessors``. Built-ins register through the same groups in this
project's ``setup.cfg``, so built-ins and third-party plugins take one path. Entry
points are loaded lazily, on first use; one that fails to import (an exception, or even
``sys.exit()``) is logged, recorded in :attr:`Registry.failures` (the GUI shows them) and
skipped — it never crashes the app. A plugin cannot take a built-in's name (nor an earlier
plugin's): the first keeps it, the other is logged and listed in :attr:`Registry.ignored`.
A checkout run without being installed (``PYTHONPATH=.``, as on a bare GPU machine) has no
entry points of its own: the built-ins are then read from the checkout's ``setup.cfg``.
"""

from __future__ import annotations

import configparser
import logging
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SOURCES = "evfocus_live.sources"
MODELS = "evfocus_live.models"
POSTPROCESSORS = "evfocus_live.postprocessors"


def checkout_entry_points(group: str) -> list[EntryPoint]:
    """The built-ins of ``group`` as this checkout's ``setup.cfg`` declares them ([] if absent)."""
    cfg_path = Path(__file__).resolve().parents[1] / "setup.cfg"
    cfg = configparser.ConfigParser()
    try:
        cfg.read(cfg_path, encoding="utf-8")
        text = cfg.get("options.entry_points", group, fallback="")
    except (OSError, configparser.Error):
        return []
    out = []
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() and value.strip():
            out.append(EntryPoint(name.strip(), value.strip(), group))
    return out


#: (group, name, value) of duplicate entry points already warned about (once per process)
_warned_duplicates: set[tuple[str, str, str]] = set()


def _is_builtin(ep: EntryPoint) -> bool:
    return ep.value.startswith(__package__ + ".")


def _unique(group: str, eps: list[EntryPoint]) -> tuple[dict[str, EntryPoint], dict[str, str]]:
    """(name -> entry point, ignored ``name (value)`` -> why): a built-in keeps its name, else
    the first one found wins (sys.path order, as for imports). A plain dict let whichever came
    last win, so a plugin could silently replace ``auto_hdr`` or a file reader, or not,
    depending on where it was installed."""
    out: dict[str, EntryPoint] = {}
    ignored: dict[str, str] = {}
    for ep in sorted(eps, key=lambda e: not _is_builtin(e)):  # stable: built-ins first
        kept = out.setdefault(ep.name, ep)
        if kept is ep or kept.value == ep.value:  # the same package seen twice: nothing to say
            continue
        ignored[f"{ep.name} ({ep.value})"] = f"name already taken by {kept.value}"
        if (group, ep.name, ep.value) not in _warned_duplicates:
            _warned_duplicates.add((group, ep.name, ep.value))
            log.warning("plugin %r (%s) ignored: %s %r is already %s", ep.name, ep.value, group, ep.name,
                        kept.value)
    return out, ignored


class Registry:
    """Name -> lazily loaded object for one entry-point group.

    A name registered twice keeps the built-in, else the first found; the others are
    logged and listed in :attr:`ignored`.

    Example::

        reg = Registry(SOURCES)
        reg.names()            # ['aedat4', 'davis346', ...]
        cls = reg.load("sim")  # imports the module only now
    """

    def __init__(self, group: str, eps: list[EntryPoint] | None = None):
        self.group = group
        if eps is None:
            eps = list(entry_points(group=group))
            if not any(ep.value.startswith(__package__ + ".") for ep in eps):
                eps = checkout_entry_points(group) + eps  # not installed: the built-ins from setup.cfg
        self._eps, self.ignored = _unique(group, eps)
        self._loaded: dict[str, Any] = {}
        self.failures: dict[str, str] = {}

    def names(self) -> list[str]:
        """All registered names, loaded or not, broken ones excluded once they failed."""
        return sorted(n for n in self._eps if n not in self.failures)

    def entry_point(self, name: str) -> EntryPoint | None:
        return self._eps.get(name)

    def load(self, name: str) -> Any:
        """The object behind ``name``; raises ``KeyError`` if unknown or broken."""
        if name in self._loaded:
            return self._loaded[name]
        ep = self._eps.get(name)
        if ep is None or name in self.failures:
            raise KeyError(name)
        try:
            obj = ep.load()
        except (Exception, SystemExit) as exc:  # a broken plugin must never take the app down
            # SystemExit too: a plugin calling sys.exit() at import would otherwise end the
            # listing, the viewer or any command that scans the group; Ctrl-C still goes through
            if isinstance(exc, SystemExit):
                msg = f"SystemExit: called sys.exit({exc.code!r}) at import"
            else:
                msg = f"{type(exc).__name__}: {exc}"
            msg = (msg.splitlines() or [type(exc).__name__])[0]
            self.failures[name] = msg
            log.warning("plugin %r (%s) failed to load: %s", name, ep.value, msg)
            raise KeyError(name) from exc
        self._loaded[name] = obj
        return obj

    def load_all(self) -> dict[str, Any]:
        """Load every entry point, skipping (and recording) the broken ones."""
        out = {}
        for name in list(self._eps):
            try:
                out[name] = self.load(name)
            except KeyError:
                pass
        return out
