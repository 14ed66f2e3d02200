"""Display widgets of the viewer: image panes, the defocus indicator, readouts, help.

All painting follows pyqtgraph's fast path (STYLE.md §5): row-major C-contiguous uint8
images, fixed levels (0, 255), uint8 LUTs of 256 entries, OpenGL off. Widgets are only
touched from the GUI thread.
"""

from __future__ import annotations

import logging
import math
import re
import sys
from collections import deque

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ..core.defocus import MIN_READOUT_EVENTS_PER_PX

log = logging.getLogger(__name__)

pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False, antialias=False)


class DotSpinBox(QtWidgets.QDoubleSpinBox):
    """A number box that writes a decimal point whatever the locale, and takes a comma typed
    as one (``12,5`` becomes ``12.5``: a German keypad's decimal key).

    Why dots and not the locale's: under a German locale Qt's boxes showed ``33,000 ms`` while
    every other number the viewer writes (the readouts, the status bar, the help, its log) and
    every place a value is written to (``--window-ms 33.5``, settings files, the README) uses a
    point, so a box and the readout beside it disagreed; the one rule is the one the rest of
    the program already follows. (The integer boxes take the same C locale: no ``5.000``
    grouping, which a reader of ``5,000 events`` would take for five.)

    A number with two separators (``1.000,5``, ``1,000.5``: a thousands mark) is ambiguous: it
    stays in the box as typed but is not taken, so Enter or leaving the box puts the value back
    (its second separator was dropped as typed, so ``1.000,5`` was taken as 1.0 without a word).
    A typed number is taken at Enter, not digit by digit (``1.000,5`` set 1.0 on its way)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setLocale(QtCore.QLocale.c())
        self.setKeyboardTracking(False)

    def _ambiguous(self, text: str) -> bool:
        number = text.removeprefix(self.prefix()).removesuffix(self.suffix())
        return number.count(",") + number.count(".") > 1

    def validate(self, text: str, pos: int):
        if self._ambiguous(text):
            return QtGui.QValidator.State.Intermediate, text, pos
        return super().validate(text.replace(",", "."), pos)

    def fixup(self, text: str) -> str:
        # (Qt's drops the C locale's group mark, ',': ``1.5,5`` was taken as 1.55)
        return text if self._ambiguous(text) else super().fixup(text)

    def valueFromText(self, text: str) -> float:
        return super().valueFromText(text.replace(",", "."))

    def textFromValue(self, value: float) -> str:
        """The value without trailing zeros (``33 ms``, ``33.5 ms``, ``0.125 ms``): the duration
        box showed ``33.000 ms`` in every window mode (its three decimals are for a high-rate
        sensor's sub-ms windows), the decay ``30.00 ms``, where the options, settings files and
        the readouts write ``33``."""
        text = super().textFromValue(value)
        return text.rstrip("0").rstrip(".") if "." in text else text


class WheelNeedsFocus(QtCore.QObject):
    """Side-panel boxes, combos and sliders take the mouse wheel only once clicked into (the
    keyboard's): Qt's default turned whatever box passed under the pointer while the wheel
    scrolled the panel (a window size changed, a model loaded from the model box). Unfocused,
    the wheel event is left to the panel's scroll area. :meth:`watch` also stops a wheel from
    giving them the keyboard (Qt's WheelFocus, a number box's default). A slider a click gives
    no keyboard (the simulated camera's, reached by Tab) takes it once clicked, until the
    pointer leaves it: else it never took the wheel from the mouse."""

    KINDS = (QtWidgets.QAbstractSpinBox, QtWidgets.QComboBox, QtWidgets.QSlider)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._clicked = None  # the slider last pressed, while the pointer is on it (compared, never called)

    def watch(self, root: QtWidgets.QWidget) -> None:
        """Every box, combo and slider under ``root`` (again after new ones: once each)."""
        for kind in self.KINDS:
            for w in root.findChildren(kind):
                if w.property("wheel_needs_focus"):
                    continue
                w.setProperty("wheel_needs_focus", True)
                if w.focusPolicy() == QtCore.Qt.FocusPolicy.WheelFocus:  # (a slider's TabFocus kept)
                    w.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
                w.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind == QtCore.QEvent.Type.MouseButtonPress:  # (one a click gives the keyboard: while it holds it)
            self._clicked = None if obj.focusPolicy().value & QtCore.Qt.FocusPolicy.ClickFocus.value else obj
        elif kind == QtCore.QEvent.Type.Leave and self._clicked is obj:
            self._clicked = None
        elif kind == QtCore.QEvent.Type.Wheel and not obj.hasFocus() and obj is not self._clicked:
            event.ignore()  # (ignored and filtered: Qt hands it to the parents, the scroll area)
            return True
        return False


def guard_singleton_refcounts() -> bool:
    """Work around a PySide6 reference leak on Python < 3.12; True when applied.

    PySide6 6.12 on Python 3.11 drops one reference to ``None`` on each call of a method that
    returns nothing (``setText``, ``showMessage``, ...), and others to ``True``; the viewer
    makes about 2,500 such calls a second and aborted within a minute ("Fatal Python error:
    bool_dealloc" / "none_dealloc"). Where the leak shows, the three singletons get a
    reference count no run can use up (on 3.12+ they are immortal anyway).
    """
    if sys.version_info >= (3, 12):
        return False
    probe = QtCore.QObject()
    before = sys.getrefcount(None)
    for _ in range(256):
        probe.setObjectName("probe")
    if before - sys.getrefcount(None) < 128:  # (other threads may move it a little)
        return False
    import ctypes
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40
    log.debug("PySide6 leaks references to None/True/False here: made them immortal")
    return True


guard_singleton_refcounts()

#: defocus maps (blur sigma in pixels) are shown on a fixed 0..SIGMA_MAX_PX scale so
#: colours mean the same thing from frame to frame
SIGMA_MAX_PX = 8.0

KEY_HELP = (
    ("space", "pause / resume"),
    ("r", "reset the network state"),
    ("s", "snapshot (PNG)"),
    ("\u2190 / \u2192", "seek -1 s / +1 s (files); simulated camera: focus knob -/+ 0.05"),
    ("PgUp / PgDn", "as \u2190 / \u2192 (a presenter's clicker)"),
    ("\u2191 / \u2193", "focus knob +/- 0.05 (simulated camera)"),
    ("f", "fullscreen"),
    ("F5", "fullscreen, as a slide show starts (Shift+F5 too)"),  # (short: whole at 1024x768)
    ("b / .", "black out the panes / show them again (a clicker's black screen)"),
    ("Esc", "leave fullscreen; give the keys back from a box typed in or a slider"),
    ("h", "this help"),
    ("q", "quit"),
)
#: and the mouse's (a drag on the event pane set the ROI, said only in its tooltip)
MOUSE_HELP = (
    ("drag on the events", "look at that part of the sensor (ROI)"),
)


class _RectSelectViewBox(pg.ViewBox):
    """A view whose left-button drag, once ``rect_select`` is on, draws a rubber band and
    emits the rectangle in image pixels (x0, y0, x1, y1, as dragged). Panning and zoom stay off."""

    rect_selected = QtCore.Signal(float, float, float, float)

    def __init__(self, **kw):
        super().__init__(**kw)
        self.rect_select = False
        self._band: QtWidgets.QGraphicsRectItem | None = None

    def mouseDragEvent(self, ev, axis=None):
        if not self.rect_select or ev.button() != QtCore.Qt.MouseButton.LeftButton:
            return super().mouseDragEvent(ev, axis)
        ev.accept()
        a, b = self.mapSceneToView(ev.buttonDownScenePos()), self.mapSceneToView(ev.scenePos())
        if self._band is None:
            self._band = QtWidgets.QGraphicsRectItem()
            self._band.setPen(pg.mkPen("#30c0ff", width=2, cosmetic=True))
            self.addItem(self._band, ignoreBounds=True)
        self._band.setRect(QtCore.QRectF(a, b).normalized())
        if ev.isFinish():
            self.removeItem(self._band)
            self._band = None
            self.rect_selected.emit(a.x(), a.y(), b.x(), b.y())


class ImagePane(pg.GraphicsLayoutWidget):
    """One titled image view (events, sharp frame or defocus map) without axes."""

    def __init__(self, title: str, lut: np.ndarray | None = None, parent=None):
        super().__init__(parent=parent)
        self.setBackground("k")
        self.ci.setContentsMargins(2, 2, 2, 2)
        self.title = self.addLabel(title, row=0, col=0, color="#ddd", size="10pt")
        self.view = _RectSelectViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.addItem(self.view, row=1, col=0)
        #: (x0, y0, x1, y1) in image pixels, as dragged (see ``enable_rect_select``)
        self.rect_selected = self.view.rect_selected
        self.view.setMenuEnabled(False)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        if lut is not None:
            self.image_item.setLookupTable(lut)
        self.view.addItem(self.image_item)
        self.note = pg.TextItem("", color="#aaa", anchor=(0.5, 0.5))
        self.view.addItem(self.note)
        #: a thin rectangle over the image (the viewer's ROI on the whole sensor), see ``set_outline``
        self.outline = QtWidgets.QGraphicsRectItem()
        self.outline.setPen(pg.mkPen("#30c0ff", width=1, cosmetic=True))
        self.outline.setZValue(10)
        self.outline.hide()
        self.view.addItem(self.outline, ignoreBounds=True)
        self._shape: tuple[int, ...] | None = None
        #: what the pane waits for while it has no image (see ``set_placeholder``)
        self.placeholder = QtWidgets.QLabel("", self)
        self.placeholder.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: #888; background: transparent;")
        self.placeholder.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.placeholder.hide()
        self.setMinimumSize(200, 160)

    def set_title(self, text: str) -> None:
        self.title.setText(text)

    def set_lut(self, lut: np.ndarray | None) -> None:
        """Colour map of the pane's uint8 images (None: grey)."""
        self.image_item.setLookupTable(lut)

    def enable_rect_select(self, on: bool = True) -> None:
        """A left-button drag draws a rectangle and emits ``rect_selected`` (the viewer's ROI)."""
        self.view.rect_select = bool(on)

    @property
    def image_shape(self) -> tuple[int, ...] | None:
        """(H, W) of the image shown; None when blank."""
        return self._shape

    def set_outline(self, rect: tuple[int, int, int, int] | None) -> None:
        """Outline (x, y, w, h) in image pixels over the image; None hides it."""
        if rect is None:
            self.outline.hide()
            return
        self.outline.setRect(QtCore.QRectF(*(float(v) for v in rect)))
        self.outline.show()

    def set_note(self, text: str) -> None:
        """A centred message over the pane (e.g. why it is empty); "" hides it."""
        self.note.setText(text)
        if text and self._shape is not None:
            self.note.setPos(self._shape[1] / 2, self._shape[0] / 2)
        elif text:
            self.note.setPos(1, 1)
        self._show_placeholder()

    def set_placeholder(self, text: str) -> None:
        """What the pane waits for (e.g. "waiting for events"), centred while it has no image:
        before the first frame the panes were plain black, only the status bar saying why."""
        self.placeholder.setText(text)
        self._show_placeholder()

    def _show_placeholder(self) -> None:
        # (not over a note: that says more, e.g. "waiting for events inside the ROI ...")
        on = bool(self.placeholder.text()) and self._shape is None and not self.note.toPlainText()
        if on:
            self._place_placeholder()
        self.placeholder.setVisible(on)

    def _place_placeholder(self) -> None:
        r = self.rect().adjusted(8, 8, -8, -8)
        self.placeholder.setGeometry(r)
        self.placeholder.raise_()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if hasattr(self, "placeholder"):  # (pyqtgraph resizes it while it is built)
            self._place_placeholder()

    def show_image(self, img: np.ndarray) -> None:
        """Paint a uint8 HxW or HxWx3 image (the fast path: fixed levels, no autoLevels)."""
        img = np.ascontiguousarray(img, dtype=np.uint8)
        self.image_item.setImage(img, autoLevels=False, levels=(0, 255))
        if img.shape[:2] != self._shape:
            self._shape = img.shape[:2]
            self.view.setRange(xRange=(0, img.shape[1]), yRange=(0, img.shape[0]), padding=0)
            self.placeholder.hide()

    def blank(self) -> None:
        # not "clear": GraphicsLayoutWidget forwards clear() to its layout (removes all items)
        self.image_item.setImage(np.zeros((2, 2), np.uint8), autoLevels=False, levels=(0, 255))
        self._shape = None
        self._show_placeholder()


def inferno_lut() -> np.ndarray:
    return pg.colormap.get("inferno").getLookupTable(0.0, 1.0, 256, alpha=False)


def defocus_to_uint8(sigma: np.ndarray, max_px: float = SIGMA_MAX_PX) -> np.ndarray:
    """Blur sigma (px, float HxW or 1xHxW) -> uint8 on a fixed 0..max_px scale (no per-frame stretch)."""
    s = np.asarray(sigma, dtype=np.float32)
    while s.ndim > 2:
        s = s[0]
    s = np.nan_to_num(s, nan=0.0, posinf=max_px, neginf=0.0)
    return np.clip(s * (255.0 / max_px), 0, 255).astype(np.uint8)


class FitLabel(QtWidgets.QLabel):
    """A label that shows its text, else the first shorter form of it that fits its width
    (words dropped before digits: at 1024x640 "defocus: 4.85 px blur σ" showed as "defocus:
    4.85 p" and "260.5 ms (cpu eager/bf16 1t)" as "260.5 ms (cpu ea", the reading cut); the
    whole text in the tooltip. The forms are chosen again at each resize."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        self._forms: tuple[str, ...] = (text,)
        self._tip = text

    def say(self, text: str, short: tuple[str, ...] = (), tip: str | None = None) -> None:
        """``text``, or where narrow the first of ``short`` (shorter forms, longest first) that fits."""
        self._forms = (text, *short)
        self._tip = text if tip is None else tip
        self._fit()

    @property
    def whole(self) -> str:
        """The text said, whichever form is on show."""
        return self._forms[0]

    def _fit(self) -> None:
        room = self.contentsRect().width()
        fm = self.fontMetrics()
        fits = [f for f in self._forms if fm.horizontalAdvance(f) <= room]
        shown = fits[0] if fits else self._forms[-1]
        if shown != self.text():
            self.setText(shown)
        self.setToolTip(self._tip)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()


#: the plot's room above its top and below 0: with none, half of the "10" and the "0" were cut
PLOT_PAD = 0.04


#: the shortest time the plot spans, s: it spans its readings, as the reading index it had did
#: (at 5 s at least, a CPU model's 3 frames a second of a 0.13 s recording looping sat in the
#: plot's last 0.2 s, its right edge, for minutes; the labels' spacing follows the span)
MIN_PLOT_S = 0.1
#: the most sensor time one step between readings adds to the plot, s (a seek on, a camera
#: clock's jump: the new readings squeezed to the plot's edge; a slow model's seconds are kept)
MAX_STEP_S = 5.0
#: the label steps of the time axis, s, and the least room a label takes, px (a fraction's
#: label is wider: "-0.25")
TICK_STEPS_S = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600)
TICK_PX, FRACTION_TICK_PX = 25.0, 30.0
#: the shortest plot that shows its time axis, px (its ~38 px of the plot's room)
MIN_AXIS_PLOT_PX = 120


class DefocusIndicator(QtWidgets.QWidget):
    """Defocus level (blur sigma, px) as a focus meter: label and bar show the readout
    smoothed over ``smooth_s`` of sensor time (on the simulated camera the raw value moves
    0.1-0.2 px from window to window and spans ~1 px within 2 s, too restless to turn a
    lens by; smoothed, 0.02-0.06 px); the rolling plot shows it raw (thin) and smoothed."""

    def __init__(self, history: int = 300, parent=None, smooth_s: float = 0.3):
        super().__init__(parent)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = FitLabel("defocus: -")
        # (its text must not widen the pane column: "defocus: n/a (model has no defocus output)"
        # squeezed the event pane beside it; cut when narrow, whole in the tooltip)
        self.label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(60)
        self.bar = QtWidgets.QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(60)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setYRange(0, SIGMA_MAX_PX, padding=PLOT_PAD)
        # x: seconds of sensor time before the newest reading (a bare index said no time at all)
        self.plot.setLabel("bottom", "time", units="s")
        self.plot.getPlotItem().getAxis("bottom").enableAutoSIPrefix(False)
        #: the model has no defocus output: the plot's note is up, its axes hidden
        self._no_output = False
        self._show_span(MIN_PLOT_S)
        self.plot.getPlotItem().getViewBox().sigResized.connect(lambda *_: self._show_span())
        self.plot.getPlotItem().getAxis("left").setWidth(24)
        self.raw_curve = self.plot.plot(pen=pg.mkPen("#806040", width=1))
        self.curve = self.plot.plot(pen=pg.mkPen("#f0a030", width=2))
        #: over the plot while the model has no defocus output: an empty 0-8 px plot sat under
        #: "this model predicts no defocus map" (its axis hidden meanwhile: no scale of nothing)
        self.plot_note = pg.TextItem("no defocus\noutput", color="#aaa", anchor=(0.5, 0.5))
        self.plot_note.setParentItem(self.plot.getPlotItem().getViewBox())
        self.plot_note.hide()
        self.plot.getPlotItem().getViewBox().sigResized.connect(lambda *_: self._place_note())
        self._values: deque[float] = deque(maxlen=history)
        self._smoothed: deque[float] = deque(maxlen=history)
        #: each reading's sensor time played so far, s (a loop's or a seek's step back adds none,
        #: a jump on at most ``MAX_STEP_S``)
        self._played_s: deque[float] = deque(maxlen=history)
        self.smooth_s = float(smooth_s)
        self._ema: float | None = None
        self._t_us: int | None = None
        self.max_px = SIGMA_MAX_PX
        lay.addWidget(self.label)
        lay.addWidget(self.bar)
        lay.addWidget(self.plot, 1)

    def _say(self, text: str, tip: str | None = None, short: tuple[str, ...] = ()) -> None:
        """``text`` on the label, else the first of ``short`` that fits (the meter's column is
        ~95 px at 1024x640); whole in the tooltip."""
        self.label.say(text, short, tip or text)

    def push(self, sigma_px: float | None, t_us: int | None = None, has_map: bool = False) -> None:
        """One window's readout at sensor time ``t_us`` (without it, each value weighs 0.3).
        None with ``has_map``: a window too sparse for a readout (``core.defocus``): the label
        says "-", the plot skips the point, the bar and the smoothing keep the last value."""
        if sigma_px is None and has_map:
            self._say("defocus: -", f"too few events in this window for a readout "
                                    f"(under {MIN_READOUT_EVENTS_PER_PX:g} per pixel)")
            return
        if sigma_px is None or not np.isfinite(sigma_px):
            self._say("defocus: n/a (model has no defocus output)", short=("defocus: n/a", "n/a"))
            self._show_no_output(True)
            return
        self._show_no_output(False)
        v = float(sigma_px)
        if t_us is None:
            a = 0.3
        elif self._t_us is None or t_us <= self._t_us:
            # first value, a replay looped / seeked back, or the same window made again (a paused
            # replay's remake after a new ROI, window or filter; a looped file shorter than its
            # window): the new reading replaces the old one (its weight was 0: the meter froze)
            a = 1.0
        else:
            a = 1.0 - math.exp(-(t_us - self._t_us) / 1e6 / max(self.smooth_s, 1e-6))
        self._ema = v if self._ema is None else self._ema + a * (v - self._ema)
        step_s = 0.0 if t_us is None or self._t_us is None else max(0, t_us - self._t_us) / 1e6
        # (a jump on, a seek or a camera clock's, at most the shortest span: a 60 s seek left the
        # new readings in 8 px of 274 until the 300 before it had gone)
        step_s = min(step_s, MAX_STEP_S)
        self._played_s.append((self._played_s[-1] if self._played_s else 0.0) + step_s)
        self._t_us = t_us
        self._values.append(v)
        self._smoothed.append(self._ema)
        self._say(f"defocus: {self._ema:.2f} px blur \u03c3",
                  short=(f"defocus: {self._ema:.2f} px \u03c3", f"{self._ema:.2f} px \u03c3", f"{self._ema:.2f}"))
        self.bar.setValue(int(1000 * min(1.0, self._ema / self.max_px)))
        ago_s = np.fromiter(self._played_s, dtype=np.float64) - self._played_s[-1]
        self.raw_curve.setData(ago_s, np.fromiter(self._values, dtype=np.float32))
        self.curve.setData(ago_s, np.fromiter(self._smoothed, dtype=np.float32))
        self._show_span(max(-float(ago_s[0]), MIN_PLOT_S))

    def _show_span(self, span_s: float | None = None) -> None:
        """The last ``span_s`` of sensor time, labelled every 0.01, 0.02, 0.05, ... 1, 2, 5, 10, ...
        s, 25 px apart at least (30 for a fraction; pyqtgraph's own ticks, "-8-6-4-2", ran
        together in the 95 px column); at most ~6."""
        if span_s is not None:
            self._span_s = span_s
            self.plot.setXRange(-span_s, 0, padding=0)
        # (short, stacked under the readouts at 1024x768: the axis left the curve ~30 px)
        item = self.plot.getPlotItem()
        # (nor under "no defocus output": "-4 -2 time (s)" under an empty plot)
        tall = self.plot.height() >= MIN_AXIS_PLOT_PX and not self._no_output
        if tall != item.getAxis("bottom").isVisible():
            item.showAxis("bottom", tall)
        width_px = item.getViewBox().width()
        step = next((s for s in TICK_STEPS_S
                     if s * width_px / self._span_s >= max(TICK_PX if s >= 1 else FRACTION_TICK_PX, width_px / 6)
                     and s < self._span_s), None)
        if step is None:  # (none far enough apart: the widest inside, one label or two; not pyqtgraph's)
            step = max((s for s in TICK_STEPS_S if s < self._span_s), default=None)
        self.plot.getPlotItem().getAxis("bottom").setTickSpacing(levels=[(step, 0)] if step else None)

    def _show_no_output(self, none: bool) -> None:
        """The plot says "no defocus output" (its curves and bar emptied, its scale hidden), or
        is a plot again."""
        if none == self.plot_note.isVisible():
            return
        if none:
            self._values.clear()
            self._smoothed.clear()
            self._played_s.clear()  # (left, the next reading's x outnumbered its y: setData raised)
            self._ema = self._t_us = None
            self.raw_curve.setData([])
            self.curve.setData([])
            self.bar.setValue(0)
        self._no_output = none
        self.plot_note.setVisible(none)
        self.plot.getPlotItem().showAxis("left", not none)
        self._show_span()  # (the time axis: hidden with the note, back after it)
        self._place_note()

    def _place_note(self) -> None:
        """The note in the middle of the plot's view (scene pixels: the view's own range is the data's)."""
        if self.plot_note.isVisible():
            r = self.plot.getPlotItem().getViewBox().boundingRect()
            self.plot_note.setPos(r.center())

    def set_range(self, max_px: float) -> None:
        """The largest blur sigma the model can predict: the scale of bar and plot."""
        self.max_px = float(max_px)
        self.plot.setYRange(0, self.max_px, padding=PLOT_PAD)

    @property
    def values(self) -> list[float]:
        """The raw readouts, oldest first."""
        return list(self._values)

    @property
    def smoothed(self) -> list[float]:
        """What the label and the bar showed, oldest first."""
        return list(self._smoothed)

    def clear(self) -> None:
        self._values.clear()
        self._smoothed.clear()
        self._played_s.clear()
        self._ema = self._t_us = None
        self.raw_curve.setData([])
        self.curve.setData([])
        self._show_span(MIN_PLOT_S)
        self._say("defocus: -")
        self.bar.setValue(0)
        self._show_no_output(False)


class Readouts(QtWidgets.QWidget):
    """A two-column grid of named live numbers (rates, fill, latency, ...)."""

    ROWS = (
        ("source", "source"),
        ("read_ahead", "reader ahead"),
        ("event_rate", "events/s"),
        ("ring", "ring fill"),
        ("dropped", "dropped / skipped"),
        ("infer", "inference"),
        ("display_fps", "display fps"),
        ("pipeline_fps", "recon fps"),
        ("latency", "latency"),
        ("frame", "frame"),
    )
    #: the widest value each row must show whole
    WIDEST = "1234.5 ms (cpu eager/bf16 1t)"
    #: what a short name means (the longest name, "latency (event→paint)", took the room its
    #: value needed)
    HINTS = {"source": "the camera or file, and its sensor size in pixels",
             "event_rate": "events the sensor sends a second (kev/s: thousands, Mev/s: millions)",
             "ring": "how full the buffer of events waiting for the model is (full: events are dropped)",
             "display_fps": "frames painted on the screen a second",
             "pipeline_fps": "frames the model reconstructs a second",
             "frame": "the frame on show: its number and the events of its window",
             "latency": "from a batch of events read to the paint of the frame they made",
             "dropped": "events lost on the way (a full ring buffer, outside the sensor, the camera's own) / "
                        "windows skipped to keep up (a model slower than the events come)",
             "infer": "per window: milliseconds (device, backend/precision, torch threads)",
             # (not a second clock: "sensor time" beside the time label showed two times)
             "read_ahead": "how far the newest event read is past the frame on show, in sensor time "
                           "(the model's latency; on past a pause or into a loop's next pass)"}
    #: the "read_ahead" row for a live camera, (name, hint): it has no time label or slider, so
    #: the row shows the camera's clock (a clock that resets or runs wrong is seen there)
    LIVE_READ_AHEAD = ("sensor time", "the newest event's time on the camera's own clock, in seconds")

    def __init__(self, parent=None):
        super().__init__(parent)
        grid = QtWidgets.QFormLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.values: dict[str, FitLabel] = {}
        self._names: dict[str, QtWidgets.QLabel] = {}
        mono = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        self._widest_px = QtGui.QFontMetrics(mono).horizontalAdvance(self.WIDEST) + 4
        for key, name in self.ROWS:
            lab = FitLabel("-")
            lab.setFont(mono)
            # text length must never resize the image panes beside the readouts
            lab.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
            lab.setMinimumWidth(60)  # (narrower, a value is cut: its tooltip has it whole)
            lab.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = lab
            name_label = QtWidgets.QLabel(name)
            name_label.setToolTip(self.HINTS.get(key, ""))
            self._names[key] = name_label
            grid.addRow(name_label, lab)
        # wide enough for "123.4 ms (cpu eager/bf16 1t)" where there is room (its ")" was cut,
        # the meter's plot beside it taking the room), narrower before the image panes must shrink
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QtCore.QSize:
        hint = super().sizeHint()
        names_px = max(n.sizeHint().width() for n in self._names.values())
        return QtCore.QSize(max(hint.width(), names_px + 12 + self._widest_px), hint.height())

    def set(self, key: str, text: str) -> None:
        """Row ``key``'s value; where its column is narrow, its parenthesised words go before its
        number is cut (see ``shorter``); whole in the tooltip (a GPU's name, a stall)."""
        self.values[key].say(text, shorter(text))

    def text(self, key: str) -> str:
        """Row ``key``'s whole value (the label may show a shorter form)."""
        return self.values[key].whole

    def rename(self, key: str, name: str, hint: str = "") -> None:
        """Show row ``key`` as ``name`` (a row whose meaning depends on the source)."""
        lab = self._names[key]
        if lab.text() != name:
            lab.setText(name)
            lab.setToolTip(hint)


def shorter(text: str) -> tuple[str, ...]:
    """Shorter forms of a readout, longest first: its parenthesised part cut to its first word,
    then dropped ("260.5 ms (cpu eager/bf16 1t)": "260.5 ms (cpu)", "260.5 ms")."""
    m = re.fullmatch(r"(.*\S) \((\S+)( [^)]*)?\)", text)
    if m is None:
        return ()
    head, first, rest = m.groups()
    return ((f"{head} ({first})",) if rest else ()) + (head,)


class ReadoutsBox(QtWidgets.QGroupBox):
    """The readouts with the focus meter beside them, or under them where the box is too narrow
    for both (a projector's 1024x768: the meter took the room and the values were cut, "38.6 ms
    (cpu ea") but tall enough; a box neither wide nor tall enough keeps them side by side."""

    #: the narrowest the meter's plot is worth showing beside the readouts
    SIDE_METER_PX = 90

    def __init__(self, readouts: Readouts, meter: QtWidgets.QWidget, title: str = "Readouts", parent=None):
        super().__init__(title, parent)
        self.readouts, self.meter = readouts, meter
        self._lay = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.LeftToRight, self)
        self._lay.setContentsMargins(4, 4, 4, 4)  # (the style's 9 px a side cut a slow model's ")")
        self._lay.addWidget(readouts)
        self._lay.addWidget(meter, 1)

    def minimumSizeHint(self) -> QtCore.QSize:
        # (stacked, the meter's height must not hold the window tall: it grew from 476 to 568 px
        # and could no longer be made short enough to put the meter back beside the readouts)
        hint = super().minimumSizeHint()
        if self._lay.direction() == QtWidgets.QBoxLayout.Direction.TopToBottom:
            hint.setHeight(hint.height() - self.meter.minimumSizeHint().height() - max(0, self._lay.spacing()))
        return hint

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        inner = self.contentsRect()
        m = self._lay.contentsMargins()
        room_w = inner.width() - m.left() - m.right() - self._lay.spacing()
        room_h = inner.height() - m.top() - m.bottom() - self._lay.spacing()
        beside = room_w >= self.readouts.sizeHint().width() + self.SIDE_METER_PX
        under_fits = room_h >= self.readouts.sizeHint().height() + self.meter.minimumSizeHint().height()
        want = (QtWidgets.QBoxLayout.Direction.TopToBottom if not beside and under_fits
                else QtWidgets.QBoxLayout.Direction.LeftToRight)
        if self._lay.direction() != want:
            self._lay.setDirection(want)
            # (stacked, the readouts keep their rows' height and the meter takes the rest)
            self._lay.setStretch(0, 0)


class HelpOverlay(QtWidgets.QLabel):
    """Semi-transparent keyboard help drawn over the image panes (toggled with h)."""

    def __init__(self, parent: QtWidgets.QWidget):
        super().__init__(parent)
        def table(rows) -> str:
            return "<table>" + "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>"
                                       for k, v in rows) + "</table>"

        self.setText(f"<h3>Keyboard</h3>{table(KEY_HELP)}<h3>Mouse</h3>{table(MOUSE_HELP)}")
        self.setStyleSheet("QLabel { background: rgba(20, 20, 20, 210); color: #eee;"
                           " padding: 14px; border-radius: 8px; font-size: 12pt; }")
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.adjustSize()
        self.hide()

    def toggle(self) -> None:
        self.setVisible(not self.isVisible())
        if self.isVisible():
            self.adjustSize()
            p = self.parentWidget()
            self.move(max(0, (p.width() - self.width()) // 2), max(0, (p.height() - self.height()) // 2))
            self.raise_()


class StatusText(QtWidgets.QLabel):
    """The status bar's message on as many lines as the bar's width needs: a long one (the
    keep-up warning and its hint at 1024x768) was cut at the window's edge. A plain QLabel with
    word wrap asks for the height of a column about 80 characters wide (five lines for one).
    Only as many lines as the window has room for: at its minimum height a second line made the
    window taller (466 -> 477 px at 800 wide) and it stayed so; there the line is cut with "..."
    (the bar's tooltip holds it whole)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        # (its width is what the bar gives it; its height follows that width)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        #: the message as given (``text()``: as shown, cut where the window had no room for it)
        self.full_text = ""
        self._watched: QtWidgets.QWidget | None = None  # the window whose resizes refit it

    def _room_px(self) -> int | None:
        """The height this label may take without the window growing (None: no window around
        it); before the window is shown, one line (its width then is not the bar's: fitted again
        once shown)."""
        top = self.window()
        if top is self:
            return None
        if not top.isVisible():
            return 0
        return self.height() + max(0, top.height() - top.minimumSizeHint().height())

    def _fit(self, one_line: bool = False) -> None:
        """As tall as the text needs at the width the bar gave (set, not hinted: a hint that
        depends on the width was asked for before the width was known, and held the bar tall),
        if the window has the room (``one_line``: it has none); else one line, cut."""
        one = self.fontMetrics().height()
        text = self.full_text
        super().setText(text)
        room = 0 if one_line else self._room_px()  # (before the height is freed: the window's minimum holds it)
        self.setMinimumHeight(0)  # (QLabel's heightForWidth is at least it: a tall label stayed tall)
        need = self.heightForWidth(self.width()) if text and self.width() > 0 else one
        if room is not None and need > max(one, room):
            super().setText(self.fontMetrics().elidedText(" ".join(text.split()), QtCore.Qt.TextElideMode.ElideRight,
                                                          self.width()))
            need = one
        self.setFixedHeight(max(one, need))

    def setText(self, text: str) -> None:
        self.full_text = text
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        top = self.window()
        if top is not self and top is not self._watched:  # (its resizes: the room for more lines)
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            top.installEventFilter(self)
            self._watched = top

    def eventFilter(self, obj, event) -> bool:
        """The window made taller (this label's width the same): a message cut for want of
        room is fitted again, whole now if it fits (it stayed cut). Made shorter down to its
        minimum: one line again, so that it can go on down to the minimum it had (the lines
        shown held it 11 px taller for as long as the message stayed)."""
        if (obj is self._watched and event.type() == QtCore.QEvent.Type.Resize and self.full_text
                and event.size().height() != event.oldSize().height()):
            h = event.size().height()
            self._fit(one_line=h < event.oldSize().height() and h <= obj.minimumSizeHint().height())
        return False


class BlankCover(QtWidgets.QWidget):
    """A black cover over its parent (the image panes and readouts): a slide show's black screen
    (b or . from a presenter's clicker) that turns the class to the speaker while the frames go
    on under it. It follows the parent's size."""

    def __init__(self, parent: QtWidgets.QWidget):
        super().__init__(parent)
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor("black"))
        self.setPalette(pal)
        parent.installEventFilter(self)
        self.hide()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.parentWidget() and event.type() == QtCore.QEvent.Type.Resize:
            self.setGeometry(obj.rect())
        return False

    def set_on(self, on: bool) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.setVisible(on)
        if on:
            self.raise_()


class JumpClickStyle(QtWidgets.QProxyStyle):
    """The application's style, but a left click on a slider's groove puts the handle there (a
    seek bar): by default it moved a page step (1 %) toward the click, so a click at a fifth of a
    recording went 1 % back or on, and looked like it did nothing."""

    def styleHint(self, hint, option=None, widget=None, return_data=None):
        if hint == QtWidgets.QStyle.StyleHint.SH_Slider_AbsoluteSetButtons:
            return QtCore.Qt.MouseButton.LeftButton.value
        return super().styleHint(hint, option, widget, return_data)


class FrameCounter:
    """Frames painted per second (:class:`~evfocus_live.core.stats.FrameRate`: from the
    intervals between the last frames, steady for a model slower than a frame a second)."""

    def __init__(self):
        from ..core.stats import FrameRate

        self._rate = FrameRate()

    def tick(self, now: float) -> None:
        self._rate.add(1, now)

    def fps(self, now: float) -> float:
        return self._rate.rate(now)

    def measured(self, now: float) -> float | None:
        """:meth:`fps`, None before two frames (``FrameRate.measured``)."""
        return self._rate.measured(now)


def qimage_to_array(img: QtGui.QImage) -> np.ndarray:
    """A QImage (e.g. ``widget.grab().toImage()``) as an HxWx3 uint8 RGB array (a copy)."""
    img = img.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=bpl * h).reshape(h, bpl)
    return buf[:, : w * 3].reshape(h, w, 3).copy()
