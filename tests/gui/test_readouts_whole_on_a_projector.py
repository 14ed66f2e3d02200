"""On a projector's 1024x768 the readouts show their values whole: the defocus plot beside them
took the room, and "38.6 ms (cpu eager/bf16 1t)" read "38.6 ms (cpu ea" to the class."""

from __future__ import annotations

import pytest
from gui_support import make_window
from PySide6 import QtCore, QtWidgets

LONG = {"infer": "1234.5 ms (cpu eager/bf16 1t)", "dropped": "0 ev / 1,315 win", "event_rate": "556.18 kev/s"}


def _shown_whole(win) -> dict[str, bool]:
    out = {}
    for key, text in LONG.items():
        lab = win.readouts.values[key]
        out[key] = lab.contentsRect().width() >= lab.fontMetrics().horizontalAdvance(text)

    return out


def _settle(qtbot, win, w, h):
    win.resize(w, h)
    qtbot.waitUntil(lambda: win.size() == QtCore.QSize(w, h), timeout=5000)
    for key, text in LONG.items():
        win.readouts.set(key, text)
    QtWidgets.QApplication.processEvents()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_readouts_are_whole_at_1024x768(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    _settle(qtbot, win, 1024, 768)
    assert all(_shown_whole(win).values()), _shown_whole(win)
    plot = win.defocus_indicator.plot
    assert plot.isVisible() and plot.width() >= 60 and plot.height() >= 60  # the meter still shows
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_wide_window_keeps_the_plot_beside_the_readouts(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    _settle(qtbot, win, 1400, 1010)
    assert all(_shown_whole(win).values()), _shown_whole(win)
    ind, ro = win.defocus_indicator, win.readouts
    assert ind.mapTo(win, QtCore.QPoint(0, 0)).x() >= ro.mapTo(win, QtCore.QPoint(ro.width(), 0)).x()
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_stacked_meter_does_not_hold_the_window_tall(qtbot, tmp_path, tiny_model):
    """Stacked, the box's minimum grew by the meter's, and the window could no longer be made
    shorter than 568 px to put the meter back beside the readouts."""
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    _settle(qtbot, win, 1024, 768)
    ind, ro = win.defocus_indicator, win.readouts
    assert ind.mapTo(win, QtCore.QPoint(0, 0)).y() >= ro.mapTo(win, QtCore.QPoint(0, ro.height())).y()  # stacked
    win.resize(1024, 520)
    qtbot.waitUntil(lambda: win.height() == 520, timeout=5000)
    QtWidgets.QApplication.processEvents()
    assert ind.mapTo(win, QtCore.QPoint(0, 0)).x() >= ro.mapTo(win, QtCore.QPoint(ro.width(), 0)).x()  # beside
    win.close()
