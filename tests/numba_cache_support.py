"""Paths the numba cache tests share."""

from __future__ import annotations

from pathlib import Path


def blocked_path(tmp_path: Path) -> Path:
    """A path no one can make folders under, root included: its parent is a plain file."""
    (tmp_path / "file").write_text("")
    return tmp_path / "file" / "below"
