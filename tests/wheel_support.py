"""A mouse wheel turn sent to a widget, for the side panel's wheel tests."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


def wheel(widget: QtWidgets.QWidget, notches: int = -1) -> bool:
    """One wheel turn over the middle of ``widget`` (-1: towards the user, scrolling down):
    whether the widget took it. (A test's event is not spontaneous, and Qt 6 hands only a
    spontaneous one left untaken to the parents: the scroll area, checked apart.)"""
    pos = QtCore.QPointF(widget.width() / 2, widget.height() / 2)
    event = QtGui.QWheelEvent(pos, QtCore.QPointF(widget.mapToGlobal(pos.toPoint())), QtCore.QPoint(0, 0),
                              QtCore.QPoint(0, 120 * notches), QtCore.Qt.MouseButton.NoButton,
                              QtCore.Qt.KeyboardModifier.NoModifier, QtCore.Qt.ScrollPhase.NoScrollPhase, False)
    QtWidgets.QApplication.sendEvent(widget, event)
    return event.isAccepted()
