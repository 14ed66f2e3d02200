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


def test_the_callers_handlers_are_back_after_the_window_closes(tmp_path, tiny_ckpt):
    """In a process of its own: a viewer that ran its event loop in this one (``app.exec()``,
    then ``quit()``) left pytest-qt's later waits returning at once, so later viewer tests saw
    no frame in 30 s (two of them failed in every full run)."""
    import os
    import subprocess
    import sys

    script = f"""
import signal
from PySide6 import QtWidgets
from evfocus_live.gui import app
mine = {{sig: (lambda *_: None) for sig in app.STOP_SIGNALS}}
for sig, handler in mine.items():
    signal.signal(sig, handler)
seen_inside = []
qapp = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
qapp.aboutToQuit.connect(lambda: seen_inside.append(signal.getsignal(signal.SIGINT)))
rc = app.main(["--camera", "pattern", "--model", {str(tiny_ckpt)!r}, "--device", "cpu", "--exit-after", "1"])
print("rc", rc)
print("window's while open", bool(seen_inside) and seen_inside[0] is not mine[signal.SIGINT])
print("callers' back", all(signal.getsignal(sig) is h for sig, h in mine.items()))
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    out = run.stdout.splitlines()
    assert "rc 0" in out, run.stdout + run.stderr
    assert "window's while open True" in out  # the window's handlers while it is open
    assert "callers' back True" in out, run.stdout  # before: the closed window's


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
