"""At the default window size every group of the side panel shows without scrolling."""

from __future__ import annotations

import pytest
from gui_support import make_window
from PySide6 import QtCore, QtWidgets


def _groups(win) -> dict[str, QtWidgets.QGroupBox]:
    return {b.title(): b for b in win.side_scroll.widget().findChildren(QtWidgets.QGroupBox) if b.isVisible()}


def _in_view(win, box: QtWidgets.QGroupBox) -> bool:
    vp = win.side_scroll.viewport()
    top_left = box.mapTo(vp, QtCore.QPoint(0, 0))
    return vp.rect().contains(QtCore.QRect(top_left, box.size()))


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_every_group_is_in_view_at_1400x860(qtbot, tmp_path, tiny_model):
    """The groups stood 984 px tall in the 809 px panel: the Display group was below the fold."""
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    win.resize(1400, 860)
    qtbot.waitUntil(lambda: win.size() == QtCore.QSize(1400, 860), timeout=5000)
    QtWidgets.QApplication.processEvents()
    groups = _groups(win)
    assert {"Source", "Simulated camera", "Model", "Window", "Display"} <= set(groups)
    assert win.side_scroll.verticalScrollBar().value() == 0
    for title, box in groups.items():
        assert _in_view(win, box), title
    assert win.sim_truth.isVisibleTo(win)  # (beside the focus dial now)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_small_window_still_scrolls_the_panel(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    win.resize(1000, 500)
    qtbot.waitUntil(lambda: win.side_scroll.verticalScrollBar().maximum() > 0, timeout=5000)
    display = _groups(win)["Display"]
    assert not _in_view(win, display)
    win.side_scroll.ensureWidgetVisible(display, 0, 0)
    QtWidgets.QApplication.processEvents()
    assert _in_view(win, display)
    win.close()
