"""With no display, "no display found: running headless" was a WARNING logged before the
source and model were set up: a mistyped model or file name came after it, not alone. It is
information now (INFO), said once the run starts; an error is the only line."""

from __future__ import annotations

import logging

import pytest

from evfocus_live.gui import app


@pytest.fixture
def no_display(monkeypatch):
    for var in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(app.sys, "platform", "linux")


@pytest.mark.parametrize("argv", [["--model", "nosuchmodel"], ["nosuch.aedat4"]])
def test_an_error_is_said_alone(no_display, argv, caplog, capsys):
    with caplog.at_level(logging.INFO):
        assert app.main(argv) == 2
    assert not [r.getMessage() for r in caplog.records if "no display" in r.getMessage()]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("evfocus-live: error: "), err


def test_no_display_is_information(no_display, caplog):
    with caplog.at_level(logging.INFO):
        assert app.main(["--camera", "pattern", "--exit-after", "0.5"]) == 0
    said = [r for r in caplog.records if "no display" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.INFO
