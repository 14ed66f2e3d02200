"""Which evfocus-live wrote a file: checkpoints, evaluation and benchmark reports, simulated
datasets and recordings carry :data:`VERSION_KEY`, so a file from a newer install is refused
with its version named (not "a newer evfocus-live?"), and ``simulate --resume`` does not mix
sequences of two simulators. Files from before it was recorded have none and load as before."""

from __future__ import annotations

import re
from typing import Any

from . import __version__

#: the key (a checkpoint's, a JSON file's field, an AEDAT4 stream attribute) holding the version
VERSION_KEY = "evfocus_version"
#: what a file without the key is said to be written by
UNRECORDED = "an evfocus-live that did not record its version (0.1.0 or earlier)"


#: a pre- or post-release's word -> its rank beside the release (4): dev < a < b < rc < release < post
_STAGES = {"dev": 0, "a": 1, "alpha": 1, "b": 2, "beta": 2, "c": 3, "rc": 3, "pre": 3, "preview": 3,
           "post": 5, "rev": 5, "r": 5}
_SUFFIX = re.compile(r"[._-]?(?:(?P<word>dev|alpha|a|beta|b|preview|pre|rc|c|post|rev|r)[._-]?(?P<n>\d*)"
                     r"|-(?P<implicit>\d+))")


def version_tuple(version: Any) -> tuple[tuple[int, ...], int, int] | None:
    """``"0.2.0"`` -> ``((0, 2), 4, 0)``: the release without trailing zeros (``"0.2"`` is
    ``"0.2.0"``), the stage (0 ``.dev``, 1 ``a``, 2 ``b``, 3 ``rc``: before the release, 4 the
    release, 5 ``.post`` and ``-1``, as PEP 440 reads it: after) and the stage's number; a
    local part (``+g1234``) ignored. None for anything else (no version recorded, a hand edit).

    So two dev builds of one release differ (``.dev1`` < ``.dev3``: each a snapshot of a
    changing simulator), and ``0.1.0-1`` is ``0.1.0.post1``, after ``0.1.0`` (it compared equal
    to it); only builds that differ in their local part alone are one version. (Plain numbers
    compared: ``(0, 2)`` < ``(0, 2, 0)`` made a file of 0.2.0 "newer" than an install of 0.2,
    and 0.2.0 no newer than 0.2.0.dev1.)"""
    m = re.match(r"v?(\d+(?:\.\d+)*)([^+]*)", version.strip()) if isinstance(version, str) else None
    if not m:
        return None
    release = [int(p) for p in m[1].split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    s = _SUFFIX.match(m[2].lower())
    if s is None:  # (an unknown suffix: the release, as before)
        return tuple(release), 4, 0
    if s["implicit"]:
        return tuple(release), 5, int(s["implicit"])
    return tuple(release), _STAGES[s["word"]], int(s["n"] or 0)


def same_version(a: Any, b: Any) -> bool:
    """Whether versions ``a`` and ``b`` are one (:func:`version_tuple`): ``0.3.0+g1234`` (a local
    build) is ``0.3.0`` and ``0.3`` is ``0.3.0``; ``0.3.0.dev1`` is neither ``0.3.0.dev2`` nor
    ``0.3.0``. Versions that do not parse are one only when they are the same text."""
    ta, tb = version_tuple(a), version_tuple(b)
    return ta == tb if ta is not None and tb is not None else a == b


def is_newer(version: Any) -> bool:
    """Whether ``version`` (a file's :data:`VERSION_KEY`) is later than this install's."""
    v, here = version_tuple(version), version_tuple(__version__)
    return v is not None and here is not None and v > here


def newer_hint(version: Any, to: str = "load it") -> str:
    """``"; written by evfocus-live 0.2.0, this is 0.1.0: upgrade evfocus-live to load it"`` for
    a file of a newer version, else ``""`` (the caller's own guess, if any, stays)."""
    if not is_newer(version):
        return ""
    return f"; written by evfocus-live {version}, this is {__version__}: upgrade evfocus-live to {to}"


def written_by(version: Any) -> str:
    """``"evfocus-live 0.1.0"``, or :data:`UNRECORDED` for a file without its version."""
    return f"evfocus-live {version}" if isinstance(version, str) and version else UNRECORDED
