"""A lecturer with a presenter's clicker (it sends only arrow keys and PageUp/PageDown) can turn
the simulated camera's focus knob: the dial takes no keyboard focus, so no key reached it."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames
from PySide6 import QtCore

Key = QtCore.Qt.Key


def _knob(win) -> float:
    return win.sim_widgets["focus"].value() / 1000.0


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_clicker_and_arrow_keys_turn_the_focus_knob(qtbot, tmp_path, tiny_model):
    """PageUp/PageDown did nothing and the arrows said "a live source cannot seek"."""
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    start = _knob(win)
    qtbot.keyClick(win, Key.Key_PageDown)
    assert _knob(win) == pytest.approx(start + 0.05)
    assert win.session.source.inner.controls()["focus"]["value"] == pytest.approx(start + 0.05)
    assert f"focus {start + 0.05:.2f}" in win.statusBar().currentMessage()
    qtbot.keyClick(win, Key.Key_PageUp)
    qtbot.keyClick(win, Key.Key_Left)
    assert _knob(win) == pytest.approx(start - 0.05)
    qtbot.keyClick(win, Key.Key_Right)
    qtbot.keyClick(win, Key.Key_Up)
    assert _knob(win) == pytest.approx(start + 0.05)
    qtbot.keyClick(win, Key.Key_Down)
    assert _knob(win) == pytest.approx(start)
    assert "live source cannot seek" not in win.statusBar().currentMessage()
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_knob_stops_at_its_ends(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    for _ in range(25):
        qtbot.keyClick(win, Key.Key_Up)
    assert _knob(win) == 1.0
    assert "near end" in win.statusBar().currentMessage()
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_without_a_knob_the_up_key_says_so(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win)
    qtbot.keyClick(win, Key.Key_Up)
    assert "focus knob" in win.statusBar().currentMessage()
    qtbot.keyClick(win, Key.Key_PageDown)  # a live camera without a knob: as the right arrow
    assert "cannot seek" in win.statusBar().currentMessage()
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_on_a_recording_the_clicker_seeks(qtbot, tmp_path, tiny_model):
    """On a file PageDown/PageUp step a second as the arrows do (a clicker through a replay)."""
    from gui_support import LongFile
    win = make_window(qtbot, tmp_path, LongFile(), tiny_model, speed=1.0, window_events=2000)
    s = win.session
    qtbot.waitUntil(lambda: s.range_ready.is_set() and s.last_frame is not None, timeout=30_000)
    win.toggle_pause()
    qtbot.waitUntil(lambda: s.slot.take() is None and not s.pipeline.ring.fill, timeout=30_000)
    base = s.last_frame.t_us
    qtbot.keyClick(win, Key.Key_PageDown)
    qtbot.waitUntil(lambda: s.last_frame.t_us > base + 500_000, timeout=30_000)
    assert "focus" not in win.statusBar().currentMessage()
    win.close()
