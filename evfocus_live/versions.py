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


def version_tuple(version: Any) -> tuple[tuple[int, ...], int] | None:
    """``"0.2.0"`` -> ``((0, 2), 1)``: the release without trailing zeros (``"0.2"`` is ``"0.2.0"``),
    and 0 for a pre-release (``.dev1``, ``a1``, ``rc1``: before its release), 1 for the release,
    2 for a ``.post`` one; a local part (``+g1234``) ignored. None for anything else (no version
    recorded, a hand edit). (Plain numbers compared: ``(0, 2)`` < ``(0, 2, 0)`` made a file of
    0.2.0 "newer" than an install of 0.2, and 0.2.0 no newer than 0.2.0.dev1.)"""
    m = re.match(r"v?(\d+(?:\.\d+)*)([^+]*)", version.strip()) if isinstance(version, str) else None
    if not m:
        return None
    release = [int(p) for p in m[1].split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    suffix = m[2].lower()
    stage = 2 if "post" in suffix else 0 if re.search(r"(dev|a|b|c|rc|pre)\d*", suffix) else 1
    return tuple(release), stage


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
