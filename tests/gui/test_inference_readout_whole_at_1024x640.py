"""At 1024x640 the readouts keep the focus meter beside them (the box is neither wide nor tall
enough to stack them) and the inference readout showed "260.5 ms (cpu ea", the number's
context cut, whole only in its tooltip. A readout now drops its parenthesised words first
("260.5 ms (cpu)", then "260.5 ms"), as the meter's label drops words before digits."""

from __future__ import annotations

import pytest
from gui_support import make_window, wait_frames
from PySide6 import QtCore, QtWidgets

from evfocus_live.gui.widgets import shorter

WHOLE = "260.5 ms (cpu eager/bf16 1t)"


def _fits(lab: QtWidgets.QLabel) -> bool:
    return lab.fontMetrics().horizontalAdvance(lab.text()) <= lab.contentsRect().width()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_inference_number_and_unit_readable_at_1024x640(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model, remember_geometry=False)
    wait_frames(qtbot, win)
    win.session.pipeline.stop()
    win.resize(1024, 640)
    qtbot.waitUntil(lambda: win.size() == QtCore.QSize(1024, 640), timeout=5000)
    QtWidgets.QApplication.processEvents()
    ro = win.readouts
    lab = ro.values["infer"]
    ro.set("infer", WHOLE)
    assert lab.text().startswith("260.5 ms"), lab.text()
    assert _fits(lab), (lab.text(), lab.contentsRect().width())
    assert lab.toolTip() == WHOLE and ro.text("infer") == WHOLE  # (the whole line kept)
    win.resize(1600, 900)  # (wider again: the whole line back)
    qtbot.waitUntil(lambda: lab.text() == WHOLE, timeout=5000)
    win.close()


@pytest.mark.parametrize("text, forms", [
    (WHOLE, ("260.5 ms (cpu)", "260.5 ms")),
    ("1.0 ms (cuda)", ("1.0 ms",)),
    ("pattern 96x72", ()),
])
def test_shorter_forms_drop_words_not_digits(text, forms):
    assert shorter(text) == forms
