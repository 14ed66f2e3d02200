"""``evfocus-live --headless --event-mode decay --show-aps --snapshot-dir S --record-dir R`` ran
without a word about them: only the window reads them. Each given one is said in one warning line
now (also when no display sends the run headless); defaults are not."""

from __future__ import annotations

import logging

import pytest

from evfocus_live.gui import app

GIVEN = [("--event-mode", ["decay"]), ("--show-aps", []), ("--snapshot-dir", ["snaps"]),
         ("--record-dir", ["recs"])]


def _warnings(monkeypatch, caplog, argv: list[str]) -> list[str]:
    monkeypatch.setattr(app, "run_headless", lambda *a: 0)
    monkeypatch.setattr(app, "run_window", lambda *a: pytest.fail("the window started"))
    with caplog.at_level(logging.WARNING, logger="evfocus_live.gui"):
        assert app.main(argv) == 0
    return [r.getMessage() for r in caplog.records if "without a window" in r.getMessage()]


@pytest.mark.parametrize("opt,values", GIVEN)
def test_each_window_only_option_is_said_once(monkeypatch, caplog, opt, values):
    said = _warnings(monkeypatch, caplog, ["--headless", opt, *values])
    assert said == [f"{opt} has no effect without a window"], said


def test_all_given_all_said_also_without_a_display(monkeypatch, caplog):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(app, "has_display", lambda: False)
    said = _warnings(monkeypatch, caplog, [arg for opt, values in GIVEN for arg in (opt, *values)])
    assert said == [f"{opt} has no effect without a window" for opt, _ in GIVEN], said


def test_defaults_are_not_said(monkeypatch, caplog):
    assert _warnings(monkeypatch, caplog, ["--headless"]) == []
    assert _warnings(monkeypatch, caplog, ["--headless", "--event-mode", "window", "--no-loop"]) == []
