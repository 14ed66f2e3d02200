"""Under a German locale the viewer's number boxes wrote ``33,000 ms`` (and could group
``5.000`` events) while its readouts, status bar and options all write ``33 ms`` and ``5,000``
with a point: the boxes write a point now whatever the locale, and a comma typed into one (a
German keypad's decimal key) is read as the point it means."""

from __future__ import annotations

import pytest
from gui_support import make_window, wait_frames
from PySide6 import QtCore

from evfocus_live.config import WindowConfig

Key = QtCore.Qt.Key


@pytest.fixture
def german():
    before = QtCore.QLocale()
    QtCore.QLocale.setDefault(QtCore.QLocale(QtCore.QLocale.Language.German, QtCore.QLocale.Country.Germany))
    yield
    QtCore.QLocale.setDefault(before)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread", "german")
def test_boxes_write_a_point_and_read_a_typed_comma(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model, window=WindowConfig(mode="duration", window_ms=33.5))
    wait_frames(qtbot, win)
    win.decay_spin.setValue(50.25)
    win.window_events.setValue(12000)
    assert win.window_ms.text() == "33.5 ms"
    assert win.decay_spin.text() == "50.25 ms"
    assert win.window_events.text() == "12000"
    box = win.window_ms
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=5000)
    box.selectAll()
    qtbot.keyClicks(box, "12,5")
    qtbot.keyClick(box, Key.Key_Return)
    assert box.value() == 12.5 and box.text() == "12.5 ms"
    win.close()
