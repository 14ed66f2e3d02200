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


#: a pre-release's word -> its rank before the release (4), after a bare .dev build (0): dev < a < b < rc
_STAGES = {"a": 1, "alpha": 1, "b": 2, "beta": 2, "c": 3, "rc": 3, "pre": 3, "preview": 3}
#: PEP 440's segments after the release, each optional, in its order: pre, post, dev (the whole
#: suffix: a word is not matched by its first letters, ``-rocm`` is no ``r`` post-release)
_SUFFIX = re.compile(r"(?:[._-]?(?P<pre>alpha|a|beta|b|preview|pre|rc|c)[._-]?(?P<pre_n>\d*))?"
                     r"(?:-(?P<implicit>\d+)|[._-]?(?P<post>post|rev|r)[._-]?(?P<post_n>\d*))?"
                     r"(?:[._-]?(?P<dev>dev)[._-]?(?P<dev_n>\d*))?")
#: the dev number of a build that is no dev build: after all of them
_NO_DEV = 1 << 62


def _parts(version: Any) -> tuple[list[int], str] | None:
    """``"0.2.0rc1+g12"`` -> ``([0, 2, 0], "rc1")``: the release's numbers and the public suffix."""
    m = re.match(r"v?(\d+(?:\.\d+)*)([^+]*)", version.strip()) if isinstance(version, str) else None
    return ([int(p) for p in m[1].split(".")], m[2].lower()) if m else None


def version_tuple(version: Any) -> tuple[tuple[int, ...], tuple[int, int], int, int] | None:
    """``"0.2.0"`` -> ``((0, 2), (4, 0), -1, _NO_DEV)``: the release without trailing zeros
    (``"0.2"`` is ``"0.2.0"``); the pre-release (1 ``a``, 2 ``b``, 3 ``rc`` and its number; 0 a
    ``.dev`` build of the release itself; 4 the release); the post-release's number (``.post1``,
    and ``-1`` as PEP 440 reads it; -1 none) and the dev build's (``.dev2``). A local part
    (``+g1234``) ignored; a suffix that is no such segments read as the release. None for
    anything else (no version recorded, a hand edit).

    So dev builds differ (``.dev1`` < ``.dev3``: each a snapshot of a changing simulator), also
    those of a pre- or post-release (``1.0.0rc1.dev2`` < ``1.0.0rc1``: it read as rc1), and
    ``0.1.0-1`` is ``0.1.0.post1``, after ``0.1.0``. (Plain numbers compared: ``(0, 2)`` <
    ``(0, 2, 0)`` made a file of 0.2.0 "newer" than an install of 0.2, and 0.2.0 no newer than
    0.2.0.dev1.)"""
    parts = _parts(version)
    if parts is None:
        return None
    release, suffix = parts
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    s = _SUFFIX.fullmatch(suffix)
    if s is None:  # (an unknown suffix: the release, as before)
        return tuple(release), (4, 0), -1, _NO_DEV
    post = int(s["implicit"] or s["post_n"] or 0) if s["implicit"] or s["post"] else -1
    pre = (_STAGES[s["pre"]], int(s["pre_n"] or 0)) if s["pre"] else (0, 0) if s["dev"] and post < 0 else (4, 0)
    return tuple(release), pre, post, int(s["dev_n"] or 0) if s["dev"] else _NO_DEV


def same_version(a: Any, b: Any) -> bool:
    """Whether versions ``a`` and ``b`` are one (:func:`version_tuple`): ``0.3.0+g1234`` (a local
    build) is ``0.3.0`` and ``0.3`` is ``0.3.0``; ``0.3.0.dev1`` is neither ``0.3.0.dev2`` nor
    ``0.3.0``. Versions that do not parse, or whose suffix is no PEP 440 segment (``-dirty``,
    ``-5-g1234``: read as the release by :func:`is_newer`), are one only when they are the same text."""
    ta, tb = version_tuple(a), version_tuple(b)
    if ta is None or tb is None or not all(_SUFFIX.fullmatch(_parts(v)[1]) for v in (a, b)):
        return a == b
    return ta == tb


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
