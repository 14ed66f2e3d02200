"""`evfocus-live --screenshot` (offscreen) prints no Qt noise: "This plugin does not support
propagateSizeHints()" came on every run, and a newcomer took it for a fault; other Qt
messages still reach the handler that was there before."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cli_support import tiny_ckpt  # noqa: F401 (a fixture)
from conftest import DAVIS_FILE, REPO

from evfocus_live.gui.qt_messages import NOISE, quiet_qt_noise


def test_noise_dropped_and_other_messages_passed_on():
    from PySide6 import QtCore

    seen: list[str] = []
    before = QtCore.qInstallMessageHandler(lambda mode, context, message: seen.append(message))
    try:
        with quiet_qt_noise():
            for message in (*NOISE, "something that matters"):
                QtCore.qWarning(message)
        QtCore.qWarning(next(iter(NOISE)))  # (the handler before is back: it gets everything again)
    finally:
        QtCore.qInstallMessageHandler(before)
    assert seen == ["something that matters", next(iter(NOISE))]


@pytest.mark.gui
def test_screenshot_run_prints_no_qt_noise(tmp_path, tiny_ckpt):  # noqa: F811
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO), EVFOCUS_SETTINGS_DIR=str(tmp_path))
    out = tmp_path / "shot.png"
    r = subprocess.run([sys.executable, "-m", "evfocus_live.gui", str(DAVIS_FILE), "--model", str(tiny_ckpt),
                        "--screenshot", str(out), "--exit-after-s", "1"], capture_output=True, text=True,
                       timeout=120, env=env, cwd=tmp_path)
    assert r.returncode == 0 and out.is_file(), r.stderr[-2000:]
    assert "propagateSizeHints" not in r.stderr, r.stderr
