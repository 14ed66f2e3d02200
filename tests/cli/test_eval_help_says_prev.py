"""``evfocus eval --out DIR`` moves an earlier report in DIR aside as ``report.prev.*``; its
``--help`` named only the files written, so the ``.prev`` files came unannounced."""

from __future__ import annotations

import pytest

from evfocus_live.cli import main as cli_main


def test_the_out_help_names_the_prev_files(capsys):
    with pytest.raises(SystemExit):
        cli_main(["eval", "--help"])
    assert "report.prev" in " ".join(capsys.readouterr().out.split())
