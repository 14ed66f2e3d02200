"""The focus meter's reading stays whole where its column is narrow: at 1024x640 the label
showed "defocus: 4.85 p" (the reading cut in the middle of its unit); it now drops words
("4.85 px σ") before any digit, and the tooltip holds the whole line."""

from __future__ import annotations

import pytest
from PySide6 import QtWidgets

from evfocus_live.gui.widgets import DefocusIndicator

pytestmark = pytest.mark.gui


def _fits(label: QtWidgets.QLabel) -> bool:
    return label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()


@pytest.mark.parametrize("width_px, shown", [(400, "defocus: 4.85 px blur \u03c3"), (80, "4.85 px \u03c3")])
def test_the_reading_is_whole_at_any_width(qtbot, width_px, shown):
    meter = DefocusIndicator()
    qtbot.addWidget(meter)
    meter.push(4.85, t_us=0)
    meter.resize(width_px, 200)
    meter.show()
    qtbot.waitExposed(meter)
    assert meter.label.text() == shown
    assert _fits(meter.label)
    assert meter.label.toolTip() == "defocus: 4.85 px blur \u03c3"
    meter.resize(400, 200)  # (wider again: the whole line back)
    qtbot.waitUntil(lambda: meter.label.text() == "defocus: 4.85 px blur \u03c3", timeout=2000)


def test_a_reading_pushed_while_narrow_fits(qtbot):
    meter = DefocusIndicator()
    qtbot.addWidget(meter)
    meter.resize(80, 200)
    meter.show()
    qtbot.waitExposed(meter)
    meter.push(7.5, t_us=0)
    assert "7.50" in meter.label.text() and _fits(meter.label)
