"""The viewer's number boxes read a typed comma as a point (``12,5`` is 12.5), but ``1.000,5``
(a German thousands mark, then the decimal comma) was taken as 1.0 without a word: its second
separator was dropped as typed, and the decay box took the ``1`` on its way. Such an entry is
not taken now: the box keeps its value (at Enter and when left)."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from evfocus_live.gui.widgets import DotSpinBox

Key = QtCore.Qt.Key


@pytest.fixture
def box(qtbot):
    """A box set up as the viewer's decay box (1..2000 ms, no keyboard tracking set by hand)."""
    parent = QtWidgets.QWidget()
    qtbot.addWidget(parent)
    lay = QtWidgets.QVBoxLayout(parent)
    b = DotSpinBox()
    b.setRange(1.0, 2000.0)
    b.setSuffix(" ms")
    b.setValue(50.0)
    other = QtWidgets.QLineEdit()
    lay.addWidget(b)
    lay.addWidget(other)
    b.other, b.holder = other, parent  # (the parent outlives the fixture's frame)
    parent.show()
    qtbot.waitExposed(parent)
    b.changes = []
    b.valueChanged.connect(b.changes.append)
    return b


def _type(qtbot, box, text: str) -> None:
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=5000)
    box.selectAll()
    qtbot.keyClicks(box, text)


@pytest.mark.gui
@pytest.mark.parametrize("text", ["1.000,5", "1,000.5", "1,5,5"])
def test_two_separators_are_not_taken_at_enter(qtbot, box, text):
    _type(qtbot, box, text)
    qtbot.keyClick(box, Key.Key_Return)
    assert box.value() == 50.0 and box.text() == "50 ms"
    assert box.changes == []


@pytest.mark.gui
def test_two_separators_are_not_taken_when_the_box_is_left(qtbot, box):
    _type(qtbot, box, "1.000,5")
    box.other.setFocus()
    qtbot.waitUntil(lambda: not box.hasFocus(), timeout=5000)
    assert box.value() == 50.0 and box.changes == []


@pytest.mark.gui
@pytest.mark.parametrize("text, value", [("12,5", 12.5), ("12.5", 12.5), ("1000", 1000.0)])
def test_one_separator_is_still_taken(qtbot, box, text, value):
    _type(qtbot, box, text)
    qtbot.keyClick(box, Key.Key_Return)
    assert box.value() == value and box.changes == [value]
