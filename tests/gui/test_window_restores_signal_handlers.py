"""The viewer's window takes Ctrl-C and SIGTERM (to close itself cleanly) and kept them after it
returned: a notebook or another program that started it lost its own handlers, and a later
Ctrl-C there went to a closed window's handler (nothing happened)."""

from __future__ import annotations

import signal

import pytest

from evfocus_live.errors import ConfigError
from evfocus_live.gui import app, window


@pytest.fixture
def callers_handlers():
    """Handlers of the caller's own, put back after the test whatever happens."""
    before = {sig: signal.getsignal(sig) for sig in app.STOP_SIGNALS}
    mine = {sig: (lambda *_: None) for sig in app.STOP_SIGNALS}
    for sig, handler in mine.items():
        signal.signal(sig, handler)
    yield mine
    for sig, handler in before.items():
        signal.signal(sig, handler)


def test_the_callers_handlers_are_back_after_the_window_closes(qapp, tiny_ckpt, callers_handlers):
    seen_inside = []

    def at_quit():
        seen_inside.append(signal.getsignal(signal.SIGINT))

    qapp.aboutToQuit.connect(at_quit)
    try:
        assert app.main(["--camera", "pattern", "--model", str(tiny_ckpt), "--device", "cpu",
                         "--exit-after", "1"]) == 0
    finally:
        qapp.aboutToQuit.disconnect(at_quit)
    assert seen_inside and seen_inside[0] is not callers_handlers[signal.SIGINT]  # the window's, while open
    for sig, handler in callers_handlers.items():
        assert signal.getsignal(sig) is handler, sig  # before: the closed window's


def test_the_callers_handlers_are_back_when_the_window_fails_to_build(qapp, monkeypatch, tiny_ckpt,
                                                                      callers_handlers, capsys):
    class Broken(window.MainWindow):
        def __init__(self, *a, **kw):
            raise ConfigError("the window could not be built")

    monkeypatch.setattr(window, "MainWindow", Broken)
    assert app.main(["--camera", "pattern", "--model", str(tiny_ckpt), "--device", "cpu",
                     "--exit-after", "1"]) == app.EXIT_USER_ERROR
    assert "the window could not be built" in capsys.readouterr().err
    for sig, handler in callers_handlers.items():
        assert signal.getsignal(sig) is handler, sig
