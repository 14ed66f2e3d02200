"""A '~' in the viewer's folders is the home folder wherever the options come from: the
command line's ``--snapshot-dir=~/x`` (no shell expands it after '='), and a Python caller's
``ViewerOptions(record_dir="~/rec")``, whose recordings went to a folder named '~' in the
current one. One rule (``config.home_expanded``), applied where the options are made."""

from __future__ import annotations

from pathlib import Path

from evfocus_live.config import home_expanded
from evfocus_live.gui.window import ViewerOptions


def test_viewer_options_expand_a_leading_tilde(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    opts = ViewerOptions(snapshot_dir="~/Pictures/lecture", record_dir=Path("~/rec"))
    assert opts.snapshot_dir == tmp_path / "Pictures" / "lecture"
    assert opts.record_dir == tmp_path / "rec"
    assert ViewerOptions(record_dir="a~/rec").record_dir == Path("a~/rec")  # (only a leading one)


def test_the_command_line_and_the_options_share_the_rule(monkeypatch, tmp_path):
    from evfocus_live.cli import _home_after_equals

    monkeypatch.setenv("HOME", str(tmp_path))
    assert home_expanded("~/x") == f"{tmp_path}/x" and home_expanded(Path("x/~")) == "x/~"
    assert _home_after_equals("--snapshot-dir=~/x") == f"--snapshot-dir={home_expanded('~/x')}"
