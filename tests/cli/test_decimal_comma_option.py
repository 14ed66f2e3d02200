"""`--window-ms 2,5` typed where the locale writes decimal commas (Germany, Brazil): argparse
said "invalid float value: '2,5'"; the line now says to write a decimal point."""

from __future__ import annotations

import pytest

from evfocus_live.cli import main


@pytest.mark.parametrize("argv, says", [
    (["reconstruct", "in.txt", "-o", "out", "--window-ms", "2,5"], "invalid number '2,5': write a decimal point (2.5)"),
    (["simulate", "out", "--duration", "0,5"], "invalid number '0,5': write a decimal point (0.5)"),
    (["reconstruct", "in.txt", "-o", "out", "--start-s", "abc"], "invalid number 'abc'"),
])
def test_decimal_comma_in_an_option_said(argv, says, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert says in capsys.readouterr().err


def test_viewer_option_too(capsys):
    from evfocus_live.gui.app import build_parser
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--speed", "0,5"])
    assert "write a decimal point (0.5)" in capsys.readouterr().err
