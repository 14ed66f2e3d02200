"""Plugin discovery through ``importlib.metadata`` entry points.

Three groups: ``evfocus_live.sources``, ``evfocus_live.models`` and
``evfocus_live.postprocessors``. Built-ins register through the same groups in this
project's ``setup.cfg``, so built-ins and third-party plugins take one path. Entry
points are loaded lazily, on first use; one that fails to import (an exception, or even
``sys.exit()``) is logged, recorded in :attr:`Registry.failures` (the GUI shows them) and
skipped — it never crashes the app. A plugin cannot take a built-in's name (nor an earlier
plugin's): the first keeps it, the other is logged and listed in :attr:`Registry.ignored`,
as is a name the commands could never select (:data:`RESERVED`) and a second installed copy
of a plugin package (two versions on ``sys.path``: Python uses the first one's entry points).
A checkout run without being installed (``PYTHONPATH=.``, as on a bare GPU machine) has no
entry points of its own: the built-ins are then read from the checkout's ``setup.cfg``, as
they are beside an editable install's (which lacks a built-in added after it was made).

:func:`check_events` and :func:`check_model_output` say in one line what a source's
``read()`` or a model's ``forward()`` returned instead of what the contract asks for
(README "Plugins"), so that a plugin's mistake is named rather than a traceback deep
inside the pipeline or garbage frames.
"""

from __future__ import annotations

import configparser
import logging
import os
import sys
from importlib.metadata import EntryPoint, distributions, entry_points
from pathlib import Path
from typing import Any

import numpy as np

from .errors import CheckpointError, InputError
from .events import EVENTS_TEXT, as_events, describe

log = logging.getLogger(__name__)

SOURCES = "evfocus_live.sources"
MODELS = "evfocus_live.models"
POSTPROCESSORS = "evfocus_live.postprocessors"
GROUPS = (SOURCES, MODELS, POSTPROCESSORS)

#: names a plugin cannot have, per group, and why: the commands read them as something else,
#: so such a plugin could never be selected (it was listed, and silently never ran)
RESERVED: dict[str, dict[str, str]] = {
    SOURCES: {"auto": "'auto' means 'the first camera attached'"},
    POSTPROCESSORS: {"none": "'--post none' means 'no post-processing'"},
    MODELS: {},
}


def _reserved_why(group: str, name: str) -> str | None:
    """Why ``name`` cannot be a plugin of ``group`` (None: it can)."""
    why = RESERVED.get(group, {}).get(name.lower())
    if why:
        return f"reserved name: {why}"
    if group == POSTPROCESSORS and ("," in name or ":" in name or name != name.strip()):
        return ("a name with a comma, a colon or spaces cannot be given to --post (a comma-separated list, "
                "options after a colon)")
    if group == MODELS and (name.endswith((".pt", ".pth")) or "/" in name or os.sep in name):
        return "a name like a path is read as a checkpoint file by --model"
    return None


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
        why = None if _is_builtin(ep) else _reserved_why(group, ep.name)
        if why is not None:
            ignored[f"{ep.name} ({ep.value})"] = why
            if (group, ep.name, ep.value) not in _warned_duplicates:
                _warned_duplicates.add((group, ep.name, ep.value))
                log.warning("plugin %r (%s) ignored: %s", ep.name, ep.value, why)
            continue
        kept = out.setdefault(ep.name, ep)
        if kept is ep or kept.value == ep.value:  # the same package seen twice: nothing to say
            continue
        ignored[f"{ep.name} ({ep.value})"] = f"name already taken by {kept.value}"
        if (group, ep.name, ep.value) not in _warned_duplicates:
            _warned_duplicates.add((group, ep.name, ep.value))
            log.warning("plugin %r (%s) ignored: %s %r is already %s", ep.name, ep.value, group, ep.name,
                        kept.value)
    return out, ignored


#: sys.path -> the shadowed copies found on it (one scan per path, not per Registry)
_shadow_cache: dict[tuple[str, ...], list[tuple[str, str, str, str, str, list[EntryPoint]]]] = {}


def _location(dist) -> str:
    path = getattr(dist, "_path", None)  # the .dist-info / .egg-info folder (PathDistribution)
    return str(Path(path).parent) if path is not None else "?"


