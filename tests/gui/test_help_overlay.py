"""The viewer's help overlay (h) lists the keys of README's key table."""

from __future__ import annotations

from conftest import REPO


def readme_keys() -> list[str]:
    """The first column of README's key table (``| key | action |``)."""
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| key | action |") + 2
    keys = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        keys.append(line.split("|")[1].strip())
    return keys


def test_the_help_overlay_lists_the_keys_of_readmes_table():
    """The h overlay and README's key table name the same keys, in the same order (the
    overlay lacked Esc, which leaves fullscreen)."""
    from evfocus_live.gui.widgets import KEY_HELP

    assert [k for k, _ in KEY_HELP] == readme_keys()
    assert "Esc" in readme_keys()
