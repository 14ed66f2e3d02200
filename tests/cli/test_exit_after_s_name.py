"""``--exit-after`` named no unit (seconds; the style is units in names, as ``--window-ms``):
``--exit-after-s`` is the documented name now; the old one still works, out of --help."""

from __future__ import annotations

import pytest

from evfocus_live.gui import app


@pytest.mark.parametrize("opt", ["--exit-after-s", "--exit-after"])
def test_both_names_set_the_seconds(monkeypatch, opt):
    seen = []
    monkeypatch.setattr(app, "run_headless", lambda args, *a: seen.append(args.exit_after_s) or 0)
    assert app.main(["--headless", opt, "2.5"]) == 0
    assert seen == [2.5]


def test_help_names_the_unit_and_hides_the_old_name():
    text = app.build_parser().format_help()
    assert "--exit-after-s S" in text and "seconds" in text
    assert "--exit-after " not in text.replace("--exit-after-s", ""), text


def test_the_errors_name_the_new_option(capsys):
    assert app.main(["--screenshot", "s.png"]) == app.EXIT_USER_ERROR
    assert "--screenshot needs --exit-after-s S" in capsys.readouterr().err