def shadowed_copies() -> list[tuple[str, str, str, str, str, list[EntryPoint]]]:
    """Plugin packages installed twice (two versions on ``sys.path``, e.g. one in the venv and
    one in a ``--target`` folder on ``PYTHONPATH``): ``(package, version, location,
    used_version, used_location, entry points)`` of each copy Python ignores. Python's
    ``entry_points()`` keeps the first copy of a package and drops the other without a word,
    so a user who upgraded into another folder saw the old version run. A copy with the same
    version and the same entry points (a checkout's stale ``.egg-info``) is not reported."""
    key = tuple(sys.path)
    if key in _shadow_cache:
        return _shadow_cache[key]
    first: dict[str, tuple[Any, set]] = {}  # every package's first copy, as entry_points() keeps it
    out = []
    try:
        for dist in distributions():
            pkg = getattr(dist, "_normalized_name", None) or (dist.metadata["Name"] or "?")
            pkg = pkg.lower().replace("-", "_").replace(".", "_")
            mine = {(ep.group, ep.name, ep.value) for ep in dist.entry_points if ep.group in GROUPS}
            if pkg not in first:
                first[pkg] = (dist, mine)
                continue
            used, used_eps = first[pkg]
            # ourselves (a checkout's egg-info beside the install) are not a plugin; a copy
            # with no plugin in it loses nothing
            if pkg == "evfocus_live" or not mine or (used.version == dist.version and used_eps == mine):
                continue
            eps = [ep for ep in dist.entry_points if ep.group in GROUPS]
            out.append((dist.metadata["Name"] or pkg, dist.version, _location(dist), used.version,
                        _location(used), eps))
    except Exception as exc:  # a corrupt METADATA must not take discovery down
        log.debug("scan for duplicate plugin packages failed: %s", exc)
    _shadow_cache[key] = out
    return out


#: what a plugin of each group is, in messages, and the option that takes it
KINDS = {SOURCES: "source", MODELS: "model", POSTPROCESSORS: "post-processor"}
OPTIONS = {SOURCES: "--camera", MODELS: "--model", POSTPROCESSORS: "--post"}


def did_you_mean(name: str, names) -> str:
    """`` (did you mean evfocus-full?)`` for a mistyped name (``evfocus_full``, ``medain``) that
    is close to one of ``names``, else "": the list of every name came after it, unsorted by
    likeness, and a newcomer searched it for the one they meant."""
    import difflib

    near = difflib.get_close_matches(str(name), list(names), n=1, cutoff=0.75)
    return f" (did you mean {near[0]}?)" if near and near[0] != name else ""


def elsewhere(group: str, name: str) -> str:
    """For a name ``group`` does not know: where it is registered instead (nothing loaded), as
    a clause to add to the message, else "". A plugin whose ``setup.cfg`` put its entry point
    under another group (a post-processor under ``evfocus_live.sources``), or given to the
    wrong option (``--model median``), was only "unknown"."""
    for other in GROUPS:
        if other == group:
            continue
        ep = Registry(other).entry_point(name)
        if ep is not None:
            return (f"; {name!r} is a {KINDS[other]} plugin ({other} = {ep.value}): give it to {OPTIONS[other]}, "
                    f"or register it under {group} to use it as a {KINDS[group]}")
    return ""


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
        shadowed = []
        if eps is None:
            # the checkout's setup.cfg names its built-ins: not installed (PYTHONPATH=.), or an
            # editable install made before a built-in was added (its entry points were written
            # at install time) lacked the new one until reinstalled
            ours = checkout_entry_points(group)
            names = {ep.name for ep in ours}
            eps = ours + [ep for ep in entry_points(group=group) if not (_is_builtin(ep) and ep.name in names)]
            shadowed = shadowed_copies()
        self._eps, self.ignored = _unique(group, eps)
        for pkg, version, loc, used_version, used_loc, dist_eps in shadowed:
            for ep in dist_eps:
                if ep.group != group:
                    continue
                why = (f"{pkg} is installed twice: {version} in {loc} is ignored, {used_version} in "
                       f"{used_loc} is used (first on sys.path); uninstall one")
                self.ignored[f"{ep.name} ({pkg} {version})"] = why
                if (group, ep.name, loc) not in _warned_duplicates:
                    _warned_duplicates.add((group, ep.name, loc))
                    log.warning("plugin %r: %s", ep.name, why)
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
        if EntryPoint.pattern.match(ep.value) is None:  # (load() said "'NoneType' object has no attribute 'group'")
            msg = f"malformed entry point {ep.value!r}: expected module.path:Object, as median = evfocus_plugin_median:MedianFilter"
            mod = ep.value.partition(":")[0].strip()
            if "-" in mod:  # (the package's name, not its import name)
                msg += f" (a module's import name has no '-': {mod.replace('-', '_')}, not {mod})"
            self.failures[name] = msg
            log.warning("plugin %r failed to load: %s", name, msg)
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
            from .numba_cache import config_problem_behind

            problem = None if isinstance(exc, SystemExit) else config_problem_behind(exc)
            self.failures[name] = problem or msg
            # (numba's settings file broke it: the file is named once, where the run needs what failed
            # (no event reader: an error; Help > Plugins, `evfocus plugins`), not once a plugin)
            log.log(logging.DEBUG if problem else logging.WARNING, "plugin %r (%s) failed to load: %s",
                    name, ep.value, self.failures[name])
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


# ---------------------------------------------------------------------- contract checks
def check_events(batch: Any, who: str) -> np.ndarray | None:
    """What a source's ``read()`` returned, as events: a 1-D array of :data:`EVENT_DTYPE`,
    or None (end of stream). A structured array with integer fields ``t``, ``x``, ``y``,
    ``p`` of other widths is converted by name; anything else (a float N x 4 array, a list,
    float seconds, other field names) is an :class:`InputError` naming source ``who``,
    instead of an IndexError in whatever touched ``batch["t"]`` first."""
    if batch is None:
        return None
    return as_events(batch, lambda what: InputError(f"source {who!r} returned {what}, not events ({EVENTS_TEXT})"))


#: model output values beyond this band are not a 0..1 image that overshoots a little but
#: another scale (0..255, log intensity): clipped, every frame would be white or black
IMAGE_RANGE = (-0.5, 1.5)


def check_model_output(out: Any, who: str, width: int, height: int):
    """The ``image`` of what a model's ``forward(voxel)`` returned, checked against the
    contract: a dict (or a bare tensor) with ``image``, a floating-point ``torch.Tensor`` of
    shape ``[1, 1, height, width]`` in 0..1. Anything else is a :class:`CheckpointError`
    naming model ``who``: a missing key was a KeyError traceback, a half-size or 2-D image
    was written as a smaller (or 1x1) PNG and crashed the viewer, 0..255 values were
    silently clipped to a white frame. NaN/Inf pass: the pipeline drops those frames."""
    import torch

    if isinstance(out, dict):
        if "image" not in out:
            keys = ", ".join(map(str, out)) or "none"
            raise CheckpointError(f"model {who!r} returned a dict without 'image' (keys: {keys}); forward(voxel) "
                                  "must return {'image': tensor [1, 1, H, W] in 0..1}")
        img = out["image"]
    else:
        img = out
    if not torch.is_tensor(img):
        raise CheckpointError(f"model {who!r} returned {'image as ' if isinstance(out, dict) else ''}"
                              f"{describe(img)}, not a torch tensor [1, 1, H, W] in 0..1")
    if tuple(img.shape) != (1, 1, height, width):
        got = "x".join(map(str, img.shape)) or "a scalar"
        raise CheckpointError(f"model {who!r} returned an image of shape {got}, not 1x1x{height}x{width} "
                              f"(the [1, 1, H, W] of its {width}x{height} input)")
    if not img.is_floating_point():
        raise CheckpointError(f"model {who!r} returned a {str(img.dtype).replace('torch.', '')} image, "
                              "not floats in 0..1")
    lo, hi = (float(v) for v in torch.aminmax(img.detach().float()))
    if lo < IMAGE_RANGE[0] or hi > IMAGE_RANGE[1]:  # (NaN compares False: dropped by the pipeline)
        raise CheckpointError(f"model {who!r} returned image values from {lo:.3g} to {hi:.3g}, not 0..1 "
                              "(scale its output, e.g. a sigmoid, or divide 0..255 by 255)")
    return img
