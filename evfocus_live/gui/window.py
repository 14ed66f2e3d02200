"""The viewer window: event view | sharp frame | defocus map, controls, readouts.

With a DAVIS source (a camera or an .aedat4 recording with APS frames) the defocus-map pane
can show the camera's own grey-level frame instead ("APS frame" in the Display group): the
last one at or before the shown frame's time, so it follows seeks and loops.

The pipeline runs in a :class:`~evfocus_live.gui.session.LiveSession` worker thread;
this window only takes the newest finished frame from the session's one-slot mailbox
and paints it from a QTimer. Every fault (no camera, unplugged camera, unreadable file,
broken model, broken plugin) ends up as a status-bar message; the window stays usable.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from ..cli.options import (MAX_WINDOW_EVENTS, MAX_WINDOW_MS, MIN_WINDOW_MS, check_not_input,
                           few_frames_hint, parse_roi)
from ..config import DisplayConfig, ModelConfig, PostConfig, WindowConfig, home_expanded
from ..core.render import PALETTE_ALIASES, recolour
from ..errors import EvFocusError
from ..pipeline import LIVE_READ_JOIN_S, MAX_GAP_S, SourceWarnings
from ..plugins import MODELS, POSTPROCESSORS, SOURCES, Registry
from ..sources.base import EventSource
from . import settings
from .precision import PRECISION_CHOICES, PRECISION_HELP, effective_precision, precision_choice, what_runs
from .recording import free_stem, save_png
from .session import SPEEDS, BehindNotice, LiveSession, open_with_fallback, release_freed_memory
from .widgets import (BlankCover, DefocusIndicator, DotSpinBox, FrameCounter, HelpOverlay, ImagePane, JumpClickStyle,
                      Readouts, ReadoutsBox, StatusText, WheelNeedsFocus, defocus_to_uint8, inferno_lut,
                      qimage_to_array)

log = logging.getLogger(__name__)

#: friendlier labels for the built-in post-processors
POST_LABELS = {"auto_hdr": "auto-HDR", "noise_filter": "noise filter", "hot_pixels": "hot-pixel mask",
               "unsharp": "unsharp mask"}
SEEK_STEP_US = 1_000_000
#: what the lower-left pane shows, on hover
DEFOCUS_PANE_TIP = ("the model's blur estimate per pixel (sigma, px; brighter = more blur): observed where "
                    "events fire, elsewhere the model's guess")
#: what the event pane shows, on hover, per event view (the colours differ: the decay view is grey)
EVENT_PANE_TIPS = {
    "window": "the events of the network's window: {on} where a pixel got brighter, {off} where it got darker",
    "decay": "the events accumulated and fading: {acc_on} where pixels got brighter, {acc_off} where they got "
             "darker, {acc_bg} where nothing changed",
    "time_surface": "how recently each pixel fired: {on} for getting brighter, {off} for getting darker, "
                    "fading with time",
}
#: each palette's colours in words, for the tooltip: ON, OFF (window and time surface), then the
#: decay view's ON, OFF and background (``core.render.PALETTES``)
PALETTE_WORDS = {
    "dark": ("blue", "red", "white", "black", "grey"),
    "white": ("blue", "red", "blue", "red", "white"),
    "light": ("blue", "red", "blue", "red", "white"),
    "gray": ("white", "black", "white", "black", "grey"),
    "coolwarm": ("warm red", "cool blue", "warm red", "cool blue", "light grey"),
}
#: the Display group's palette box: (label, name)
PALETTE_ITEMS = (("dark", "dark"), ("light", "white"), ("gray", "gray"), ("coolwarm", "coolwarm"))


def event_pane_tip(mode: str, palette: str) -> str:
    """The event pane's tooltip: what its colours mean in this mode and palette."""
    on, off, acc_on, acc_off, acc_bg = PALETTE_WORDS.get(palette, PALETTE_WORDS["dark"])
    return (EVENT_PANE_TIPS.get(mode, EVENT_PANE_TIPS["window"]).format(
        on=on, off=off, acc_on=acc_on, acc_off=acc_off, acc_bg=acc_bg) + EVENT_PANE_DRAG_TIP)
EVENT_PANE_DRAG_TIP = "; drag a rectangle to look at that part of the sensor (ROI)"
#: how far one key press turns the simulated camera's focus knob (its range is 0..1)
FOCUS_KEY_STEP = 0.05
#: the side panel's spacing between groups and between rows of a group, and the focus dial's
#: height: small enough that every group fits the default 1400x860 window unscrolled
PANEL_SPACING_PX = 4
#: the status line while the panes are blacked out (b or .)
BLANK_TEXT = "panes blacked out - press b or . to show them again"
FOCUS_DIAL_PX = 60
#: the window-mode combo's "adaptive" entry (``evfocus-live --adaptive-ms X``)
ADAPTIVE_TIP = ("adaptive: windows of about the duration box's X ms, cut early or stretched (up to 4x) "
                "to keep within 0.05..1 events per pixel")
#: seconds of play after a window change (an ROI, ...) with no frame of it before the panes say
#: so (plus 3 inference times and the window's length: a slow model's or a long window's first
#: frame is not late): an ROI on a part of the sensor where nothing moves makes no window at all;
#: and with no new frame at all (a still scene), before the status bar says so
NO_FRAME_S = 2.0
#: a per-frame readout (latency, inference time) is shown as "-" once no frame has been painted
#: for this long, or for 3 of a slow model's frame intervals (its inference) if longer: paused, a still
#: scene or a recording's end left the last frame's number standing as if it were current
READOUT_STALE_S = 2.0
#: the time label's least width ("12.345 / 60.000 s"); it grows to the widest time it has shown
#: for a recording, never back (the slider beside it jumped: see ``_update_readouts``)
TIME_LABEL_MIN_PX = 130
#: an error on the status bar: red, 6:1 against Fusion's light grey; a lighter red on a dark bar
ERROR_TEXT, ERROR_TEXT_ON_DARK = "#b00020", "#ff8a80"
#: the Record button while it records: white on red (its dot alone was black on a pressed grey)
RECORDING_STYLE = ("QPushButton:checked { color: white; background-color: #c62828; border: 1px solid #7f0000;"
                   " border-radius: 3px; padding: 3px 10px; }")
#: the defocus pane's title over a model without a defocus map (E2VID, FireNet, ...)
NO_DEFOCUS_MAP_TITLE = "defocus map (none from this model)"
QUIET_PREFIX = "no new frame for "  # (that status line, its seconds counting, see _show_quiet)
#: status messages kept in ``MainWindow.status_log`` (the newest; a viewer left running for days
#: with a flapping camera would otherwise keep every one)
STATUS_LOG_MAX = 1000


def model_title(name: str) -> str:
    """The reconstruction pane's name for a model: a checkpoint by its file name, and a run's
    ``final.pt`` / ``last.pt`` with its run folder (``ft/final.pt``), as ``evfocus eval`` labels
    it: every run writes a ``final.pt``, and the title said only that."""
    p = Path(name)
    if p.suffix.lower() in (".pt", ".pth") and p.stem in ("final", "last") and p.parent.name:
        return f"{p.parent.name}/{p.name}"
    return p.name


@dataclass
class ViewerOptions:
    """Everything the window needs to start; built by ``app.main`` from the command line."""

    #: camera name, file path, or an already open EventSource
    source: object = "sim"
    window: WindowConfig = field(default_factory=WindowConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    post: PostConfig = field(default_factory=PostConfig)
    event_mode: str = "window"
    decay_ms: float = 30.0
    #: the event pane's colours (``--palette``, ``[display]``, the Display group's palette box)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    show_defocus: bool = True
    #: the defocus-map pane shows the camera's APS frame instead (when the source has them)
    show_aps: bool = False
    refresh_ms: int = 20
    speed: float = 1.0
    loop: bool = True
    #: simulated camera focus knob at start (0.5 = subject in focus); defocused by
    #: default so a new user sees what the network is for
    sim_focus: float | None = 0.3
    #: the simulated camera's other knobs as last turned (scene, speed, light): reopening the
    #: simulated camera keeps them, as it keeps the focus
    sim_knobs: dict = field(default_factory=dict)
    record_dir: Path = Path("recordings")
    snapshot_dir: Path = Path(".")
    #: an already-built model (tests inject a small one); used instead of ``model.name``
    model_obj: object | None = None
    #: start at the size and place the last window closed at, and keep this one's at close
    #: (off for ``--screenshot``: a scripted shot has the default size, and leaves the user's be)
    remember_geometry: bool = True
    #: ``--record``/``--video``: (events path, video path, the source asked for), recorded from
    #: the first source's first event (started after the window was built, a replay's first
    #: windows were lost); not when the simulated camera shows for a camera that did not open
    record_at_start: tuple | None = None
    #: the first :attr:`MainWindow.failure` is said by the caller as the terminal's last line
    #: (``evfocus-live``'s exit line), so it is not logged too: the same text came twice in a row
    failure_said_at_exit: bool = False

    def __post_init__(self):
        # a '~' no shell expanded (``--snapshot-dir=~/Pictures``, ``ViewerOptions(record_dir="~/rec")``)
        # is the home folder here, where every caller's options become the viewer's: the files
        # went to a folder named '~' in the current one
        self.record_dir = Path(home_expanded(self.record_dir))
        self.snapshot_dir = Path(home_expanded(self.snapshot_dir))


@dataclass
class _Awaiting:
    """A window change whose first frame is not shown yet (see ``MainWindow._check_awaiting``)."""

    #: the first frame index made with the new setting
    first_index: int
    #: play time waited so far (paused, stalled and ended time not counted), and when last counted
    waited_s: float = 0.0
    t_counted: float = field(default_factory=time.monotonic)
    #: said on the status bar, the panes blanked
    said: bool = False


def _roi_text(roi: tuple[int, int, int, int] | None) -> str:
    """``WindowConfig.roi`` as the ROI box shows it (and ``--roi`` takes it): "X,Y,W,H", '' for none."""
    return "" if roi is None else ",".join(str(v) for v in roi)


def _fmt_rate(x: float) -> str:
    for unit, f in (("M", 1e6), ("k", 1e3)):
        if x >= f:
            return f"{x / f:.2f} {unit}ev/s"
    return f"{x:.0f} ev/s"


def _stat(stats, *names, default=None):
    for n in names:
        v = getattr(stats, n, None) if not isinstance(stats, dict) else stats.get(n)
        if v is not None:
            return v() if callable(v) else v
    return default



def saved_text(paths: list[Path], recorder, n_events: int) -> str:
    """"recording saved (N events): paths", or "(M video frames)" when only a video was saved:
    a --video alone said "(0 events)" of it."""
    if recorder.events_path in paths:
        count = f"{n_events} events"
    else:
        count = f"{recorder.n_frames} video {'frame' if recorder.n_frames == 1 else 'frames'}"
    return f"recording saved ({count}): " + ", ".join(str(p) for p in paths)


def _window_text(cfg: WindowConfig) -> str:
    """A window setting in words with its unit ("5,000 events a frame"), for the status bar."""
    if cfg.mode == "duration":
        return f"{cfg.window_ms:g} ms a frame"
    if cfg.mode == "adaptive":
        return f"about {cfg.window_ms:g} ms a frame (adaptive)"
    return f"{cfg.window_events:,} events a frame" if cfg.window_events else "auto: 0.35 events per pixel a frame"


class _KeysBackOnEnter(QtCore.QObject):
    """Calls ``done`` after Enter in the box it watches (the box handles the key first); Up and
    Down in a number box step it (the window's shortcut turned the focus knob instead)."""

    STEP_KEYS = (QtCore.Qt.Key.Key_Up, QtCore.Qt.Key.Key_Down)

    def __init__(self, done, parent=None):
        super().__init__(parent)
        self._done = done

    def eventFilter(self, obj, event) -> bool:
        if (event.type() == QtCore.QEvent.Type.ShortcutOverride and event.key() in self.STEP_KEYS
                and isinstance(obj, QtWidgets.QAbstractSpinBox)):
            event.accept()  # (the box's own key, as a slider's arrows: _SliderKeys)
            return True
        if event.type() == QtCore.QEvent.Type.KeyPress and event.key() in (QtCore.Qt.Key.Key_Return,
                                                                             QtCore.Qt.Key.Key_Enter):
            QtCore.QTimer.singleShot(0, self._done)
        return False


class _TypedFirst(QtCore.QObject):
    """Calls ``take`` as a button or combo it watches is pressed, before the button acts: a
    number typed in a side-panel box applies at Enter or as the box loses the keyboard, and on
    a style whose buttons take no keyboard on a click (macOS) it lost none, so the button
    (Save settings, Record, a menu) acted on the number from before."""

    def __init__(self, take, parent=None):
        super().__init__(parent)
        self._take = take

    def watch(self, root: QtWidgets.QWidget) -> None:
        for kind in (QtWidgets.QAbstractButton, QtWidgets.QComboBox):
            for w in root.findChildren(kind):
                if not w.property("typed_first"):
                    w.setProperty("typed_first", True)
                    w.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QtCore.QEvent.Type.MouseButtonPress, QtCore.QEvent.Type.MouseButtonDblClick):
            self._take()
        return False


class _SliderKeys(QtCore.QObject):
    """Keyboard use of a simulated camera's slider reached by Tab: while it has the keyboard it
    takes the arrows, Home and End (the window's shortcuts would seek or turn the focus knob
    instead); space and a clicker's PageUp/PageDown stay the viewer's (pause, the focus knob),
    and Enter gives the keys back to the panes as in a box (Esc does too: ``_escape``)."""

    KEYS = (QtCore.Qt.Key.Key_Left, QtCore.Qt.Key.Key_Right, QtCore.Qt.Key.Key_Up, QtCore.Qt.Key.Key_Down,
            QtCore.Qt.Key.Key_Home, QtCore.Qt.Key.Key_End)

    def __init__(self, done, parent=None):
        super().__init__(parent)
        self._done = done

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QtCore.QEvent.Type.ShortcutOverride and event.key() in self.KEYS:
            event.accept()  # (the slider's own, not the window's shortcut)
            return True
        if event.type() == QtCore.QEvent.Type.KeyPress:
            if event.key() in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter):
                QtCore.QTimer.singleShot(0, self._done)
                return True
            if event.key() in (QtCore.Qt.Key.Key_PageUp, QtCore.Qt.Key.Key_PageDown):
                event.ignore()  # (to the window: the clicker's keys, not a page of the slider)
                return True
        return False


class MainWindow(QtWidgets.QMainWindow):
    """The evfocus-live viewer. ``frame_shown(index)`` fires after each painted frame."""

    frame_shown = QtCore.Signal(int)

    def __init__(self, opts: ViewerOptions | None = None, parent=None):
        super().__init__(parent)
        self.opts = opts or ViewerOptions()
        self.setWindowTitle("evfocus-live")
        self.resize(1400, 860)
        self.session: LiveSession | None = None
        self._what_runs_said = False  # (the terminal's "running ... on cpu in bf16": at the first model)
        self.status_log: list[str] = []  # the status messages shown, newest last (STATUS_LOG_MAX; tests read it)
        #: the first failure of what the run was asked to do (a refused ``--record``, a source lost
        #: mid-run): the viewer then exits with status 2, as headless does (see :meth:`failed`)
        self.failure: str | None = None
        self.frames_painted = 0
        self.last_frame = None
        self._fps = FrameCounter()
        self._last_readout = 0.0
        self._latency_ms: float | None = None
        #: monotonic time of the last paint and the interval before it (when per-frame readouts go stale)
        self._painted_at: float | None = None
        self._paint_gap_s = 0.0
        self._event_t_painted: int | None = None
        #: the APS image in the defocus-map pane (the array, not its time: a new ROI or downsample
        #: crops the same APS frame anew, and the pane must follow)
        self._aps_painted: np.ndarray | None = None
        self._aps_waiting = False  # the session's APS frames are being read (see _aps_arrived)
        self._slider_busy = False
        self._meter_from_index = 0  # frames before it came from a model switched away from
        self._end_pass = 0  # the session's pass whose end was shown ("end of the recording")
        self._few_frames_said = False  # a recording too short for its window said (see _say_few_frames)
        self._end_remade = False  # a setting remade the last frame at the end: the end is not new
        self._stall_said = False  # the source's read() stalled: on the status bar while it lasts
        self._warmup_said = ""  # the model's first window at a new size: on the status bar while it runs
        self._behind = BehindNotice()  # the model cannot keep up: said on the status bar when it starts
        #: the last warning or error on the status bar (text, timeout ms), and the one the warm-up
        #: line took the bar from, shown again after it (see _show_warmup)
        self._notice: tuple[str, int, str] | None = None  # (text, timeout_ms, level)
        self._displaced: tuple[str, int, str] | None = None
        #: play time with no new frame, when last counted, whether it is on the status bar, and
        #: the session's events read when the last frame was painted
        self._quiet_s, self._quiet_t, self._quiet_said, self._quiet_ev0 = 0.0, time.monotonic(), False, 0
        #: the pause in the recording being played (the pipeline's PlayedGap), the sensor time the
        #: time label has reached in it (kept until the next frame is painted), and its status
        #: line (see _show_gap)
        self._gap, self._gap_t_us, self._gap_said, self._gap_tick = None, None, "", time.monotonic()
        self._gap_held = False  # paused (or seeking) in it: its line is said again at once on play
        #: the ROI each sensor size (width, height) last ran with in this session (None: the whole
        #: sensor), so that a smaller sensor that cannot hold it does not lose it for the big one;
        #: never saved to the settings file (a run starts as its command line says)
        self._rois: dict[tuple[int, int], tuple[int, int, int, int] | None] = {}
        #: the last ROI asked for (``--roi``, the ROI box, a drag): a sensor size not seen yet gets it
        self._roi_asked = self.opts.window.roi
        self._roi_for_next = False  # asked for with no source running: the next source takes it
        self._awaiting: _Awaiting | None = None  # a window change's first frame, until it is shown
        self._text_dialogs: dict[str, tuple[QtWidgets.QDialog, QtWidgets.QPlainTextEdit]] = {}  # see _text_dialog
        self.registries = {g: Registry(g) for g in (SOURCES, MODELS, POSTPROCESSORS)}
        self._load_plugins()
        self._build_ui()
        self._build_shortcuts()
        geometry = settings.window_geometry() if self.opts.remember_geometry else None
        if geometry is not None and not self.restoreGeometry(geometry):  # (a hand-edited file)
            log.warning("the saved window geometry is not readable: using the default size")
        if self.windowState() & QtCore.Qt.WindowState.WindowFullScreen:
            # (quit in fullscreen, f or a clicker's F5: that was the talk's; the next start, on a
            # laptop with the projector gone, came up fullscreen) the window's size from before
            self.setWindowState(self.windowState() & ~QtCore.Qt.WindowState.WindowFullScreen)
        self._paint_timer = QtCore.QTimer(self)
        self._paint_timer.setInterval(int(self.opts.refresh_ms))
        self._paint_timer.timeout.connect(self._tick)
        self._paint_timer.start()
        self.open_source(self.opts.source, asked=True)
        failed = sorted(f"{n}" for f in self.plugin_failures().values() for n in f)
        if failed:  # (after the source: its "playing ..." must not hide this at once)
            self.status(f"{len(failed)} plugin(s) failed to load ({', '.join(failed)}): see Help > Plugins",
                        "error", timeout_ms=15_000)

    # ------------------------------------------------------------------ plugins
    def _load_plugins(self) -> None:
        """Import every plugin once so broken ones are known (and reported) up front."""
        self.source_classes = {}
        for name, obj in self.registries[SOURCES].load_all().items():
            self.source_classes[name] = obj
        self.registries[POSTPROCESSORS].load_all()
        # model plugins are factories; loading the entry point only imports the module
        self.registries[MODELS].load_all()

    def plugin_failures(self) -> dict[str, dict[str, str]]:
        return {g: dict(r.failures) for g, r in self.registries.items() if r.failures}

    def live_source_names(self) -> list[str]:
        names = ["sim", "auto", "davis346", "dvxplorer", "prophesee"]
        for n, cls in sorted(self.source_classes.items()):
            if getattr(cls, "is_live", False) and n not in names:
                names.append(n)
        return names

    def model_names(self) -> list[str]:
        names: list[str] = []
        try:
            from ..nn.registry import available_models
            names = list(available_models())
        except Exception as exc:  # registry missing or broken: still list plugin names
            log.warning("model registry unavailable: %s", exc)
        for n in self.registries[MODELS].names():
            if n not in names:
                names.append(n)
        cur = self.opts.model.name
        if cur and cur not in names:
            names.insert(0, cur)
        return names

    def device_names(self) -> list[str]:
        """The device box: auto, cpu, cuda and, with several GPUs, cuda:0 .. cuda:N-1 (a lab
        with two puts the viewer on the second); a device asked for that is not among them
        (``--device cuda:3``) is listed too, so that the box shows it until a source runs."""
        import torch

        names = ["auto", "cpu", "cuda"]
        n_gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if n_gpus > 1:
            names += [f"cuda:{i}" for i in range(n_gpus)]
        cur = self.opts.model.device
        if cur and cur not in names:
            names.append(cur)
        return names

    def _grey_out_missing_cuda(self) -> None:
        """Without CUDA (a CPU build of torch, no GPU) the device box's cuda entries are greyed
        out and say why: picked, they said "CUDA is not available (use --device cpu)", a
        command-line hint in the viewer."""
        import torch

        if torch.cuda.is_available():
            return
        model = self.device_combo.model()
        for i in range(self.device_combo.count()):
            if self.device_combo.itemText(i).startswith("cuda"):
                item = model.item(i)
                item.setEnabled(False)
                item.setToolTip("CUDA is not available on this machine (torch without CUDA, or no GPU)")

    def _grey_out_missing_fp16(self) -> None:
        """Without CUDA the precision box's fp16 is greyed out and says why (as the device box's
        cuda entries are); asked for anyway (``--precision fp16``), it runs fp32 and is said."""
        import torch

        if torch.cuda.is_available():
            return
        item = self.precision_combo.model().item(self.precision_combo.findData("fp16"))
        item.setEnabled(False)
        item.setToolTip(f"{PRECISION_HELP['fp16']}: CUDA is not available on this machine")

    # ------------------------------------------------------------------ UI
    def _build_ui(self) -> None:
        central = QtWidgets.QWidget()
        self.setCentralWidget(central)
        outer = QtWidgets.QHBoxLayout(central)
        outer.setContentsMargins(4, 4, 4, 4)

        left = QtWidgets.QWidget()
        lv = QtWidgets.QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        # 2 x 2: events | reconstruction / defocus map | readouts (fits sensor aspect ratios)
        self.panes_box = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(self.panes_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        self.event_pane = ImagePane("events")
        self.event_pane.enable_rect_select()  # a drag sets the ROI (see _roi_dragged)
        self.event_pane.setToolTip(event_pane_tip(self.opts.event_mode, self.opts.display.palette))
        self.event_pane.rect_selected.connect(self._roi_dragged)
        self.frame_pane = ImagePane("reconstruction (sharp)")
        self.defocus_pane = ImagePane("defocus map (blur \u03c3, 0-8 px)", lut=inferno_lut())
        self.frame_pane.setToolTip("the intensity frame the model makes from the events of one window, "
                                   "with the blur taken out")
        self.defocus_pane.setToolTip(DEFOCUS_PANE_TIP)
        # the compare model's frame of the same window, beside the reconstruction (--compare, the
        # "vs" box); hidden, its column empty, without one
        self.compare_pane = ImagePane("compare")
        self.compare_pane.setToolTip("the compare model's frame of the same events (its own recurrent state)")
        self.compare_pane.hide()
        self._set_placeholders()
        self._panes_grid = grid
        grid.addWidget(self.event_pane, 0, 0)
        grid.addWidget(self.frame_pane, 0, 1)
        grid.addWidget(self.compare_pane, 0, 2)
        grid.addWidget(self.defocus_pane, 1, 0)
        self._readouts_box = self._build_readouts()  # (across the compare column with one: _show_compare)
        grid.addWidget(self._readouts_box, 1, 1)
        for i in range(2):
            grid.setRowStretch(i, 1)
            grid.setColumnStretch(i, 1)
        self.defocus_pane.setVisible(self.opts.show_defocus)
        lv.addWidget(self.panes_box, 1)
        lv.addWidget(self._build_playback())
        outer.addWidget(left, 1)

        side = self.side_scroll = QtWidgets.QScrollArea()
        side.setWidgetResizable(True)
        side.setMinimumWidth(290)
        side.setMaximumWidth(340)
        panel = QtWidgets.QWidget()
        self.side_layout = QtWidgets.QVBoxLayout(panel)
        # (compact: at the default 1400x860 the groups stood 984 px tall in an 809 px view and the
        # Display group was below the fold; the scroll area still scrolls a smaller window)
        self.side_layout.setContentsMargins(6, 4, 6, 4)
        self.side_layout.setSpacing(PANEL_SPACING_PX)
        self._build_controls(self.side_layout)
        self._grey_out_unused_boxes()
        # Enter in a box typed into gives the keys back to the viewer (Esc does too: _escape)
        self._keys_back = _KeysBackOnEnter(self._keys_to_panes, self)
        for box in [*panel.findChildren(QtWidgets.QAbstractSpinBox), *panel.findChildren(QtWidgets.QLineEdit)]:
            box.installEventFilter(self._keys_back)
        self._wheel_needs_focus = WheelNeedsFocus(self)  # (the wheel over a box scrolls the panel)
        self._wheel_needs_focus.watch(panel)
        self.side_layout.addStretch(1)
        side.setWidget(panel)
        outer.addWidget(side)
        self.blank_cover = BlankCover(self.panes_box)
        self.help_overlay = HelpOverlay(self.panes_box)  # (after the cover: h shows over it)
        self._build_menus()
        # a button, combo or menu acts on the number typed in a box, whether or not the click took
        # the keyboard from it (macOS buttons take none: the box kept its number unapplied)
        self._typed_first = _TypedFirst(self.take_typed_numbers, self)
        self._typed_first.watch(self)
        for menu in self.menuBar().findChildren(QtWidgets.QMenu):
            menu.aboutToShow.connect(self.take_typed_numbers)
        # a message wider than the window was cut at its edge ("- keeping the current source" of a
        # failed camera's two-driver line; the keep-up warning's hint on a 1024x768 projector): it
        # wraps onto a second line in a label the bar's own painting leaves room to (a permanent
        # widget: the bar draws its message left of it, here in no room), whole in the tooltip too
        self.status_label = StatusText()
        self.statusBar().addPermanentWidget(self.status_label, 1)
        self.statusBar().messageChanged.connect(self._status_tooltip)
        self.statusBar().showMessage("starting ...")

    def _build_readouts(self) -> QtWidgets.QWidget:
        self.readouts = Readouts()
        self.defocus_indicator = DefocusIndicator()
        return ReadoutsBox(self.readouts, self.defocus_indicator)

    def _build_playback(self) -> QtWidgets.QWidget:
        bar = QtWidgets.QWidget()
        h = QtWidgets.QHBoxLayout(bar)
        h.setContentsMargins(0, 0, 0, 0)
        self.play_button = QtWidgets.QPushButton("Pause")
        self.play_button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.play_button.clicked.connect(self.toggle_pause)
        self.speed_combo = QtWidgets.QComboBox()
        self.speed_combo.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        speeds = sorted({*SPEEDS, float(self.opts.speed)})  # --speed 3 is shown as 3x, not 2x
        for s in speeds:
            self.speed_combo.addItem("max" if s == 0 else f"{s:g}x", s)
        self.speed_combo.setCurrentIndex(speeds.index(float(self.opts.speed)))
        self.speed_combo.currentIndexChanged.connect(
            lambda i: self.set_speed(self.speed_combo.itemData(i)))
        self.seek_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.seek_slider.setRange(0, 1000)
        self._seek_style = JumpClickStyle()  # (kept: a widget does not own the style it is given)
        self.seek_slider.setStyle(self._seek_style)
        self.seek_slider.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.seek_slider.sliderPressed.connect(lambda: setattr(self, "_slider_busy", True))
        self.seek_slider.sliderReleased.connect(self._slider_released)
        self.seek_slider.actionTriggered.connect(self._slider_action)
        self.loop_check = QtWidgets.QCheckBox("loop")
        self.loop_check.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.loop_check.setChecked(self.opts.loop)
        self.loop_check.toggled.connect(lambda b: self.session and self.session.set_loop(b))
        self.time_label = QtWidgets.QLabel("live")
        self.time_label.setMinimumWidth(TIME_LABEL_MIN_PX)
        self.record_button = QtWidgets.QPushButton("\u25cf Record")
        self.record_button.setCheckable(True)
        self.record_button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        # recording, the button is red: pressed in, it was a shade darker grey than off, and the
        # "recording to ..." line leaves the status bar after 10 s (the style sheet follows the
        # checked state whoever sets it, _show_recording's blocked signals too)
        self.record_button.setStyleSheet(RECORDING_STYLE)
        self.record_button.toggled.connect(self._record_toggled)
        for w in (self.play_button, self.speed_combo):
            h.addWidget(w)
        h.addWidget(self.seek_slider, 1)
        for w in (self.time_label, self.loop_check, self.record_button):
            h.addWidget(w)
        return bar

    def _group(self, layout: QtWidgets.QVBoxLayout, title: str) -> QtWidgets.QFormLayout:
        box = QtWidgets.QGroupBox(title)
        form = QtWidgets.QFormLayout(box)
        form.setContentsMargins(6, 4, 6, 4)
        form.setVerticalSpacing(PANEL_SPACING_PX)
        layout.addWidget(box)
        return form

    def _build_controls(self, lay: QtWidgets.QVBoxLayout) -> None:
        # source
        f = self._group(lay, "Source")
        self.source_combo = QtWidgets.QComboBox()
        self.source_combo.addItems(self.live_source_names())
        # (shown while a file plays: the box stood empty, as if broken)
        self.source_combo.setPlaceholderText("- (a file plays)")
        self.source_combo.activated.connect(lambda i: self.open_source(self.source_combo.itemText(i)))
        open_btn = QtWidgets.QPushButton("Open file ...")
        open_btn.clicked.connect(self.open_file_dialog)
        # File > Open Recent, and beside the button: the last event files, most recent first
        self.recent_menu = QtWidgets.QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        # (a push button: a tool button's menu arrow was drawn over its text, in a smaller
        # button than "Open file ..." beside it)
        self.recent_button = QtWidgets.QPushButton("Recent")
        self.recent_button.setToolTip("open one of the last event files again")
        self.recent_button.setMenu(self.recent_menu)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(open_btn, 1)
        row.addWidget(self.recent_button)
        f.addRow("camera", self.source_combo)
        f.addRow(row)
        self.source_label = QtWidgets.QLabel("-")
        self.source_label.setWordWrap(True)
        f.addRow(self.source_label)

        # simulated camera (filled per source)
        self.sim_box = QtWidgets.QGroupBox("Simulated camera")
        self.sim_form = QtWidgets.QFormLayout(self.sim_box)
        self.sim_form.setContentsMargins(6, 4, 6, 4)
        self.sim_form.setVerticalSpacing(PANEL_SPACING_PX)
        self.sim_widgets: dict[str, QtWidgets.QWidget] = {}
        self.sim_values: dict[str, QtWidgets.QLabel] = {}  # a slider's value beside it
        self.sim_truth: QtWidgets.QLabel | None = None
        lay.addWidget(self.sim_box)
        self.sim_box.hide()

        # model
        f = self._group(lay, "Model")
        self.model_combo = QtWidgets.QComboBox()
        self.model_combo.addItems(self.model_names())
        self.model_combo.setCurrentText(self.opts.model.name)
        self.model_combo.activated.connect(lambda i: self.set_model(self.model_combo.itemText(i)))
        self.device_combo = QtWidgets.QComboBox()
        self.device_combo.addItems(self.device_names())
        self._grey_out_missing_cuda()
        self.device_combo.setCurrentText(self.opts.model.device)
        self.device_combo.activated.connect(
            lambda i: self.set_model(self.model_combo.currentText(), self.device_combo.itemText(i)))
        # inference precision (--precision): applied at once, the model rebuilt as a switch does
        self.precision_combo = QtWidgets.QComboBox()
        for i, choice in enumerate(PRECISION_CHOICES):
            self.precision_combo.addItem(choice, choice)
            self.precision_combo.setItemData(i, PRECISION_HELP[choice], QtCore.Qt.ItemDataRole.ToolTipRole)
        self.precision_combo.setToolTip("inference precision; beside it what runs now\n" + "\n".join(
            f"{c}: {PRECISION_HELP[c]}" for c in PRECISION_CHOICES))
        self._grey_out_missing_fp16()
        self.precision_combo.setCurrentIndex(self.precision_combo.findData(precision_choice(self.opts.model)))
        self.precision_combo.activated.connect(
            lambda i: self.set_precision(self.precision_combo.itemData(i)))
        self.precision_label = QtWidgets.QLabel("-")
        self.precision_label.setToolTip("the precision the model runs in now (a choice this device cannot "
                                        "run runs fp32, said on the status bar)")
        precision_row = QtWidgets.QHBoxLayout()
        precision_row.addWidget(self.precision_combo, 1)
        precision_row.addWidget(self.precision_label)
        ckpt_btn = QtWidgets.QPushButton("Load checkpoint ...")
        ckpt_btn.clicked.connect(self._checkpoint_dialog)
        reset_btn = QtWidgets.QPushButton("Reset state (r)")
        reset_btn.clicked.connect(self.reset_state)
        # a second model on the same windows, in a pane beside the reconstruction (--compare)
        self.compare_combo = QtWidgets.QComboBox()
        self.compare_combo.addItems(["none", *self.model_names()])
        self.compare_combo.setToolTip("a second model run on the same events beside the reconstruction (E2VID's "
                                      "blurry frame beside EvFocus's sharp one), on the same device")
        self.compare_combo.activated.connect(lambda i: self.set_compare(self.compare_combo.itemText(i)))
        # the compare box beside the model, "vs": a row less, the Display group in view at 1024x768
        # (both boxes as narrow as a short name: a checkpoint's path, elided, made the panel scroll
        # sideways at 1024x768, the buttons cut)
        for box in (self.model_combo, self.compare_combo):
            box.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(6)
        versus = QtWidgets.QLabel("vs")
        versus.setToolTip(self.compare_combo.toolTip())
        model_row = QtWidgets.QHBoxLayout()
        model_row.addWidget(self.model_combo, 1)
        model_row.addWidget(versus)
        model_row.addWidget(self.compare_combo, 1)
        f.addRow("model", model_row)
        f.addRow("device", self.device_combo)
        f.addRow("precision", precision_row)
        self._show_compare(self.opts.model.compare)
        buttons_row = QtWidgets.QHBoxLayout()  # (side by side: a row less in the panel)
        buttons_row.addWidget(ckpt_btn, 1)
        buttons_row.addWidget(reset_btn, 1)
        f.addRow(buttons_row)

        # window
        f = self._group(lay, "Window")
        self.window_mode = QtWidgets.QComboBox()
        self.window_mode.addItem("fixed events", "events")
        self.window_mode.addItem("fixed duration", "duration")
        self.window_mode.addItem("adaptive", "adaptive")  # (--adaptive-ms: the duration box is its X)
        self.window_mode.setItemData(2, ADAPTIVE_TIP, QtCore.Qt.ItemDataRole.ToolTipRole)
        self.window_mode.setToolTip("fixed events: the events box (auto = 0.35 per pixel); fixed duration: "
                                    f"the duration box; {ADAPTIVE_TIP}")
        self.window_mode.setCurrentIndex(max(0, self.window_mode.findData(self.opts.window.mode)))
        self.window_ms = DotSpinBox()  # (a point in any locale, as the readouts: DotSpinBox)
        self.window_ms.setDecimals(3)
        self.window_ms.setRange(MIN_WINDOW_MS, MAX_WINDOW_MS)  # what --window-ms takes
        self.window_ms.setSuffix(" ms")
        self.window_ms.setValue(self.opts.window.window_ms)
        self.window_events = QtWidgets.QSpinBox()
        self.window_events.setLocale(QtCore.QLocale.c())  # (as DotSpinBox: one number style in the viewer)
        self.window_events.setRange(0, MAX_WINDOW_EVENTS)
        self.window_events.setSingleStep(1000)
        self.window_events.setSpecialValueText("auto (0.35/px)")
        self.window_events.setValue(self.opts.window.window_events or 0)
        for w in (self.window_ms, self.window_events):
            w.setKeyboardTracking(False)
            w.valueChanged.connect(self._window_changed)
        self.window_mode.currentIndexChanged.connect(self._window_changed)
        self.window_mode.currentIndexChanged.connect(self._grey_out_unused_boxes)
        # spatial binning (--downsample): a high-rate sensor's frames at a real-time size
        self.downsample_combo = QtWidgets.QComboBox()
        self.downsample_combo.setToolTip("bin events N x N before the model (recordings keep the full size)")
        for n in sorted({1, 2, 4, 8, int(self.opts.window.downsample)}):
            self.downsample_combo.addItem("off" if n == 1 else f"{n}x{n}", n)
        self.downsample_combo.setCurrentIndex(self.downsample_combo.findData(int(self.opts.window.downsample)))
        self.downsample_combo.currentIndexChanged.connect(self._window_changed)
        # region of interest (--roi): part of a big sensor, in its own pixels, before the binning
        self.roi_edit = QtWidgets.QLineEdit(_roi_text(self.opts.window.roi))
        self.roi_edit.setPlaceholderText("full sensor")
        self.roi_edit.setToolTip("X,Y,W,H in pixels of the sensor (top-left origin): only events inside reach "
                                 "the model; Enter applies, empty = the full sensor (recordings keep it all)")
        self.roi_edit.editingFinished.connect(self._roi_edited)
        self.roi_full_button = QtWidgets.QPushButton("full sensor")
        self.roi_full_button.setToolTip("clear the region of interest")
        self.roi_full_button.clicked.connect(self.clear_roi)
        roi_row = QtWidgets.QHBoxLayout()
        roi_row.addWidget(self.roi_edit, 1)
        roi_row.addWidget(self.roi_full_button)
        f.addRow("mode", self.window_mode)
        f.addRow("duration", self.window_ms)
        f.addRow("events", self.window_events)
        f.addRow("ROI", roi_row)
        f.addRow("downsample", self.downsample_combo)

        # display: above the filters (at 1024x768, a projector's, the panel is taller than its view
        # with the simulated camera: the event view and the defocus map, what a demo turns, were
        # below the fold; the filters, set once, are there now)
        f = self._group(lay, "Display")
        self.event_mode_combo = QtWidgets.QComboBox()
        self.event_mode_combo.addItem("network window", "window")
        self.event_mode_combo.addItem("accumulate + decay", "decay")
        self.event_mode_combo.addItem("time surface", "time_surface")
        self.event_mode_combo.setCurrentIndex(max(0, self.event_mode_combo.findData(self.opts.event_mode)))
        self.event_mode_combo.currentIndexChanged.connect(self._event_mode_changed)
        self.decay_spin = DotSpinBox()
        self.decay_spin.setRange(1.0, 2000.0)
        self.decay_spin.setSuffix(" ms")
        self.decay_spin.setValue(self.opts.decay_ms)
        self.decay_spin.valueChanged.connect(self._event_mode_changed)
        self.event_mode_combo.currentIndexChanged.connect(self._grey_out_unused_boxes)
        # the palette beside the decay, on its row: a row more and the Display group left the view at
        # 1024x768 (test_side_panel_fits); beside the mode box, the two boxes cut their longest names
        self.palette_combo = QtWidgets.QComboBox()
        for label, name in PALETTE_ITEMS:
            self.palette_combo.addItem(label, name)
        self.palette_combo.setToolTip("event colours, in every mode: dark, light, gray (ON white, OFF black: "
                                      "no red/green, for colour-blind eyes) or coolwarm (after Metavision's)")
        self._show_palette(self.opts.display.palette)
        self.palette_combo.currentIndexChanged.connect(self._palette_changed)
        self.defocus_check = QtWidgets.QCheckBox("show defocus map")
        self.defocus_check.setChecked(self.opts.show_defocus)
        self.defocus_check.toggled.connect(self._lower_pane_changed)
        self.aps_check = QtWidgets.QCheckBox("APS frame (camera) in that pane")
        self.aps_check.setToolTip("show the camera's own grey-level frame (DAVIS) at the reconstructed "
                                  "frame's time instead of the defocus map")
        self.aps_check.setChecked(self.opts.show_aps)
        self.aps_check.setEnabled(False)  # (until a source with APS frames opens)
        self.aps_check.toggled.connect(self._lower_pane_changed)
        f.addRow("events", self.event_mode_combo)
        f.addRow("decay", self.decay_spin)
        # the palette on the check box's row, named (a bare box beside the decay read as part of it;
        # a row of its own put the Display group below the fold at 1024x768)
        colours = QtWidgets.QLabel("colours")
        colours.setToolTip(self.palette_combo.toolTip())
        defocus_row = QtWidgets.QHBoxLayout()
        defocus_row.addWidget(self.defocus_check, 1)
        defocus_row.addWidget(colours)
        defocus_row.addWidget(self.palette_combo)
        f.addRow(defocus_row)
        f.addRow(self.aps_check)

        # post-processing (built-ins and plugins, one checkbox each)
        f = self._group(lay, "Filters / post-processing")
        self.post_checks: dict[str, QtWidgets.QCheckBox] = {}
        checks = QtWidgets.QGridLayout()  # two columns: five checkboxes stood five rows tall
        checks.setVerticalSpacing(PANEL_SPACING_PX)
        for i, name in enumerate(self.registries[POSTPROCESSORS].names()):
            cb = QtWidgets.QCheckBox(POST_LABELS.get(name, name))
            cb.setChecked(name in self.opts.post.steps)
            cb.toggled.connect(self._post_changed)
            self.post_checks[name] = cb
            checks.addWidget(cb, i // 2, i % 2)
        f.addRow(checks)


    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction("Open file ...", self.open_file_dialog)
        m.addMenu(self.recent_menu)
        self.source_menu = m.addMenu("Open camera / source")
        for name in self.live_source_names():
            self.source_menu.addAction(name, lambda n=name: self.open_source(n))
        m.addAction("Snapshot (s)", self.snapshot)
        m.addAction("Load settings ...", self.load_settings_dialog)
        m.addAction("Save settings ...", self.save_settings_dialog)
        m.addSeparator()
        m.addAction("Quit (q)", self.close)
        m = mb.addMenu("&View")
        m.addAction("Fullscreen (f)", self.toggle_fullscreen)
        m.addAction("Black out the panes (b)", self.toggle_blank)
        m.addAction("Keyboard help (h)", self.help_overlay.toggle)
        m = mb.addMenu("&Help")
        m.addAction("Plugins ...", self.show_plugins_dialog)
        m.addAction("About ...", self.show_about_dialog)

    def _build_shortcuts(self) -> None:
        keys = {
            QtCore.Qt.Key.Key_Space: self.toggle_pause,
            QtCore.Qt.Key.Key_R: self.reset_state,
            QtCore.Qt.Key.Key_S: self.snapshot,
            QtCore.Qt.Key.Key_Left: lambda: self.step_key(-1),
            QtCore.Qt.Key.Key_Right: lambda: self.step_key(1),
            # (a presenter's clicker sends PageUp/PageDown, or the arrows)
            QtCore.Qt.Key.Key_PageUp: lambda: self.step_key(-1),
            QtCore.Qt.Key.Key_PageDown: lambda: self.step_key(1),
            QtCore.Qt.Key.Key_Up: lambda: self.turn_focus(FOCUS_KEY_STEP),
            QtCore.Qt.Key.Key_Down: lambda: self.turn_focus(-FOCUS_KEY_STEP),
            QtCore.Qt.Key.Key_F: self.toggle_fullscreen,
            # (a clicker's "start the slide show" and "black screen" keys, as PowerPoint's; in a
            # box typed in, b and . are the box's: Qt gives a text box its printable keys first)
            QtCore.Qt.Key.Key_F5: self.enter_fullscreen,
            QtCore.Qt.Modifier.SHIFT | QtCore.Qt.Key.Key_F5: self.enter_fullscreen,
            QtCore.Qt.Key.Key_B: self.toggle_blank,
            QtCore.Qt.Key.Key_Period: self.toggle_blank,
            QtCore.Qt.Key.Key_H: self.help_overlay.toggle,
            QtCore.Qt.Key.Key_Q: self.close,
            QtCore.Qt.Key.Key_Escape: self._escape,
        }
        self._shortcuts = []
        for key, fn in keys.items():
            sc = QtGui.QShortcut(QtGui.QKeySequence(key), self)
            sc.setContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            # a number typed in a box that holds the keyboard first, as a button does (_TypedFirst):
            # the keys a box leaves to the window (a clicker's PageUp/PageDown, F5) acted on the old one
            sc.activated.connect(self.take_typed_numbers)
            sc.activated.connect(fn)
            self._shortcuts.append(sc)

    # ------------------------------------------------------------------ status
    def status(self, text: str, level: str = "info", timeout_ms: int = 10_000, log_it: bool = True) -> None:
        self.status_log.append(text)
        if len(self.status_log) > 2 * STATUS_LOG_MAX:  # (trimmed in halves: not a copy per message)
            del self.status_log[:-STATUS_LOG_MAX]
        if level == "error" and log_it:
            log.warning("%s", text)
        if level in ("warning", "error"):
            self._notice = (text, timeout_ms, level)
        self._said_level = (text, level)  # (the bar's messageChanged carries no level: _status_tooltip)
        self.statusBar().showMessage(text, timeout_ms)
        self._colour_status(self.statusBar().currentMessage())  # (the same text again: no messageChanged)

    def failed(self, text: str, timeout_ms: int = 10_000) -> None:
        """An error on the status bar that also makes the exit status non-zero: a script that
        ran the viewer (``--record``, ``--exit-after-s``) saw 0 where headless said 2."""
        first = self.failure is None
        if first:
            self.failure = text
        self.status(text, "error", timeout_ms=timeout_ms, log_it=not (first and self.opts.failure_said_at_exit))

    def _status_tooltip(self, text: str) -> None:
        # (a Python slot: connected to the bar's own setToolTip, PySide warned at every start)
        if not text and self.blanked:
            # (a line said over the black-out's, gone: the black panes say why again; else the
            # bar stood empty over them, no word of the key that shows them)
            self.statusBar().showMessage(BLANK_TEXT)
            return
        self.status_label.setText(text)
        self.statusBar().setToolTip(text)
        self._colour_status(text)

    def _colour_status(self, text: str) -> None:
        """An error in red (dark on a light bar, light on a dark one): "no such file - keeping the
        current source" looked as every info line did, black on grey among them."""
        said, level = getattr(self, "_said_level", ("", "info"))
        error = bool(text) and text == said and level == "error"
        # (the window's palette, which the bar's follows: at the window's PaletteChange the bar still had the old)
        dark_bar = self.palette().color(QtGui.QPalette.ColorRole.Window).lightness() < 128
        sheet = f"color: {ERROR_TEXT_ON_DARK if dark_bar else ERROR_TEXT}" if error else ""
        if self.status_label.styleSheet() != sheet:  # (a style sheet set re-polishes the label)
            self.status_label.setStyleSheet(sheet)

    def _drain(self, s: LiveSession | None = None) -> None:
        """Move the session's queued messages to the status bar."""
        s = s or self.session
        while s is not None and s.messages:
            level, text = s.messages.popleft()
            self.status(text, level, log_it=False)  # the session logged it already

    def _text_dialog(self, title: str, body: str, min_w: int, min_h: int) -> QtWidgets.QDialog:
        """A non-modal dialog of read-only, selectable fixed-width text with a Close button; one
        per ``title``, filled anew and raised when asked again (each Help > About made a new one,
        closed only hidden: 50 looks at About and Plugins left 100 dialogs, +1700 Qt objects)."""
        kept = self._text_dialogs.get(title)
        if kept is not None:
            dlg, text = kept
            text.setPlainText(body)
            dlg.show()
            dlg.raise_()
            dlg.activateWindow()
            return dlg
        dlg = QtWidgets.QDialog(self)
        dlg.setWindowTitle(title)
        v = QtWidgets.QVBoxLayout(dlg)
        text = QtWidgets.QPlainTextEdit(body)
        text.setReadOnly(True)
        text.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        text.setMinimumSize(min_w, min_h)
        v.addWidget(text)
        bb = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        bb.rejected.connect(dlg.reject)
        v.addWidget(bb)
        self._text_dialogs[title] = (dlg, text)
        dlg.show()
        return dlg

    def show_plugins_dialog(self) -> QtWidgets.QDialog:
        self.plugins_dialog = self._text_dialog("Plugins", plugin_report(self.registries), 520, 320)
        return self.plugins_dialog

    def show_about_dialog(self) -> QtWidgets.QDialog:
        """Help > About: the version, model, torch and device, and where the settings live, as
        selectable text a bug report can carry."""
        self.about_dialog = self._text_dialog("About evfocus-live", about_text(self.session), 560, 220)
        return self.about_dialog

    # ------------------------------------------------------------------ sources
    def file_dialog_filter(self) -> str:
        """The open dialog's filter: every extension a file backend claims, a plugin's too
        (its ``.lev`` files were hidden behind "All files")."""
        from ..sources import file_extensions

        return f"Event files ({' '.join('*' + e for e in file_extensions())});;All files (*)"

    def open_file_dialog(self) -> None:
        """The open dialog, in the folder last opened from (kept between runs)."""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open event recording", settings.last_folder(),
                                                        self.file_dialog_filter())
        if path:
            settings.set_last_folder(Path(path).parent)  # (also when the file then fails to open)
            self.open_source(path)

    def _fill_recent_menu(self) -> None:
        """The recent files as they are now (rebuilt each time it opens: another viewer may have
        added one, a file may have gone): a missing one is listed disabled, "(not found)"."""
        menu = self.recent_menu
        menu.clear()
        files = settings.recent_files()
        for i, path in enumerate(files, 1):
            gone = not Path(path).is_file()
            shown = f"{Path(path).name}  \u2014  {Path(path).parent}".replace("&", "&&")  # (& is a shortcut mark)
            text = f"&{i} {shown}"
            act = menu.addAction(text + ("  (not found)" if gone else ""))
            act.setData(path)
            act.setToolTip(path)
            act.setEnabled(not gone)
            act.triggered.connect(lambda _=False, p=path: self.open_recent(p))
        if not files:
            menu.addAction("(no recent files)").setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("Clear", self.clear_recent)
        clear.setEnabled(bool(files))

    def open_recent(self, path: str) -> bool:
        if not Path(path).is_file():  # (gone since the menu was filled)
            self.status(f"{path}: no longer there", "error")
            self._fill_recent_menu()
            return False
        return self.open_source(path)

    def clear_recent(self) -> None:
        settings.clear_recent_files()
        self._fill_recent_menu()

    def _checkpoint_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load model checkpoint", "", "Checkpoints (*.pt *.pth)")
        if path:
            self.set_model(path)

    def open_source(self, spec, asked: bool = False) -> bool:
        """Switch to a camera name, a file or an open EventSource; on failure keep the current one.

        At start-up (no current source) a failure falls back to the simulated camera; with one
        running, a camera that is not attached keeps it too (it was swapped for the simulated
        camera: a replay, its place and its recording gone for a camera that was not there).
        ``asked``: the source the command line named, whose fallback is a :meth:`failed` run (exit
        status 2, as headless: a file that did not open exited 0 with the simulated camera shown).
        """
        from ..sources import open_source as open_named

        # (a --record/--video of it says the fallback itself, naming the recording refused)
        fallback_fails = asked and str(spec) not in ("sim", "auto") and self.opts.record_at_start is None
        msgs: list[str] = []
        warned: list[str] = []
        if isinstance(spec, EventSource):
            return self._start_session(spec) or self._start_sim_instead(spec)
        try:
            # the readers' warnings at the open, e.g. "file is truncated ...: reading the N complete
            # packets" (the other routes to the status bar: see SourceWarnings)
            with SourceWarnings(warned.append):
                src = open_with_fallback(str(spec), msgs) if self.session is None else open_named(str(spec))
        except Exception as exc:
            text = str(exc) if isinstance(exc, EvFocusError) else f"cannot open {spec}: {type(exc).__name__}: {exc}"
            if self.session is not None or str(spec) == "sim":
                self.status(text + (" - keeping the current source" if self.session is not None else ""), "error")
                self._show_source_combo(self.session.source if self.session is not None else None)
                return False
            try:  # (said once, with what shows instead: it was logged twice)
                src = open_with_fallback("sim", msgs)
                msgs.append(f"{text} - showing the simulated camera instead")
            except Exception as exc2:
                self.status(text, "error")
                self.status(f"no source available: {exc2}", "error")
                return False
        ok = self._start_session(src)
        if ok and not src.is_live and Path(str(spec)).is_file():  # (not the fallback camera)
            settings.add_recent_file(spec)
        for m in msgs:
            if fallback_fails:
                self.failed(m)
            else:
                self.status(m, "error")
        if ok:
            for m in warned:  # (logged already: shown, not logged twice)
                self.status(m, "warning", timeout_ms=15_000)
        return ok or self._start_sim_instead(src)

    def _start_sim_instead(self, failed) -> bool:
        """A source that opened but could not be run, with none running before: the
        simulated camera instead, as for one that does not open. Always False (``failed``
        did not start)."""
        if self.session is None and getattr(failed, "format", "sim") != "sim":
            if self.open_source("sim"):
                self.status(f"{failed.format} source could not run - showing the simulated camera instead",
                            "error")
        return False

    def _window_for(self, src) -> tuple[WindowConfig, tuple[str, str] | None]:
        """The window settings for a new source ``src``: its sensor size's ROI from earlier in
        this session (else the last asked for), or the whole sensor, with the (level, line) that
        says why when the sensor cannot hold it, or that an ROI other than the one on show came back."""
        from ..config import check_roi_fits

        size = (int(src.width), int(src.height))
        remembered = not self._roi_for_next and size in self._rois
        roi = self._rois[size] if remembered else self._roi_asked
        if roi is None:
            return dataclasses.replace(self.opts.window, roi=None), None
        try:
            check_roi_fits(roi, *size, f"the {src.format} source's")
        except EvFocusError as exc:
            kept = [f"{w}x{h}" for (w, h), r in self._rois.items() if r == roi]
            why = f"{exc} - running on the whole sensor" + (
                f" (the ROI is kept for the {' and '.join(kept)} sensor: it comes back when one opens)"
                if kept else "")
            return dataclasses.replace(self.opts.window, roi=None), ("error", why)
        said = None
        if remembered and roi != self.opts.window.roi:
            said = ("info", f"ROI {_roi_text(roi)}: this {size[0]}x{size[1]} sensor's, from earlier in the session "
                            "(\"full sensor\" clears it)")
        return dataclasses.replace(self.opts.window, roi=roi), said

    def _halt_pipeline(self, sess: LiveSession) -> None:
        """Stop ``sess``'s threads, its recording still open: a camera's first read in progress
        is waited for (seconds) only when its events are recorded, and said: the window holds still."""
        recording = sess.recorder.records_events
        wait_s = sess.pipeline.first_read_wait_s if recording else 0.0
        if wait_s > LIVE_READ_JOIN_S:
            self.status(f"waiting up to {wait_s:.0f} s for the camera's first events, for the recording")
            self.statusBar().repaint()  # now: the stop holds the GUI thread
        sess.pipeline.stop(wait_first_read=recording)

    def _start_session(self, src) -> bool:
        old = self.session
        if old is not None:  # halt the old pipeline, but keep it (and its recording) until
            # the new one stands: a failed switch goes on recording
            self._halt_pipeline(old)
        try:
            window, roi_said = self._window_for(src)  # (a plugin's width None: said as LiveSession says it)
            sess = LiveSession(src, window, self.opts.model, self.opts.post,
                               model_obj=self.opts.model_obj, event_mode=self.opts.event_mode,
                               decay_ms=self.opts.decay_ms, palette=self.opts.display.palette, speed=self.opts.speed,
                               loop=self.loop_check.isChecked(),
                               cpu_warned=old.pipeline.cpu_warned if old is not None else None)
        except Exception as exc:
            src.close()
            text = str(exc) if isinstance(exc, EvFocusError) else f"{type(exc).__name__}: {exc}"
            if old is not None:
                self.status(f"{text} - keeping the current source", "error")
                old.start()
            else:  # (there is none to keep)
                self.status(f"{text} - no source running", "error")
                self._show_idle(text)
            return False
        saved: list[Path] = []
        if old is not None:
            if old.recorder.active:
                saved = self._finish_recording(old)
            # its pipeline was told to stop above, and waited for: a worker still busy now (a slow
            # model's window) ends on its own, and the app joins it at exit; a second 5 s wait
            # here froze the window again
            old.stop(timeout_s=0.1)
        self._show_recording(False)  # a recording belongs to its source
        self.session = sess
        if not (self._what_runs_said or sess.no_model):  # (later switches: the status bar and About)
            self._what_runs_said = True
            log.info("%s", what_runs(sess.model_cfg.name, sess.pipeline))
        self.last_frame = None
        self._event_t_painted = None
        self.defocus_indicator.clear()
        for p in (self.event_pane, self.frame_pane, self.defocus_pane, self.compare_pane):
            p.blank()
            p.set_note("")  # (set again at the new sensor's size if it still applies)
        self._set_placeholders()
        self._blank_readouts()  # (the old source's "sensor time 0.274 s" stood by the new empty panes up to
        # the next readout update, 250 ms; the source row is set again below)
        if old is not None:  # the old session is unreferenced now: its heap back to the OS (else
            old = None  # 24 switches grew the viewer ~1 GB), before the new one's threads start
            release_freed_memory()
        info = src.info if hasattr(src, "info") else None
        name = getattr(src, "path", None) or src.format
        self.opts.source = str(name) if getattr(src, "is_live", False) is False else src.format
        self._source_name = Path(str(name)).name
        self.setWindowTitle(f"{self._source_name} - evfocus-live")  # (the taskbar: which file this is)
        if roi_said is not None:
            sess.message(roi_said[1], roi_said[0])
        self._roi_for_next = False
        self._rois[(int(src.width), int(src.height))] = sess.window_cfg.roi
        if sess.window_cfg != self.opts.window:  # this sensor's ROI, or none (said when it cannot hold it)
            self.opts.window = sess.window_cfg
            self._show_window_controls(sess.window_cfg)
        self._show_source_size(sess)
        self._show_roi_outline()
        self._setup_sim_controls(src)
        self._show_source_combo(src)
        live = sess.is_live
        for w in (self.seek_slider, self.speed_combo, self.loop_check):
            w.setEnabled(not live)
        self.play_button.setText("Pause")
        self._sync_model_controls(sess)
        self._sync_post_controls(sess)
        self.aps_check.setEnabled(sess.has_aps)  # (a recording's frames load in the background)
        self._aps_waiting = sess.aps_loading
        self._lower_pane_changed()
        self._latency_ms = None
        self._painted_at, self._paint_gap_s = None, 0.0
        self._fps = FrameCounter()  # (the last source's rate stood beside the new one's blank panes)
        self._meter_from_index = 0
        self._awaiting = None
        self._end_pass = 0
        self._end_remade = False
        self._stall_said = False
        self._warmup_said = ""
        self._behind = BehindNotice()
        self._displaced = None
        self._quiet_s, self._quiet_said, self._quiet_ev0 = 0.0, False, 0
        self._gap, self._gap_t_us, self._gap_said = None, None, ""
        self.time_label.setMinimumWidth(TIME_LABEL_MIN_PX)  # (the last recording's widest time: not this one's)
        self._few_frames_said = False
        recording = self._record_at_start(src) if self.opts.record_at_start is not None else []
        sess.start()
        text = f"playing {name}" if info is None or not live else f"live: {src.format}"
        if saved:  # else "playing ..." would hide "recording saved" at once
            text += f" (recording saved: {', '.join(str(p) for p in saved)})"
        if recording:  # (and "recording to ...", said as it started, just before)
            text += f" (recording to {', '.join(recording)})"
        self.status(text)
        self._drain(sess)  # after: a fallback (model, device, post-processor) must not be hidden at once
        if not sess.aps_loading:  # (else said once its frames are read, see _aps_arrived)
            self._say_no_aps(sess)
        return True

    def _say_no_aps(self, sess: LiveSession) -> None:
        """The APS frame asked for (--show-aps, the toggle kept from a DAVIS file) from a source
        without them is said: the toggle only greyed out, still ticked, and the pane showed the
        defocus map under "playing <file>", as if the request had been taken."""
        if self.aps_check.isChecked() and not sess.has_aps:
            self.status(f"no APS frames in this {sess.source.format} source: the pane shows the defocus map",
                        "warning", timeout_ms=15_000)

    def _show_source_combo(self, src) -> None:
        """The camera box names the running camera: empty for a file (or an unlisted camera),
        and back to what runs after a pick that failed."""
        if src is not None and src.is_live and self.source_combo.findText(src.format) >= 0:
            self.source_combo.setCurrentText(src.format)
        else:  # a file (or an unlisted camera): the box must not still name the previous camera
            self.source_combo.setCurrentIndex(-1)

    # ------------------------------------------------------------------ sim controls
    def _setup_sim_controls(self, src) -> None:
        while self.sim_form.rowCount():
            self.sim_form.removeRow(0)
        self.sim_widgets = {}
        self.sim_values = {}
        self.sim_truth = None
        inner = getattr(src, "inner", src)
        if not hasattr(inner, "set_focus"):
            self.sim_box.hide()
            return
        if self.opts.sim_focus is not None:
            self._call_sim("focus", inner.set_focus, self.opts.sim_focus)
        for name, value in list(self.opts.sim_knobs.items()):
            setter = getattr(inner, f"set_{name}", None)
            if setter is not None:
                self._call_sim(name, setter, value)
        specs = {}
        try:
            raw = inner.controls() if hasattr(inner, "controls") else {}
            specs = {d["name"]: d for d in raw} if isinstance(raw, list) else dict(raw)
        except Exception as exc:
            log.warning("sim controls() failed: %s", exc)
        dial_column = None
        for name, spec in self._sim_specs(specs).items():
            setter = getattr(inner, f"set_{name}", None)
            if setter is None:
                continue
            if spec.get("choices"):
                w = QtWidgets.QComboBox()
                w.addItems([str(c) for c in spec["choices"]])
                if spec.get("value") is not None:
                    w.setCurrentText(str(spec["value"]))
                w.currentTextChanged.connect(lambda v, s=setter, n=name: self._call_sim(n, s, v))
            else:
                lo, hi = float(spec.get("min", 0.0)), float(spec.get("max", 1.0))
                if name == "focus":  # a focus ring: a dial, like the lens
                    w = QtWidgets.QDial()
                    w.setNotchesVisible(True)
                    w.setWrapping(False)
                    w.setFixedHeight(FOCUS_DIAL_PX)
                else:
                    w = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
                w.setRange(0, 1000)
                if isinstance(w, QtWidgets.QSlider):
                    self._keyboard_slider(w, spec.get("step"), hi - lo)
                else:  # (the dial: Up/Down turn it from anywhere, turn_focus)
                    w.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
                val = float(spec.get("value", (lo + hi) / 2))
                w.setValue(int(round(1000 * (val - lo) / (hi - lo or 1.0))))
                w.valueChanged.connect(lambda v, s=setter, n=name, lo=lo, hi=hi:
                                       self._call_sim(n, s, lo + (hi - lo) * v / 1000.0))
            w.setToolTip(spec.get("help", ""))
            self.sim_widgets[name] = w
            row = w
            if isinstance(w, (QtWidgets.QSlider, QtWidgets.QDial)):  # its value beside it
                row = QtWidgets.QWidget()
                hbox = QtWidgets.QHBoxLayout(row)
                hbox.setContentsMargins(0, 0, 0, 0)
                shown = QtWidgets.QLabel()
                shown.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
                self.sim_values[name] = shown

                def say(v, lab=shown, n=name, lo=lo, hi=hi, step=spec.get("step")):
                    lab.setText(_sim_value_text(n, lo + (hi - lo) * v / 1000.0, step))
                say(w.value())
                w.valueChanged.connect(say)
                hbox.addWidget(w, 1)
                if isinstance(w, QtWidgets.QDial):  # (a column: the true blur goes under the value)
                    dial_column = QtWidgets.QVBoxLayout()
                    dial_column.addStretch(1)
                    dial_column.addWidget(shown)
                    dial_column.addStretch(1)
                    hbox.addLayout(dial_column)
                else:
                    hbox.addWidget(shown)
            self.sim_form.addRow(spec.get("label", name), row)
        if self.sim_widgets and hasattr(inner, "subject_sigma_px"):
            self.sim_truth = QtWidgets.QLabel("-")
            tip = "ground truth from the simulator: blur sigma of the subject"
            self.sim_truth.setToolTip(tip)
            if dial_column is not None:  # beside the knob that sets it, in the dial's tall row: a row less
                truth_row = QtWidgets.QHBoxLayout()
                caption = QtWidgets.QLabel("true blur")
                caption.setToolTip(tip)
                truth_row.addWidget(caption)
                truth_row.addWidget(self.sim_truth)
                dial_column.insertLayout(2, truth_row)
            else:
                self.sim_form.addRow("true blur", self.sim_truth)
        self.sim_box.setVisible(bool(self.sim_widgets))
        self._wheel_needs_focus.watch(self.sim_box)
        self._typed_first.watch(self.sim_box)

    @staticmethod
    def _sim_specs(specs: dict) -> dict:
        """Normalise ``controls()`` output to {name: {min,max,value,choices,label,help}}."""
        out = {}
        defaults = {"focus": {"min": 0.0, "max": 1.0, "label": "focus"},
                    "scene": {"choices": []}, "speed": {"min": 0.0, "max": 2.0},
                    "light": {"min": 0.05, "max": 1.0}}
        for name in ("focus", "scene", "speed", "light"):
            spec = specs.get(name, defaults[name])
            if isinstance(spec, (tuple, list)) and len(spec) >= 2 and all(isinstance(v, (int, float)) for v in spec[:2]):
                spec = {"min": spec[0], "max": spec[1], **({"value": spec[2]} if len(spec) > 2 else {})}
            elif isinstance(spec, (tuple, list)):
                spec = {"choices": list(spec)}
            elif not isinstance(spec, dict):
                spec = defaults[name]
            if name == "scene" and not spec.get("choices"):
                spec = dict(spec, choices=list(spec.get("options", spec.get("values", []))))
                if not spec["choices"]:
                    continue
            out[name] = spec
        return out

    def _call_sim(self, name: str, setter, value) -> None:
        try:
            setter(value)
        except Exception as exc:
            self.status(f"sim {name}: {exc}", "error")
            return
        if name == "focus":  # remembered for the next time the simulated camera opens
            self.opts.sim_focus = float(value)
        else:
            self.opts.sim_knobs[name] = value

    # ------------------------------------------------------------------ controls
    def toggle_pause(self) -> None:
        if self.session is None:  # (after a fault: Play must not just do nothing)
            self.status("no source is running - open a file or camera", "warning", timeout_ms=5000)
            return
        self._end_remade = False
        paused = self.session.toggle_pause()
        self.play_button.setText("Play" if paused else "Pause")
        self.status("paused" if paused else "playing", timeout_ms=2000)

    def set_speed(self, speed: float) -> None:
        self.opts.speed = float(speed)  # the next source plays at it too
        s = self.session
        if s is not None:
            s.set_speed(speed)
            # (paused, it stays so: "speed: 2x" alone hid for its 2 s that the replay does not play;
            # a played pause's rest plays at the new speed, but "max" ends it at once)
            gap = self._gap if speed > 0 else None
            state = (" (paused)" if s.paused or s.pausing else " (at the end)" if s.ended
                     else "" if gap is None else " (in the pause at the end of the recording)"
                     if getattr(gap, "at_end", False) else " (in a pause in the recording)")
            self.status(("speed: as fast as possible" if speed == 0 else f"speed: {speed:g}x") + state,
                        timeout_ms=2000)

    def seek(self, t_us: int) -> None:
        if self.session is not None:
            self._end_remade = False
            self.session.seek(t_us)

    def _escape(self) -> None:
        """Esc: leave fullscreen, and give the keys back from a box being typed in."""
        if self.isFullScreen():
            self.showNormal()
        self._keys_to_panes()

    def _keyboard_slider(self, slider: QtWidgets.QSlider, step: float | None, span: float) -> None:
        """A simulated camera's slider reached by Tab (not by a click: the mouse would leave
        it holding the arrows), an arrow moving it by its control's ``step`` (0.1x of speed,
        0.05 of light; a hundredth without one), Home/End to its ends (:class:`_SliderKeys`)."""
        slider.setFocusPolicy(QtCore.Qt.FocusPolicy.TabFocus)
        units = slider.maximum() - slider.minimum()
        try:
            single = int(round(units * float(step) / span)) if step and span > 0 else units // 100
        except (TypeError, ValueError):
            single = units // 100
        slider.setSingleStep(max(1, single))
        slider.setPageStep(max(1, 10 * single))
        if not hasattr(self, "_slider_keys"):
            self._slider_keys = _SliderKeys(self._keys_to_panes, self)
        slider.installEventFilter(self._slider_keys)

    def _keys_to_panes(self) -> None:
        """Move the keyboard from a side-panel box typed in (or a slider reached by Tab) to the
        panes: in the box, space and a clicker's PageUp/PageDown edited it instead of pausing or
        turning the focus knob (the box's value applies as it loses the keyboard)."""
        fw = QtWidgets.QApplication.focusWidget()
        if (isinstance(fw, (QtWidgets.QAbstractSpinBox, QtWidgets.QLineEdit, QtWidgets.QAbstractSlider))
                and self.side_scroll.isAncestorOf(fw)):
            self.event_pane.setFocus(QtCore.Qt.FocusReason.ShortcutFocusReason)

    def step_key(self, sign: int) -> None:
        """Left/Right, PageUp/PageDown: seek a file by a second; on the simulated camera (live:
        nothing to seek) turn its focus knob, so a clicker can run the focus demo."""
        if self.session is not None and self.session.is_live and "focus" in self.sim_widgets:
            self.turn_focus(sign * FOCUS_KEY_STEP)
        else:
            self.seek_relative(sign * SEEK_STEP_US)

    def turn_focus(self, step: float) -> None:
        """Turn the focus knob by ``step`` (of its 0..1) from the keyboard: the dial takes no
        keyboard focus (the arrow keys belong to the window), so no key reached it."""
        dial = self.sim_widgets.get("focus")
        if dial is None:
            self.status("no focus knob: only the simulated camera has one", timeout_ms=2000)
            return
        dial.setValue(dial.value() + int(round(step * (dial.maximum() - dial.minimum()))))
        knob = (dial.value() - dial.minimum()) / ((dial.maximum() - dial.minimum()) or 1)
        end = " (far end)" if dial.value() == dial.minimum() else " (near end)" if dial.value() == dial.maximum() else ""
        self.status(f"focus {knob:.2f}{end} - 0.5 is the subject in focus", timeout_ms=2000)

    def seek_relative(self, dt_us: int) -> None:
        if self.session is None:
            return
        if self.session.is_live:
            self.status("a live source cannot seek", timeout_ms=2000)
            return
        self._end_remade = False
        if self._gap_t_us is not None and (self.session.seek_target_us is None
                                           or self._sought_gap(self.session, self._gap)):
            # from the time shown in a pause in the recording being played: at 12.3 s in it, the
            # left arrow went to 1 s before the frame on show, before the pause
            self.session.seek(int(self._gap_t_us) + int(dt_us))
            return
        self.session.seek_relative(dt_us)

    def _slider_action(self, action: int) -> None:
        # (the signal gives an int, never equal to the enum: every mouse move of a drag sought, and
        # the handle was moved back under the mouse to the frame on show)
        if action == QtWidgets.QAbstractSlider.SliderAction.SliderMove.value:
            return  # dragging: seek on release
        QtCore.QTimer.singleShot(0, self._slider_released)

    def _slider_released(self) -> None:
        self._slider_busy = False
        if self.session is None:
            return
        r = self.session.time_range_us
        if r is None:
            return
        self.seek(int(r[0] + (r[1] - r[0]) * self.seek_slider.value() / 1000))

    def reset_state(self) -> None:
        if self.session is not None:
            self.session.reset_state()
            self.defocus_indicator.clear()
            self._drain()

    def set_model(self, name: str, device: str | None = None) -> None:
        """Switch model/device; the choice holds for the next source too. On failure the
        controls go back to what runs."""
        if self.session is None:  # (no source running: the next one starts with it)
            self.opts.model = dataclasses.replace(self.opts.model, name=name, device=device or self.opts.model.device)
            self.opts.model_obj = None
            return
        def switch() -> None:
            if self.session.set_model(name, device):
                self.opts.model_obj = None
                self._model_rebuilt()
                switched.append(True)
        switched: list[bool] = []
        before = self.session.model_cfg.name
        self._switch_model(f"loading model {name} ...", switch)
        if switched and self.session.model_cfg.name != before:
            # (the "vs" box's model picked as the main one; a failed pick's line, or a device switch's
            # "model: X on cuda", stays the last: they made nothing one)
            self._say_compare_is_the_model()

    def _switch_model(self, text: str, switch: Callable[[], None]) -> None:
        """Run ``switch`` (a model load) with ``text`` said first and the wait cursor on, the GUI
        thread held meanwhile (seconds for a full model); then the model controls show what runs."""
        self.status(text, timeout_ms=3000)
        self.statusBar().repaint()  # now: the load holds the GUI thread
        QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.WaitCursor)
        try:
            switch()
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        self._sync_model_controls(self.session)
        self._drain()

    def set_compare(self, name: str | None) -> None:
        """Run ``name`` beside the model (None or "none": no second model); the choice holds for
        the next source too, and later runs (saved once it runs; ``--compare`` wins). Both
        models' states are reset. On failure the box goes back, and the choice is not saved."""
        if name is not None and name.strip().lower() == "none":
            name = None
        switched: list[bool] = []
        if self.session is None:  # (no source running: the next one starts with it)
            self.opts.model = dataclasses.replace(self.opts.model, compare=name)
            self._show_compare(self.opts.model.compare)
            settings.save_compare(name)
            switched.append(True)
        else:
            def switch() -> None:
                if self.session.set_compare(name):  # (kept for the next source, beside a model object given too)
                    self.opts.model = dataclasses.replace(self.opts.model, compare=self.session.model_cfg.compare)
                    settings.save_compare(self.session.model_cfg.compare)
                    self._model_rebuilt()
                    switched.append(True)
            self._switch_model(f"loading compare model {name} ..." if name and name != "none" else
                               "comparing with none", switch)
        if switched:  # (a failed pick: its line, why, stays the last)
            self._say_compare_is_the_model()

    def _say_compare_is_the_model(self) -> None:
        """The "vs" box's model the main one's own (by name or its file) runs each window twice
        for the same picture: said on the status bar, as start-up says it for --compare (after
        the "vs" box, the model box or a settings file made them one)."""
        from ..nn.registry import same_model

        cfg = self.session.model_cfg if self.session is not None else self.opts.model
        if cfg.compare is not None and same_model(cfg.compare, cfg.name):
            self.status(f"compare model {cfg.compare}: the same model as the main one ({cfg.name}): each window "
                        "runs it twice for the same picture", level="warning")

    def _show_compare(self, name: str | None) -> None:
        """The "vs" box (compare) and the compare pane = the compare model that runs (none: the
        pane hidden and its column given no room, the layout as without the feature)."""
        text = name or "none"
        self.compare_combo.blockSignals(True)
        if self.compare_combo.findText(text) < 0:
            self.compare_combo.addItem(text)
        self.compare_combo.setCurrentText(text)
        self.compare_combo.blockSignals(False)
        if name is not None:
            self.compare_pane.set_title(f"compare: {model_title(name)}")
        if self.compare_pane.isVisibleTo(self) != (name is not None):
            self.compare_pane.blank()
        self.compare_pane.setVisible(name is not None)
        self._panes_grid.setColumnStretch(2, 0 if name is None else 1)
        # the readouts take the compare column's empty cell below it (in a third of a 1024 px window
        # their values were cut); without one, one column (spanning the empty one added its spacing)
        grid, span = self._panes_grid, 1 if name is None else 2
        if grid.getItemPosition(grid.indexOf(self._readouts_box))[3] != span:
            grid.removeWidget(self._readouts_box)
            grid.addWidget(self._readouts_box, 1, 1, 1, span)

    def set_precision(self, choice: str) -> None:
        """Run the model in ``choice`` (auto, fp32, bf16, fp16) from now on, and in later runs
        (saved; ``--precision`` wins). The model is rebuilt as a model switch rebuilds it and its
        recurrent state reset; a choice this device cannot run runs fp32, said on the status bar;
        on failure the controls go back to what runs, and the choice is not saved."""
        from .precision import with_precision

        if self.session is not None and precision_choice(self.session.model_cfg) == choice:
            settings.save_precision(choice)
            return  # (picked again: no rebuild, no state reset)
        if self.session is None:  # (no source running: the next one starts with it)
            settings.save_precision(choice)
            self.opts.model = with_precision(self.opts.model, choice)
            self._show_precision()
            return
        self.status(f"precision {choice}: rebuilding the model ...", timeout_ms=3000)
        self.statusBar().repaint()  # now: a reload holds the GUI thread
        QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.WaitCursor)
        try:
            if self.session.set_precision(choice):  # (saved once it runs: a failed one is not kept)
                settings.save_precision(choice)
                if self.opts.model_obj is not None:  # (the object given, kept: opts.model is not synced)
                    self.opts.model = with_precision(self.opts.model, choice)
                self._model_rebuilt()
                self.status(f"precision {choice}: the model runs in {effective_precision(self.session.pipeline)} "
                            "(its state was reset)")
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        self._sync_model_controls(self.session)
        self._drain()

    def _model_rebuilt(self) -> None:
        """After a model, device or precision switch: the old model's readouts must not linger in
        the meter (its bar, its smoothing), nor come back from a frame it finished just before."""
        self.defocus_indicator.clear()
        self._meter_from_index = self.session.pipeline.stats.frames
        self._show_one_frame_if_paused()

    def _show_precision(self) -> None:
        """The precision box = the choice that runs; the label beside it = what the model runs in
        now (a choice the device cannot run runs fp32; bf16 can be given up mid-run)."""
        cfg = self.session.model_cfg if self.session is not None else self.opts.model
        i = self.precision_combo.findData(precision_choice(cfg))
        if i >= 0 and i != self.precision_combo.currentIndex():
            self.precision_combo.blockSignals(True)
            self.precision_combo.setCurrentIndex(i)
            self.precision_combo.blockSignals(False)
        runs = "-" if self.session is None else (
            "none (no model)" if self.session.no_model else effective_precision(self.session.pipeline))
        text = "-" if runs == "-" else f"runs {runs}"
        if self.precision_label.text() != text:
            self.precision_label.setText(text)

    def _sync_model_controls(self, sess: LiveSession) -> None:
        """Model, device and precision boxes and ``opts.model`` = what the session runs (after a
        fallback or a failed switch, not what was asked for)."""
        if self.opts.model_obj is None:
            self.opts.model = sess.model_cfg
        self._show_model_controls(sess.model_cfg)

    def _show_model_controls(self, cfg: ModelConfig) -> None:
        for combo, text in ((self.model_combo, cfg.name), (self.device_combo, cfg.device)):
            combo.blockSignals(True)
            if combo.findText(text) < 0:
                combo.addItem(text)
            combo.setCurrentText(text)
            combo.blockSignals(False)
        self._show_precision()
        self._show_compare(cfg.compare)

    def take_typed_numbers(self) -> None:
        """Apply a number typed in a side-panel box (or the ROI box) and not yet applied, as
        Enter would: a button or menu calls it before it acts, whichever widget holds the
        keyboard. A box whose text is its value already changes nothing."""
        for box in self.side_scroll.widget().findChildren(QtWidgets.QAbstractSpinBox):
            if box.isEnabled():
                box.interpretText()  # (its valueChanged applies it; an unreadable text puts the value back)
        if self.roi_edit.isModified():
            self.roi_edit.setModified(False)
            self._roi_edited()

    def _roi_edited(self) -> None:
        """The ROI box, on Enter or leaving it: applied only when it changed (leaving the box
        must not reset the network's state)."""
        try:
            roi = parse_roi("ROI", self.roi_edit.text())
        except EvFocusError as exc:
            self.status(str(exc), "error")
            self._show_window_controls(self.opts.window)
            return
        changed = roi != self.opts.window.roi
        if changed:
            self._window_changed()
        else:
            self._show_window_controls(self.opts.window)  # (the spelling the config gives)
        shown = self._notice is not None and self.statusBar().currentMessage() == self._notice[0]
        if roi is None and self.opts.window.roi is None and (changed or shown):
            self._roi_cleared()

    def _roi_dragged(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """A rectangle dragged on the event pane, in the pixels of the image it shows: the
        model's (ROI, downsampled) in "network window" mode, the sensor's in the others."""
        from ..config import MIN_ROI_PX

        sess = self.session
        shape = self.event_pane.image_shape
        if sess is None or shape is None:  # (it did nothing, in silence)
            self.status("ROI: the event pane shows no frame to drag on"
                        + (" (\"full sensor\" in the Window group shows the whole sensor)" if sess is not None
                           else ": open a file or camera first"), "warning", timeout_ms=5000)
            return
        pipe = sess.pipeline
        sw, sh = pipe.source_size
        if tuple(shape) == (pipe.height, pipe.width):  # (also the sensor's size when neither is set)
            scale, (ox, oy) = pipe.downsample, (pipe.roi or (0, 0))[:2]
        elif tuple(shape) == (sh, sw):
            scale, ox, oy = 1, 0, 0
        else:  # (a frame of a size that no longer runs)
            self.status("ROI: the event pane still shows a frame of the last setting: drag again on the next",
                        "warning", timeout_ms=5000)
            return
        xa = min(max(ox + math.floor(min(x0, x1)) * scale, 0), sw)
        xb = min(max(ox + math.ceil(max(x0, x1)) * scale, 0), sw)
        ya = min(max(oy + math.floor(min(y0, y1)) * scale, 0), sh)
        yb = min(max(oy + math.ceil(max(y0, y1)) * scale, 0), sh)
        if xb - xa < MIN_ROI_PX or yb - ya < MIN_ROI_PX:
            self.status(f"ROI: the dragged rectangle is {xb - xa}x{yb - ya} sensor pixels; "
                        f"drag at least {MIN_ROI_PX}x{MIN_ROI_PX}", "error")
            return
        self.roi_edit.setText(_roi_text((xa, ya, xb - xa, yb - ya)))
        self._roi_edited()

    def clear_roi(self) -> None:
        """The "full sensor" button: no region of interest."""
        self.roi_edit.setText("")
        self._roi_edited()

    def _window_changed(self, *_):
        mode = self.window_mode.currentData()
        ev = self.window_events.value() or None
        try:
            roi = parse_roi("ROI", self.roi_edit.text())
        except EvFocusError as exc:  # (a half-typed box when another control changed: what runs)
            self.status(str(exc), "error")
            roi = self.opts.window.roi
            self.roi_edit.setText(_roi_text(roi))
        cfg = dataclasses.replace(self.opts.window, mode=mode, window_ms=float(self.window_ms.value()),
                                  window_events=ev, downsample=int(self.downsample_combo.currentData()), roi=roi)
        if self.session is not None and not self.session.set_window(cfg):
            self._show_window_controls(self.opts.window)  # refused (said on the status bar): what runs
            self._drain()
            return
        before = self.opts.window
        self._window_applied(cfg)
        if (cfg.mode, cfg.window_ms, cfg.window_events) != (before.mode, before.window_ms, before.window_events):
            self.status(f"window: {_window_text(cfg)} - network state reset", timeout_ms=3000)

    def _roi_cleared(self) -> None:
        """Said when the ROI is cleared (or cleared again over an error on show): an ROI error just
        before ("not X,Y,W,H") stayed on the bar for its 10 s, and came back after the new size's
        warm-up, over the full sensor."""
        self._notice = self._displaced = None
        self.status("ROI cleared: the model sees the whole sensor", timeout_ms=3000)

    def _window_applied(self, cfg: WindowConfig) -> None:
        """After the session took the window ``cfg`` (or with none running): it is the one for
        this sensor and the next source, and the panes and labels follow it."""
        roi = cfg.roi
        if roi != self.opts.window.roi:  # asked for: this sensor's, and a new sensor's, ROI
            self._roi_asked = roi
            self._roi_for_next = self.session is None  # (else a remembered sensor's ROI would win)
        self.opts.window = cfg
        if self.session is not None:
            src = self.session.source
            self._rois[(src.width, src.height)] = roi
            self._show_source_size(self.session)
            self._show_roi_outline()
            self._awaiting = _Awaiting(self.session.pipeline.stats.frames)
            self._show_one_frame_if_paused()  # (it kept showing the old ROI's frame beside the new outline)
            self._drain()

    def _show_one_frame_if_paused(self) -> None:
        """A paused replay (or one at its end) makes one frame with what was just changed
        (window, ROI, model, device, filters, event view) and stays paused, as after a seek:
        else the panes went on showing a frame the new setting did not make, under its name."""
        s = self.session
        if s is not None and (s.paused or s.ended) and not s.is_live and s.source.can_seek:
            # (an end not yet said, e.g. a setting changed before the next tick: said after it)
            self._end_remade = self._end_remade or (s.ended and self._end_pass == s.passes)
            s.redo()  # (at the end of a recording: its last window again, and the end again)

    def _show_window_controls(self, cfg: WindowConfig) -> None:
        """The window controls set to ``cfg`` without re-applying it (they showed a setting the
        pipeline had refused, and the next source opened with it)."""
        controls = (self.window_mode, self.window_ms, self.window_events, self.downsample_combo, self.roi_edit)
        for w in controls:
            w.blockSignals(True)
        try:
            i = self.window_mode.findData(cfg.mode)
            if i >= 0:
                self.window_mode.setCurrentIndex(i)
            self.window_ms.setValue(cfg.window_ms)
            self.window_events.setValue(cfg.window_events or 0)
            self.downsample_combo.setCurrentIndex(self.downsample_combo.findData(int(cfg.downsample)))
            self.roi_edit.setText(_roi_text(cfg.roi))
        finally:
            for w in controls:
                w.blockSignals(False)
        self._grey_out_unused_boxes()

    def _grey_out_unused_boxes(self, *_) -> None:
        """Only the boxes the current modes read are editable: "fixed events" showed an
        editable 33 ms duration, "fixed duration" and "adaptive" an events count, and the
        network-window event view a decay, none of which changed anything."""
        mode = self.window_mode.currentData()
        self.window_ms.setEnabled(mode in ("duration", "adaptive"))
        self.window_events.setEnabled(mode == "events")
        self.decay_spin.setEnabled(self.event_mode_combo.currentData() != "window")

    def _show_source_size(self, sess: LiveSession) -> None:
        """Source label and readout: the sensor, and the size the model runs at with an ROI or
        downsampled ("1280x720 → 640x360")."""
        src = sess.source
        size = f"{src.width}x{src.height}"
        w, h = sess.pipeline.width, sess.pipeline.height
        if (w, h) != (src.width, src.height):
            size += f" \u2192 {w}x{h}"
        name = getattr(self, '_source_name', src.format)
        said = [name]  # (each once: the simulated camera read "sim: sim, simulated, ...")
        for part in (src.format, src.sensor):
            if part and part not in said:
                said.append(part)
        inner = getattr(src, "inner", src)
        guessed = getattr(inner, "size_inferred", False)  # (as evfocus info marks it)
        strays = getattr(inner, "size_strays", 0) or 0
        rest = f" of the rest, {strays:,} far-off set aside" if strays else ""
        self.source_label.setText(f"{said[0]}: {', '.join([*said[1:], size])}" + (" (live)" if src.is_live else "")
                                  + (f" (max x/y + 1{rest}: the file gives no size)" if guessed else ""))
        self.readouts.set("source", f"{src.format} {size}")

    def _post_changed(self, *_):
        steps = tuple(n for n, cb in self.post_checks.items() if cb.isChecked())
        self.opts.post = dataclasses.replace(self.opts.post, steps=steps)
        if self.session is not None:
            if self.session.set_post(steps):
                self._show_one_frame_if_paused()
            self._sync_post_controls(self.session)
            self._drain()

    def _sync_post_controls(self, sess: LiveSession) -> None:
        """Checkboxes and ``opts.post`` = the steps the session runs: a step that could not
        be built, or failed mid-stream, is unchecked rather than shown as running (and is
        not tried again on every source)."""
        steps = tuple(sess.post_cfg.steps)
        if steps != tuple(self.opts.post.steps):
            self.opts.post = dataclasses.replace(self.opts.post, steps=steps)
        self._show_post_checks(steps)

    def _show_post_checks(self, steps: tuple[str, ...]) -> None:
        for name, cb in self.post_checks.items():
            if cb.isChecked() != (name in steps):
                cb.blockSignals(True)
                cb.setChecked(name in steps)
                cb.blockSignals(False)

    def _event_mode_changed(self, *_):
        mode = self.event_mode_combo.currentData()
        self.opts.event_mode = mode
        # (the tooltip said blue and red in the decay view too, which is white and black on grey)
        self.event_pane.setToolTip(event_pane_tip(mode, self.opts.display.palette))
        self.opts.decay_ms = float(self.decay_spin.value())
        if self.session is not None:
            self.session.set_event_mode(mode, self.opts.decay_ms)
            fv = self.last_frame
            if mode == "window" and self._blank_awaiting:
                self.event_pane.blank()  # (as the other panes: not the old setting's events)
            elif mode == "window" and fv is not None and fv.event_image is not None:
                self.event_pane.show_image(fv.event_image)  # (paused: the last mode's image stayed)
            self._event_t_painted = None
            if mode != "window":
                self._show_one_frame_if_paused()  # (the decay / time-surface view starts over: blank)
        self._show_roi_outline()

    def _show_palette(self, palette: str) -> None:
        """The palette box on ``palette`` (``light`` is ``white``'s other name), without a change signal."""
        i = self.palette_combo.findData(PALETTE_ALIASES.get(palette, palette))
        self.palette_combo.blockSignals(True)
        self.palette_combo.setCurrentIndex(max(0, i))
        self.palette_combo.blockSignals(False)

    def _palette_changed(self, *_) -> None:
        self.set_palette(self.palette_combo.currentData())

    def set_palette(self, palette: str) -> None:
        """The event pane's colours in every mode; a paused pane is painted again in them."""
        old = self.opts.display.palette
        self.opts.display = dataclasses.replace(self.opts.display, palette=palette)
        self._show_palette(palette)
        self.event_pane.setToolTip(event_pane_tip(self.opts.event_mode, palette))
        s = self.session
        if s is None:
            return
        s.set_palette(palette)
        fv = self.last_frame
        if fv is not None and fv.event_image is not None:  # (a paused window's, in the new colours)
            self.last_frame = fv = dataclasses.replace(fv, event_image=recolour(fv.event_image, old, palette))
        if s.event_mode != "window":
            self.event_pane.show_image(s.event_view.render())
        elif fv is not None and fv.event_image is not None and not self._blank_awaiting:
            self.event_pane.show_image(fv.event_image)

    @property
    def _blank_awaiting(self) -> bool:
        """The panes are blank, a new window setting's first frame late (``_check_awaiting``):
        the frame held is the old setting's (the whole sensor's, with a new ROI)."""
        return self._awaiting is not None and self._awaiting.said

    def _show_roi_outline(self) -> None:
        """The ROI outlined on the event pane where it shows the whole sensor (the decay and
        time-surface modes); hidden without an ROI, with no source, and in "network window"
        mode (that pane shows the ROI itself)."""
        s = self.session
        roi = s.pipeline.roi if s is not None and s.event_mode != "window" else None
        self.event_pane.set_outline(roi)

    def toggle_fullscreen(self) -> None:
        (self.showNormal if self.isFullScreen() else self.showFullScreen)()

    def enter_fullscreen(self) -> None:
        """F5 (Shift+F5): fullscreen, and again fullscreen (a slide show's start: not a toggle)."""
        if not self.isFullScreen():
            self.showFullScreen()

    @property
    def blanked(self) -> bool:
        return self.blank_cover.isVisibleTo(self)

    def toggle_blank(self) -> None:
        """b or .: black out the panes and readouts (a slide show's black screen), said on the
        status bar while it lasts; again: the frames, which went on meanwhile, show again."""
        on = not self.blanked
        self.blank_cover.set_on(on)
        if on:
            if self.help_overlay.isVisible():
                self.help_overlay.raise_()
            self.status(BLANK_TEXT, timeout_ms=0)
        else:
            if self.statusBar().currentMessage() == BLANK_TEXT:
                self.statusBar().clearMessage()
            self.status("panes shown again", timeout_ms=2000)

    # ------------------------------------------------------------------ snapshot / recording
    def _grab_uncovered(self) -> QtGui.QImage:
        """The window as an image, the panes under a black-out's cover (black panes were no
        record of the frame and readouts); the cover stays on screen (hidden within one call)."""
        blanked = self.blanked
        self.blank_cover.setVisible(False)
        try:
            return self.grab().toImage()
        finally:
            self.blank_cover.setVisible(blanked)

    def snapshot(self) -> Path | None:
        """Save the current reconstructed frame as PNG (and the whole window beside it)."""
        if self.last_frame is None:
            self.status("snapshot: no frame yet", timeout_ms=3000)
            return None
        if self._awaiting is not None and self._awaiting.said:  # (the panes are blank: not the old frame)
            self.status(f"snapshot: no frame yet - {self.frame_pane.note.toPlainText()}", "warning", timeout_ms=3000)
            return None
        stamp = time.strftime("%Y%m%d_%H%M%S") + f"_{self.last_frame.index:06d}"
        try:
            # (a second snapshot of the frame within the second, paused, another event view or
            # map beside it: ``_1``, ``_2``, ..., as recordings; it overwrote the first pair)
            # (absolute: the default folder is the current one, and "saved: evfocus_....png" said
            # no folder to a user who started the viewer from a launcher)
            base = free_stem(Path(self.opts.snapshot_dir).resolve(), f"evfocus_{stamp}",
                             suffixes=(".png", "_window.png", "_compare.png"))
            path = save_png(base.with_name(base.name + ".png"), self.last_frame.image)
            compare = self.last_frame.compare if self.compare_pane.isVisible() else None
            if compare is not None:  # (the compare model's frame of the same window)
                compare = save_png(base.with_name(base.name + "_compare.png"), compare)
            whole = save_png(base.with_name(base.name + "_window.png"), qimage_to_array(self._grab_uncovered()))
        except EvFocusError as exc:
            self.status(str(exc), "error")
            return None
        # (both: the window's PNG, the bigger of the two, went unsaid)
        also = f", {Path(compare).name} (the compare model's)" if compare is not None else ""
        self.status(f"snapshot saved: {path}{also} and {Path(whole).name} (the whole window)", timeout_ms=5000)
        return path

    def load_settings_dialog(self) -> None:
        """File > Load settings ...: a settings file (``.toml``) to apply now."""
        start = Path(settings.last_folder() or ".")
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load settings", str(start), "Settings (*.toml)")
        if path:
            self.load_settings_from(path)

    def load_settings_from(self, path: str | Path) -> bool:
        """Apply the window, model, post-processing and palette of the settings file ``path`` (as the
        side panel's controls would, and they show it). A bad file, or settings the running source
        refuses, is one status-bar line naming the file and the key, and nothing changes."""
        from .app import viewer_settings

        s = self.session
        old = (s.window_cfg, s.model_cfg, s.post_cfg) if s is not None else (
            self.opts.window, self.opts.model, self.opts.post)
        try:
            got, window, model, post = viewer_settings(path, *old)
            images = None
            if got.has("sim", "images"):  # (checked as --images is, before anything changes)
                from ..simulate.textures import user_image_names

                images = user_image_names(got.sim.images, f"{path}: [sim] images")
        except EvFocusError as exc:
            self.status(str(exc), "error")
            return False
        if s is None:  # (no source running: the next one starts with them)
            if model.name != self.opts.model.name:  # (the same name: a model object given is kept,
                self.opts.model_obj = None          # as the running source's rebuild keeps it)
            self.opts.model = model
            self.opts.post = post
            self._window_applied(window)
        held: list[tuple[str, str]] = []
        if s is not None:
            held = self._apply_settings(path, s, old, window, model, post)
            if held is None:
                return False
        if images is not None:  # the simulated camera's pictures: now if it runs, else when it opens
            inner = getattr(s.source, "inner", s.source) if s is not None else None
            if inner is not None and hasattr(inner, "set_images"):
                self._call_sim("images", inner.set_images, images)
            else:
                self.opts.sim_knobs["images"] = images
        if got.has("model", "precision") or got.has("model", "half"):
            settings.save_precision(precision_choice(model))  # (as the precision box keeps its choice)
        runs = (self.opts.model if s is None else s.model_cfg).compare
        if got.has("model", "compare") and (model.compare is None or runs is not None):
            # (as the "vs" box keeps its choice: one that did not load leaves the earlier pick, as there)
            settings.save_compare(runs)
        if got.has("display", "palette"):  # (left out: the palette shown stays, as any key left out)
            self.set_palette(got.display.palette)
        self._show_window_controls(self.opts.window)
        self._show_post_checks(self.opts.post.steps)
        self._show_model_controls(self.opts.model if s is None else s.model_cfg)
        for level, text in held:  # ("model: X on cpu")
            if level == "info":
                self.status(text, level, log_it=False)
        self.status(f"settings loaded from {path}", timeout_ms=8000)
        for level, text in held:  # (a precision this device cannot run: not hidden by the line above)
            if level != "info":
                self.status(text, level, log_it=False)
        if model.name != old[1].name or model.compare != old[1].compare:
            self._say_compare_is_the_model()
        return True

    def _apply_settings(self, path, s: LiveSession, old: tuple, window: WindowConfig, model: ModelConfig,
                        post: PostConfig) -> list[tuple[str, str]] | None:
        """The running session switched to these configs, the cheapest refusal first (an ROI this
        sensor cannot hold), the model load last; one refused puts back those already switched
        (None). Else the (level, text) lines the model's load queued, for the caller to show
        around its "settings loaded" line."""
        undo = []
        self._drain(s)  # (queued before the load: shown, not cleared with the refusal's)

        def refused(key: str) -> None:
            for step in reversed(undo):
                step()
            # the refusal (said once below, with the file's name) and the put-back's are the errors;
            # the source's warnings the reader thread queued meanwhile are shown, not dropped
            said, kept = "refused", []
            while s.messages:
                lvl, text = s.messages.popleft()
                if lvl != "error":
                    kept.append((lvl, text))
                elif said == "refused":
                    said = text
            for lvl, text in kept:
                self.status(text, lvl, log_it=False)
            self.status(f"{path}: {key} {said} - no settings loaded", "error", log_it=False)
            return None

        if window != old[0]:
            if not s.set_window(window):
                return refused("[window]")
            undo.append(lambda: s.set_window(old[0]))
        if post != old[2]:
            if not s.set_post(post.steps, post.options):
                return refused("[post]")
            undo.append(lambda: s.set_post(old[2].steps, old[2].options))
        held = []
        if model != old[1]:
            self.status(f"loading model {model.name} ...", timeout_ms=3000)
            self.statusBar().repaint()  # now: the load below holds the GUI thread
            QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.WaitCursor)
            try:
                ok = s.set_model_config(model)
            finally:
                QtWidgets.QApplication.restoreOverrideCursor()
            if not ok:
                return refused("[model]")
            while s.messages:
                held.append(s.messages.popleft())
            if model.name != old[1].name:
                self.opts.model_obj = None
            self.opts.model = s.model_cfg  # (also beside a model object given, as the precision box sets it)
            self._model_rebuilt()  # (a paused replay's frame made again, as after each of these)
        if window != old[0]:
            self._window_applied(window)
        elif model == old[1]:
            self._show_one_frame_if_paused()
        self.opts.post = s.post_cfg
        self._drain()
        return held

    def save_settings_dialog(self) -> None:
        """File > Save settings ...: where to write the settings file (``.toml``)."""
        start = Path(settings.last_folder() or ".") / "evfocus-live.toml"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save settings", str(start), "Settings (*.toml)")
        if path:
            self.save_settings_to(path)

    def save_settings_to(self, path: str | Path) -> Path | None:
        """Write the window, model, post-processing and palette that run (``config_file``) to ``path``, for
        ``evfocus-live --config`` and ``evfocus reconstruct --config``; a folder that cannot be
        written is said on the status bar."""
        from ..config_file import save_settings, sim_camera_config

        s = self.session
        cfgs = (s.window_cfg, s.model_cfg, s.post_cfg) if s is not None else (
            self.opts.window, self.opts.model, self.opts.post)
        try:
            saved = save_settings(path, *cfgs, sim_camera_config(self.opts.sim_knobs.get("images", ())),
                                  self.opts.display)
        except EvFocusError as exc:
            self.status(str(exc), "error")
            return None
        self.status(f"settings saved to {saved} (evfocus-live --config / evfocus reconstruct --config read it)",
                    timeout_ms=8000)
        return saved

    def start_recording(self, events: bool = True, video: bool = True) -> bool:
        """Record to ``record_dir/evfocus_<time>.aedat4/.mp4``; a name already taken (two
        recordings in one second) gets ``_1``, ``_2``, ...: nothing is overwritten."""
        if self.session is None:
            self._show_recording(False)
            self.status("Record: no source is running - open a file or camera first", "error", timeout_ms=5000)
            return False
        try:
            base = free_stem(self.opts.record_dir, "evfocus_" + time.strftime("%Y%m%d_%H%M%S"))
        except EvFocusError as exc:  # (a refused start leaves a running recording going)
            self.status(str(exc), "error")
            self._show_recording(self.session.recorder.active)
            return False
        return self.record_to(base.with_name(base.name + ".aedat4") if events else None,
                              base.with_name(base.name + ".mp4") if video else None)

    def record_to(self, events_path=None, video_path=None, overwrite: bool = False, asked: bool = False) -> bool:
        """Start recording the running source to these paths (``--record``/``--video``
        give ``overwrite=True``: the user named them; ``asked``: a refusal is a :meth:`failed`
        run, as headless); the Record button shows it, so a click stops it like any other recording."""
        s = self.session
        if s is None:
            self._show_recording(False)
            self.status("Record: no source is running - open a file or camera first", "error", timeout_ms=5000)
            return False
        if s.ended and not s.recorder.active:  # (closing then saved a one-frame video of the last window)
            self._show_recording(False)
            self.status("Record: the replay has ended - nothing more to record (press Play to replay it, "
                        "then Record)", "warning", timeout_ms=8000)
            return False
        try:
            for p in (events_path, video_path):  # (the CLI checked its names; a caller may not have)
                if p is not None:
                    check_not_input("recording to", p, [getattr(s.source, "path", None)])
            s.recorder.start(events_path=events_path, video_path=video_path, overwrite=overwrite,
                             width=s.source.width, height=s.source.height, sensor=s.source.sensor)
        except EvFocusError as exc:  # (a refused start leaves a running recording going)
            if asked:
                self.failed(str(exc))
            else:
                self.status(str(exc), "error")
            self._show_recording(self.session.recorder.active)
            return False
        self.status("recording to " + ", ".join(str(p) for p in (events_path, video_path) if p is not None))
        self._show_recording(True)
        return True

    def _record_at_start(self, src) -> list[str]:
        """``--record``/``--video`` on the first source, before it reads: the paths it records
        to (none when refused). A camera or file that did not open is not recorded as the
        simulated camera shown instead (the file named for a DAVIS session held simulated
        events, said only in a status line long gone)."""
        events_path, video_path, asked = self.opts.record_at_start
        self.opts.record_at_start = None
        if str(asked) not in ("sim", "auto") and getattr(src, "format", None) == "sim":
            text = (f"--record/--video: {asked} did not open and the simulated camera shows instead: "
                    "nothing recorded (press Record to record the simulated camera)")
            # (on the loop's next turn: "live: sim" and the fallback's own line come after this)
            QtCore.QTimer.singleShot(0, lambda: self.failed(text, timeout_ms=60_000))
            return []
        if not self.record_to(events_path, video_path, overwrite=True, asked=True):  # (the CLI checked its names)
            return []
        return [str(p) for p in (events_path, video_path) if p is not None]

    def _show_recording(self, on: bool) -> None:
        """Set the Record button without starting or stopping anything."""
        self.record_button.blockSignals(True)
        self.record_button.setChecked(on)
        self.record_button.blockSignals(False)

    def stop_recording(self) -> list[Path]:
        if self.session is None:
            self._show_recording(False)
            return []
        return self._finish_recording(self.session)

    def _finish_recording(self, sess: LiveSession) -> list[Path]:
        was_on = sess.recorder.active
        paths = sess.recorder.stop()
        n_ev = sess.recorder.n_events  # (after: stop writes the events still held for the last packet)
        self._show_recording(False)
        if paths:
            text = saved_text(paths, sess.recorder, n_ev)
            if sess.recorder.video_unmade is not None:  # ("recording to x.aedat4, x.mp4" was said)
                why = "it ran paused" if sess.paused or sess.pausing else "it stopped before the first frame"
                text += f"; no frame was made ({why}): {sess.recorder.video_unmade.name} not written"
            log.info("%s", text)  # the status bar may move on at once (a source switch)
            self.status(text)
        elif was_on:  # (it stopped in silence; "paused?" was said also of a replay that played on)
            why = ("the replay was paused while it ran" if sess.paused or sess.pausing
                   else "it was stopped before the first event arrived")
            self.status(f"recording stopped: {why} - nothing saved", "warning")
        if sess.recorder.error:  # (the last packet's write or the file's close at the stop: disk full...;
            self.failed(sess.recorder.error)  # headless exits 2 for it, the viewer closing said nothing)
            sess.recorder.error = None
        return paths

    def _record_toggled(self, on: bool) -> None:
        if on:
            self.start_recording()
        else:
            self.stop_recording()

    # ------------------------------------------------------------------ painting
    def _tick(self) -> None:
        s = self.session
        if s is None:
            return
        now = time.monotonic()
        self._drain(s)
        if s.recorder.error:  # (disk full...: headless exits 2 for it too)
            self.failed(s.recorder.error)
            s.recorder.error = None
            if not s.recorder.active:  # both outputs gave up: the button must not say recording
                self._show_recording(False)
        err = s.check()  # before the take: a fault is reported once the last frame is in the slot
        if tuple(s.post_cfg.steps) != tuple(self.opts.post.steps):  # a post-processor failed: left out
            self._sync_post_controls(s)
            self._drain(s)
        if s.model_cfg.compare != self.opts.model.compare:  # a compare model failed: left out
            self.opts.model = dataclasses.replace(self.opts.model, compare=s.model_cfg.compare)
            self._show_compare(s.model_cfg.compare)
            self._drain(s)
        fv = s.slot.take()
        if fv is not None:
            self._paint(fv, now)
        if err is not None:
            self._session_failed(s, err)
            return
        if self._aps_waiting and not s.aps_loading:
            self._aps_arrived(s)
        if self._awaiting is not None:
            self._check_awaiting(s, now)
        if not self._few_frames_said:
            self._say_few_frames(s)
        self._show_gap(s, now)
        self._show_quiet(s, now)
        if s.event_mode != "window":
            t = s.event_view.t_now_us
            if t != self._event_t_painted:
                self._event_t_painted = t
                self.event_pane.show_image(s.event_view.render())
        if now - self._last_readout > 0.25:
            self._last_readout = now
            self._update_readouts(now)
            self.frame_pane.set_title("no model: direct event integration" if s.no_model
                                      else f"reconstruction: {model_title(s.model_cfg.name)}")
            top = s.sigma_max_px
            if top != self.defocus_indicator.max_px:
                self.defocus_indicator.set_range(top)
                if not self.aps_shown:
                    self.defocus_pane.set_title(self._defocus_title())

    def _say_few_frames(self, s: LiveSession) -> None:
        """A recording whose pass fills fewer than FEW_FRAMES windows is said once, with the
        window settings that give about ten frames, as ``evfocus reconstruct`` and a headless
        run say it: the 8.8 ms EVK3 file is one default window (0.35 per pixel of 1280x720 is
        322,560 events, the file 219,596), so the viewer showed one frame a pass and no word why."""
        pipe, st = s.pipeline, s.pipeline.stats
        counts = st.first_pass if st.loops else ((st.events_total, st.frames) if s.ended else None)
        if s.is_live or counts is None or pipe.window_cfg.roi is not None:
            return
        self._few_frames_said = True  # (judged on the first pass: one line, not one a pass)
        rng = s.time_range_us
        hint = few_frames_hint(counts[1], counts[0], (rng[1] - rng[0]) if rng else None, pipe.window_cfg,
                               pipe.window_events, what="each pass of the recording" if st.loops else "the recording")
        if hint:
            hint = re.sub(r"--window-ms (\S+)", r"fixed duration \1 ms", hint)
            self.status(re.sub(r"--window-events (\d+)", r"fixed events \1", hint), "warning", timeout_ms=20_000)

    def _check_awaiting(self, s: LiveSession, now: float) -> None:
        """No frame of a new window setting after ``NO_FRAME_S`` of play (paused, stalled or
        ended time not counted; a slow model's inference added): the panes still showed the old
        setting's last frame, frozen, as if it were the new one's. Blanked, with a note, said once."""
        aw = self._awaiting
        if not (s.paused or s.ended or s.stalled_s or self._gap is not None):
            aw.waited_s += now - aw.t_counted
        aw.t_counted = now
        if aw.said or aw.waited_s < self._late_after_s(s):
            return
        aw.said = True
        roi = s.pipeline.roi
        where = f"inside the ROI {_roi_text(roi)}" if roi is not None else "for this window setting"
        self.status(f"no frame for {aw.waited_s:.0f} s: waiting for events {where}"
                    + (" (\"full sensor\" shows the whole sensor)" if roi is not None else ""), "warning")
        for p in (self.frame_pane, self.defocus_pane, self.compare_pane) + (
                (self.event_pane,) if s.event_mode == "window" else ()):
            p.blank()
        self._aps_painted = None  # (the APS frame too: cropped to the old ROI)
        self.frame_pane.set_note(f"waiting for events {where}")

    @staticmethod
    def _late_after_s(s: LiveSession) -> float:
        """Play time with no frame past which that is news: ``NO_FRAME_S``, plus a slow model's
        inference and a long window (up to 4x its X when adaptive), which are not late."""
        infer_ms = float(_stat(s.stats(), "infer_ms", default=0.0) or 0.0)
        cfg = s.window_cfg
        window_s = cfg.window_ms / 1e3 * {"duration": 1, "adaptive": cfg.adaptive_max_extend}.get(cfg.mode, 0)
        if not s.is_live and s.speed > 0:
            window_s /= s.speed
        return NO_FRAME_S + 3 * infer_ms / 1e3 + window_s

    def _show_quiet(self, s: LiveSession, now: float) -> None:
        """Playing and reading, but no new frame (a still scene: a window of 31,486 events waits
        for its count, 16 s at a still camera's noise): said on the status bar while it lasts,
        its seconds counting, instead of a frozen frame and "display fps 0.0" with no word. Paused,
        ended and stalled time is not counted, nor a new setting's first frame (_check_awaiting)."""
        counting = not (s.paused or s.ended or s.stalled_s) and self._awaiting is None and self._gap is None
        if counting:  # (capped: a model loading on this thread is no quiet scene)
            self._quiet_s += min(now - self._quiet_t, 0.5)
        self._quiet_t = now
        if not counting or self._quiet_s < self._late_after_s(s):
            return
        events = s.window_cfg.mode == "events"
        need_n = s.pipeline.window_events if events else 1
        if int(_stat(s.stats(), "events_total", default=0)) - self._quiet_ev0 >= need_n:
            return  # (a window's events are there: the model is busy, e.g. its slow first window)
        need = f"; a window needs {need_n:,} events" if events else ""
        text = f"{QUIET_PREFIX}{self._quiet_s:.0f} s: {_fmt_rate(s.event_rate.rate(now))} arrive{need} (a still scene?)"
        if not self._quiet_said:
            self._quiet_said = True
            self.status(text, "warning", timeout_ms=0, log_it=False)
        elif self.statusBar().currentMessage().startswith(QUIET_PREFIX):  # the seconds go on
            self.statusBar().showMessage(text)

    def _show_gap(self, s: LiveSession, now: float) -> None:
        """A pause in the recording (no events) that the paced replay plays: said on the status
        bar while it plays, with where events come again, and the time label moves through it
        (the frame and the event pane hold still); cleared when events come, or at a seek (one
        into it plays its rest: said from the time sought). It read "no new frame ... (a still
        scene?)" after 2 s, the time label stood still, and nothing said that a long pause was
        shortened."""
        gap = getattr(s.pipeline, "played_gap", None)
        seeking = s.seek_target_us is not None and not self._sought_gap(s, gap)
        if s.paused or s.pausing or seeking:
            gap = None if gap is not self._gap else gap  # (paused in it: held, said again on play)
            playing = False
        else:
            playing = gap is not None
        if gap is not self._gap:
            if self._gap_said and self.statusBar().currentMessage() == self._gap_said:
                self.statusBar().clearMessage()  # (events again, or a seek: not left standing)
            self._gap, self._gap_said = gap, ""
            if gap is not None:
                self._gap_t_us = float(gap.from_us)
        last, self._gap_tick = self._gap_tick, now
        held, self._gap_held = self._gap_held, gap is not None and not playing
        if gap is None or not playing:
            return
        # the sensor time the replay's clock has reached in it (a shortened one: faster, to its end)
        span_us = gap.until_us - gap.from_us
        scale = span_us / 1e6 / (gap.wall_s * gap.speed) if gap.wall_s > 0 and gap.speed > 0 else 1.0
        self._gap_t_us = min((self._gap_t_us or gap.from_us) + min(now - last, 0.5) * 1e6 * s.speed * max(scale, 1.0),
                             float(gap.until_us))
        first = not self._gap_said
        if first:
            r = s.time_range_us
            until = f" (no events until {(gap.until_us - r[0]) / 1e6:.1f} s)" if r is not None else ""
            # (after a seek into it: the time from there, not the whole pause's)
            what = f"{span_us / 1e6:.1f} s left of a" if getattr(gap, "sought", False) else f"a {span_us / 1e6:.1f} s"
            text = f"{what} pause in the recording{until}"
            if getattr(gap, "at_end", False):  # (a looping replay of a file whose clock runs on past its last event)
                text = f"{what} pause at the end of the recording (then it plays again from the start)"
            if gap.shortened:
                at = f", {span_us / 1e6 / gap.speed:.1f} s at {gap.speed:g}x" if gap.speed != 1 else ""
                text += f": shortened to {MAX_GAP_S:g} s (a pause plays for at most {MAX_GAP_S:g} s{at})"
            self._gap_said = text
        # (over an info line, not a warning; at once over "playing" after a pause in it: it came
        # back only once "playing" had faded, 2 s on; again after a "speed: 2x" has gone)
        shown, notice = self.statusBar().currentMessage(), self._notice[0] if self._notice else None
        if shown != self._gap_said and (((first or held) and shown != notice) or not shown
                                        or shown.startswith(QUIET_PREFIX)):
            self.status(self._gap_said, timeout_ms=0, log_it=False)

    @staticmethod
    def _sought_gap(s: LiveSession, gap) -> bool:
        """Whether ``gap`` is the rest of a pause in the recording that the last seek went into:
        played (the seek is done) though no frame from there has come yet (``seek_target_us``)."""
        return (gap is not None and getattr(gap, "sought", False) and s.seek_target_us is not None
                and gap.from_us == s.seek_target_us)

    def _aps_arrived(self, s: LiveSession) -> None:
        """A recording's APS frames are read (in the background, see ``LiveSession``): the
        toggle for a source that turned out to have them, and the frame shown now gets its
        APS frame at once (a paused replay makes no new frame to carry it)."""
        self._aps_waiting = False
        if self.aps_check.isEnabled() != s.has_aps:
            self.aps_check.setEnabled(s.has_aps)
        fv = self.last_frame
        if fv is not None and fv.aps is None and s.pipeline.aps:
            hit = s.pipeline.aps_view_at(fv.t_us)
            if hit is not None:
                self.last_frame = dataclasses.replace(fv, aps=hit[1], aps_t_us=int(hit[0]))
        self._lower_pane_changed()
        self._say_no_aps(s)

    def _aps_note(self) -> str:
        s = self.session
        return "loading APS frames\u2026" if s is not None and s.aps_loading else "no APS frame before this time"

    def _defocus_title(self) -> str:
        """The pane's title: the map's scale, or that there is no map (an E2VID's pane said
        "0-8 px" over "this model predicts no defocus map")."""
        if getattr(self, "_no_defocus_map", False):
            return NO_DEFOCUS_MAP_TITLE
        return f"defocus map (blur \u03c3, 0-{self.defocus_indicator.max_px:g} px)"

    def _show_map_missing(self, missing: bool) -> None:
        """The painted frame has a defocus map or not: the title says which (once it changes)."""
        if missing != getattr(self, "_no_defocus_map", False):
            self._no_defocus_map = missing
            if not self.aps_shown:
                self.defocus_pane.set_title(self._defocus_title())

    @property
    def aps_shown(self) -> bool:
        """The defocus-map pane shows the camera's APS frame (asked for, and the source has them)."""
        return self.aps_check.isChecked() and self.aps_check.isEnabled()

    def _lower_pane_changed(self, *_) -> None:
        """The defocus-map pane's on/off or APS toggle changed: its colour map, title and
        content follow at once (from the frame shown, so a paused replay shows it too)."""
        aps = self.aps_shown
        self.defocus_pane.setVisible(aps or self.defocus_check.isChecked())
        self.defocus_pane.set_lut(None if aps else inferno_lut())
        self.defocus_pane.set_title("APS frame (camera)" if aps else self._defocus_title())
        self.defocus_pane.setToolTip("the camera's own grey-level frame at the reconstructed frame's time" if aps
                                     else DEFOCUS_PANE_TIP)
        self.defocus_pane.blank()
        self.defocus_pane.set_note(self._aps_note() if aps and self.session is not None
                                   and self.session.aps_loading else "")
        self._aps_painted = None
        if self.last_frame is not None:
            self._paint_lower(self.last_frame)

    def _paint(self, fv, now: float) -> None:
        s = self.session
        if self._awaiting is not None and fv.index >= self._awaiting.first_index:
            self._awaiting = None
            if self.frame_pane.note.toPlainText():  # ("waiting for events ...")
                self.frame_pane.set_note("")
        self.frame_pane.show_image(fv.image)
        if fv.compare is not None and self.compare_pane.isVisible():
            self.compare_pane.show_image(fv.compare)
        self._gap_t_us = None  # (the time label: this frame's)
        self._quiet_s, self._quiet_ev0 = 0.0, int(_stat(s.stats(), "events_total", default=0))
        if self._quiet_said:  # (frames again: "no new frame for 9 s" must not stay on)
            self._quiet_said = False
            if self.statusBar().currentMessage().startswith(QUIET_PREFIX):
                self.statusBar().clearMessage()
        if s.event_mode == "window" and fv.event_image is not None:
            self.event_pane.show_image(fv.event_image)
        self._paint_lower(fv)
        if fv.index >= self._meter_from_index:
            self.defocus_indicator.push(fv.defocus_mean_px, fv.t_us, has_map=fv.defocus is not None)
        if fv.arrival is not None:
            self._latency_ms = (time.monotonic() - fv.arrival) * 1e3
        if self._painted_at is not None:
            self._paint_gap_s = now - self._painted_at
        self._painted_at = now
        self._fps.tick(now)
        self.last_frame = fv
        self.frames_painted += 1
        self.frame_shown.emit(fv.index)

    def _paint_lower(self, fv) -> None:
        """The defocus-map pane: the APS frame at ``fv``'s time (repainted only when it
        changes: ~25 per second against hundreds of reconstructions), else the defocus map."""
        if self.aps_shown:
            if fv.aps is None:
                note = self._aps_note()
                if self._aps_painted is not None or self.defocus_pane.note.toPlainText() != note:
                    self.defocus_pane.show_image(np.zeros(fv.image.shape, np.uint8))
                    self.defocus_pane.set_note(note)
                    self._aps_painted = None
            elif fv.aps is not self._aps_painted:
                self.defocus_pane.show_image(fv.aps)
                self.defocus_pane.set_note("")
                self._aps_painted = fv.aps
            return
        self._show_map_missing(fv.defocus is None)
        if fv.defocus is not None:
            if self.defocus_pane.isVisible():
                self.defocus_pane.show_image(defocus_to_uint8(fv.defocus, self.defocus_indicator.max_px))
            if self.defocus_pane.note.toPlainText():
                self.defocus_pane.set_note("")
        elif not self.defocus_pane.note.toPlainText():
            self.defocus_pane.show_image(np.zeros(fv.image.shape, np.uint8))
            self.defocus_pane.set_note("this model predicts no defocus map")

    def _update_readouts(self, now: float) -> None:
        s = self.session
        st = s.stats()
        ro = self.readouts
        rate = _stat(st, "events_per_s", "event_rate", "events_s")
        stalled_s = s.stalled_s
        ro.set("event_rate", _fmt_rate(float(rate if rate is not None else s.event_rate.rate(now)))
               + (f" (stalled {stalled_s:.0f} s)" if stalled_s else ""))
        self._show_stall(s, stalled_s)
        self._show_warmup(str(_stat(st, "warming_up", default="") or ""))
        fill = _stat(st, "ring_fill_ratio", "fill_ratio")
        ro.set("ring", "-" if fill is None else f"{100 * fill:.0f} %")
        dropped = _stat(st, "dropped", "dropped_events", default=0)
        # (the windows a model that cannot keep up lets go were counted, never shown)
        ro.set("dropped", f"{int(dropped):,} ev / {int(_stat(st, 'skipped_windows', default=0) or 0):,} win")
        self._show_behind(s, str(_stat(st, "behind", default="") or ""), now)
        # the painted frame's (the pipeline's newest may be a window taken before a pause, not shown)
        infer = self.last_frame.infer_ms if self.last_frame is not None else _stat(st, "infer_ms", "inference_ms")
        if not _stat(st, "frames", default=0) and self.last_frame is None:
            infer = None  # (no window through the model yet: "0.0 ms" was no measurement)
        stale = self.readouts_stale(now)
        if stale:  # (the device and backend stay: they are what runs, not a measurement)
            infer = None
        how = " ".join(str(x) for x in (_stat(st, "device"), _stat(st, "backend"),
                                        (f"{_stat(st, 'threads')}t" if _stat(st, "threads") else None)) if x)
        ro.set("infer", ("-" if infer is None else f"{float(infer):.1f} ms") + (f" ({how})" if how else ""))
        # ("-" until two frames give an interval: "0.0" stood beside the first frames on show)
        for key, fps in (("display_fps", self._fps.measured(now)), ("pipeline_fps", s.frame_rate.measured(now))):
            ro.set(key, "-" if fps is None else f"{fps:.1f}")
        ro.set("latency", "-" if self._latency_ms is None or stale else f"{self._latency_ms:.0f} ms")
        self._show_precision()  # (the runtime can give bf16 up mid-run)
        t = s.t_us
        r = s.time_range_us
        if s.source.is_live:  # (no time label there: the camera's clock, a reset or a wrong one seen)
            ro.rename("read_ahead", *ro.LIVE_READ_AHEAD)
            ro.set("read_ahead", "-" if t is None else f"{t / 1e6:.3f} s")
        else:
            ro.rename("read_ahead", dict(ro.ROWS)["read_ahead"], ro.HINTS["read_ahead"])
            ro.set("read_ahead", _read_ahead(t, None if self.last_frame is None else self.last_frame.t_us,
                                             r, s.seek_target_us is not None))
        if r is not None and t is not None:
            # the time and slider of the frame on show (the reader runs ahead of it by the
            # model's latency, and on past a pause or into the next loop pass: the readout
            # says by how much), or where a seek went until a frame from there is shown
            pos = min(max(self._time_shown_us(s, t), r[0]), r[1])
            # (not the end pause held while a seek from it is on its way: the label is the time sought)
            self.time_label.setText(_time_of_span(pos - r[0], r[1] - r[0])
                                    + (" (end)" if s.ended else "" if s.seek_target_us is not None
                                       else self._end_pause_text()))
            # (kept as wide as the widest time it showed: "(end pause ...)" narrowed the slider
            # beside it by ~100 px at every loop pass, and the bar and its handle jumped)
            need_px = self.time_label.sizeHint().width()
            if need_px > self.time_label.minimumWidth():
                self.time_label.setMinimumWidth(need_px)
            if not self._slider_busy and r[1] > r[0]:
                self.seek_slider.blockSignals(True)
                self.seek_slider.setValue(int(1000 * (pos - r[0]) / (r[1] - r[0])))
                self.seek_slider.blockSignals(False)
        else:
            self.time_label.setText("live" if s.is_live else
                                    ("-" if s.range_ready.is_set() else "finding the end of the recording..."))
        # at the end, Play plays it again; a paused replay making its one frame (a seek, a setting
        # remade) stays "Play": the button read "Pause" for that frame's inference (a slow model's:
        # seconds), and a click then paused it for good
        want = "Play" if s.ended or s.paused or s.pausing else "Pause"
        if self.play_button.text() != want:
            self.play_button.setText(want)
        # else "playing <file>" stays on after the end; by pass, not by a change of s.ended: a
        # replay of a short file can begin and end between two ticks on a loaded machine
        if s.ended and s.passes != self._end_pass:
            self._end_pass = s.passes
            if not self._end_remade:  # (a remade last frame: said once, at the end)
                self.status("end of the recording" + (": space or Play plays it again" if s.source.can_seek else ""))
            self._end_remade = False
        if self.sim_truth is not None:
            try:
                self.sim_truth.setText(f"{s.source.inner.subject_sigma_px():.2f} px \u03c3")
            except Exception as exc:  # the simulator is optional: never break the readouts
                self.sim_truth.setText(f"n/a ({type(exc).__name__})")
        ro.set("frame", "-" if self.last_frame is None else
               f"#{self.last_frame.index} ({self.last_frame.n_events:,} ev)")

    def _end_pause_text(self) -> str:
        """The time label's " (end pause 1.2 / 3.0 s)" while a looping replay plays the pause at
        the end of its file (a RAW file's clock runs on past its last event, ``end_us()``), and
        held while paused in it; else "". The slider and the label, whose range ends at the last
        event, stood still at the end for its seconds as if the replay had hung."""
        gap = self._gap
        if gap is None or not getattr(gap, "at_end", False) or self._gap_t_us is None:
            return ""
        span_us = gap.until_us - gap.from_us
        into_us = min(max(self._gap_t_us - gap.from_us, 0.0), span_us)
        return f" (end pause {into_us / 1e6:.1f} / {span_us / 1e6:.1f} s)"

    def _time_shown_us(self, s: LiveSession, t_us: int) -> int:
        """The time label's and the slider's sensor time: where a seek went until a frame from
        there is shown, else the frame on show, or in a pause in the recording being played
        (:meth:`_show_gap`) the time the replay has reached in it."""
        if s.seek_target_us is not None:  # (in the rest of a pause a seek went into: its time goes on)
            return int(self._gap_t_us) if self._sought_gap(s, self._gap) and self._gap_t_us is not None else s.seek_target_us
        pos = self.last_frame.t_us if self.last_frame is not None else t_us
        if self._gap_t_us is not None:  # (after it too, until the next frame: it went back to the last)
            pos = max(pos, int(self._gap_t_us))
        return pos

    def readouts_stale(self, now: float | None = None) -> bool:
        """No frame painted for ``READOUT_STALE_S`` (or 3 inference times of a slow model): the
        per-frame readouts (latency, inference time) show "-" until frames come again."""
        if self._painted_at is None:
            return True
        now = time.monotonic() if now is None else now
        # a slow model's frames are as far apart as its inference; a still scene's gap (a window
        # filling from noise in 16 s) is no frame interval of the model: it kept them 48 s
        infer_s = self.last_frame.infer_ms / 1e3 if self.last_frame is not None else 0.0
        return now - self._painted_at > max(READOUT_STALE_S, 3.0 * min(self._paint_gap_s, infer_s))

    def _show_stall(self, s: LiveSession, stalled_s: float) -> None:
        """A source whose read() has not returned (``pipeline.STALL_S``): said on the status bar
        while it lasts, its seconds counting, instead of a frozen frame with no word; and when
        it reads again. (The pipeline logged both.)"""
        if stalled_s:
            text = (f"{s.source.format} source: read() has not returned for {stalled_s:.0f} s "
                    f"({s.stall_hint})")
            if not self._stall_said:
                self._stall_said = True
                self.status(text, "warning", timeout_ms=0, log_it=False)
            else:  # the seconds go on (one status_log line per stall)
                self.statusBar().showMessage(text)
        elif self._stall_said:
            self._stall_said = False
            self.status(f"{s.source.format} source: reading again", timeout_ms=5000)

    def _show_behind(self, s: LiveSession, behind: str, now: float) -> None:
        """A model that cannot keep up (``PipelineStats.behind``): said on the status bar as it
        starts (``session.BehindNotice``), with what to change in the Window group (a 1280x720
        sensor at 570 ms a window showed one frame in three, the rest only counted); once no
        other warning or error is on show (a camera that did not open was hidden by it), and not
        while paused: it waits for play (a model behind just before a pause put its 20 s warning
        over "paused" 0.2 s after it, and nothing said the replay was paused)."""
        if s.paused or s.pausing:
            return
        shown = self.statusBar().currentMessage()
        if (behind and shown and self._notice is not None and shown == self._notice[0]
                and not shown.startswith(behind.split(":")[0])):
            return  # (a warning or error on show stays: this one waits until it is gone)
        if self._behind.due(behind, now):
            from .session import faster_hint

            hint = faster_hint(s.pipeline, viewer=True)
            self.status(behind + (f"; {hint}" if hint else ""), "warning", timeout_ms=20_000, log_it=False)
            log.warning("%s", behind)

    def _set_placeholders(self, warming_up: bool = False) -> None:
        """What each empty pane waits for, until its first image (a new source's too)."""
        cfg = self.session.model_cfg if self.session is not None else self.opts.model
        # (warming up, the events are in: the event pane's window comes with the first frame)
        preparing = f"preparing model {cfg.name}\u2026" if warming_up else ""
        self.event_pane.set_placeholder(preparing or "waiting for events")
        for p in (self.frame_pane, self.defocus_pane):
            p.set_placeholder(preparing or "waiting for the first frame")
        # (its own model: titled "compare: e2vid", it said "preparing model evfocus...")
        self.compare_pane.set_placeholder(f"preparing model {cfg.compare or cfg.name}\u2026" if warming_up
                                          else "waiting for the first frame")

    def _show_warmup(self, text: str) -> None:
        """The model's first window at a new size (seconds of warm-up on a CPU,
        ``PipelineStats.warming_up``): said on the status bar while it runs, instead of
        "display fps 0.0" and no word; taken off when it is done, if nothing else is on."""
        if text == self._warmup_said:
            return
        self._set_placeholders(warming_up=bool(text))
        if text:
            shown = self.statusBar().currentMessage()
            if self._notice is not None and shown == self._notice[0]:
                self._displaced = self._notice
            self.status(text, timeout_ms=0)
        elif self.statusBar().currentMessage() == self._warmup_said:
            self.statusBar().clearMessage()
            self._show_displaced()
        self._warmup_said = text

    def _show_displaced(self) -> None:
        """The warning or error the warm-up line took the bar from, again for its time: a file's
        "truncated ..." (said as it opens, just before its first window) was on show for a split
        second, then the warm-up line replaced it and its end cleared the bar: never seen."""
        d, self._displaced = self._displaced, None
        if d is not None and self._notice is d:  # (nothing newer said meanwhile)
            self._said_level = (d[0], d[2])  # (an error red again: it was put back in black)
            self.statusBar().showMessage(d[0], d[1])
            self._colour_status(self.statusBar().currentMessage())

    def _session_failed(self, s: LiveSession, err: str) -> None:
        """The source died (camera unplugged, file corrupt mid-stream): stay up, fall back."""
        saved = self._finish_recording(s) if s.recorder.active else []
        self._show_recording(False)  # also when the recorder had already given up
        s.stop()
        self.session = None
        note = f" (recording saved: {', '.join(str(p) for p in saved)})" if saved else ""
        if s.is_live and s.source.format != "sim" and s.source.error is not None:  # (not: the model failed)
            self.open_source("sim")  # first: its "live: sim" must not hide why at once
            self.failed(f"{err} - camera lost, switched to the simulated camera "
                        f"(pick it again in Source to reconnect){note}")
        else:
            self.failed(f"{err} - stopped; open another file or camera{note}")
            self._show_idle(err)

    def _blank_readouts(self) -> None:
        """Every readout "-": no source, or a new one that has measured nothing yet."""
        for key in self.readouts.values:
            self.readouts.set(key, "-")

    def _show_idle(self, reason: str) -> None:
        """No source runs (a fault stopped it): the readouts, Play button and time label stop
        showing the last rates as if it still played; the reason stays beside the source once
        the status message has timed out."""
        self._blank_readouts()
        for p in (self.event_pane, self.frame_pane, self.defocus_pane, self.compare_pane):
            p.set_placeholder("no source running")  # ("waiting for events" stayed under "stopped")
        self._latency_ms = None
        self._painted_at = None
        self._show_precision()
        self.play_button.setText("Play")
        self.time_label.setText("stopped")
        self.source_label.setText(f"stopped: {reason}")
        self.setWindowTitle("evfocus-live")
        self.sim_box.hide()  # its knobs would turn a closed camera
        self.sim_truth = None
        self._show_roi_outline()

    # ------------------------------------------------------------------ lifetime
    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        if self.help_overlay.isVisible():
            self.help_overlay.toggle()
            self.help_overlay.toggle()

    def changeEvent(self, ev) -> None:
        super().changeEvent(ev)
        if ev.type() == QtCore.QEvent.Type.PaletteChange:  # (a desktop turned dark with an error on show:
            self._colour_status(self.statusBar().currentMessage())  # its dark red stayed, on dark grey)

    def mousePressEvent(self, ev) -> None:
        """A click no control took (the side panel's blank, a label, the status bar) gives the
        keys back from a box typed in: its number is taken as it is left (no keyboard tracking:
        the box showed the typed number while the viewer ran the one before)."""
        self._keys_to_panes()
        super().mousePressEvent(ev)

    def closeEvent(self, ev) -> None:
        if self.opts.remember_geometry and self.isVisible():  # (not again for a second close)
            settings.save_window_geometry(self.saveGeometry())
        self._paint_timer.stop()
        if self.session is not None:
            if self.session.recorder.records_events:  # (stopped first: a first read in progress reaches the file)
                self._halt_pipeline(self.session)
            if self.session.recorder.active:
                self._finish_recording(self.session)
            self.session.stop()
            self.session = None
        super().closeEvent(ev)


def _sim_value_text(name: str, value: float, step: float | None) -> str:
    """A simulated-camera slider's or dial's value to its ``step``'s decimals (a bare one said
    nothing: was speed 1x or 2x, light full or half, the focus knob at --focus 0.3 or 0.5?);
    speed as a factor, 0 as frozen; focus 0.5 as in focus."""
    try:
        decimals = max(0, -math.floor(math.log10(float(step)) + 1e-9)) if step else 2
    except (TypeError, ValueError):
        decimals = 2
    text = f"{value:.{decimals}f}"
    if name == "speed":
        return "frozen" if float(text) == 0 else f"{text}x"
    if name == "focus" and float(text) == 0.5:
        return f"{text} in focus"
    return text


def _time_of_span(pos_us: int, span_us: int) -> str:
    """The time label: seconds to the ms, or for a recording under 0.1 s milliseconds to
    10 us (an 8.8 ms EVK file read "0.009 / 0.009 s", a 0.3 ms one "0.000 / 0.000 s": empty)."""
    if span_us >= 100_000:
        return f"{pos_us / 1e6:.3f} / {span_us / 1e6:.3f} s"
    return f"{pos_us / 1e3:.2f} / {span_us / 1e3:.2f} ms"


def _read_ahead(t_us: int | None, shown_us: int | None, range_us: tuple[int, int] | None,
                seeking: bool) -> str:
    """The "reader ahead" readout: the newest event read less the frame on show, as a lead
    (a second clock beside the time label read as two positions: 0.130 s and 0.104 s). A
    reader that wrapped into a loop's next pass leads by the rest of this pass and the start
    of the next; none while a seek is on its way (the frame on show is from before it)."""
    if t_us is None or shown_us is None or seeking:
        return "-"
    if range_us is not None:  # (a last window's time is its end on the window grid: past the last event)
        shown_us = min(shown_us, range_us[1])
    lead_us = t_us - shown_us
    note = ""
    if lead_us < 0 and range_us is not None:  # (the reader is in the next loop pass)
        lead_us = (range_us[1] - shown_us) + (t_us - range_us[0])
        note = " (next pass)"
    return f"{max(lead_us, 0) / 1e3:.0f} ms{note}"


def about_text(session: LiveSession | None) -> str:
    """Help > About's lines: what runs (model, device, backend) and with what (versions, the
    settings file, the models folder). A model whose checkpoint recorded the evfocus-live that
    wrote it (``evfocus_version``) names it on the model line (a run's weights brought from
    another install: which version trained them); the shipped weights are this install's; any
    other (a checkpoint from before the field, a plugin's model object, a wrapper without the
    attribute) says the version is not recorded (it said nothing, as if there were none to say)."""
    import platform

    import PySide6
    import torch

    from .. import __version__
    from ..nn.registry import models_dir

    if session is None:
        model, device, precision = "- (no source running)", "-", "-"
    else:
        from .precision import effective_precision, precision_choice

        asked = precision_choice(session.model_cfg)
        runs = "none (no model)" if session.no_model else effective_precision(session.pipeline)
        # auto is a rule, not a precision: "bf16 (auto)" (it read "bf16 (asked: auto)", a mismatch)
        precision = runs + ("" if runs == asked else f" ({asked})" if asked == "auto" else f" (asked: {asked})")
        st = session.stats()
        model = "none: direct event integration" if session.no_model else session.model_cfg.name
        if not session.no_model:
            model += f" ({_model_version(session)})"
        if (cmp := getattr(session.pipeline, "compare", None)) is not None:  # (one device, one precision)
            model += f", compared with {cmp.name}"
        how = " ".join(str(x) for x in (_stat(st, "backend"), (f"{_stat(st, 'threads')} thread"
                                                                  + ("" if _stat(st, "threads") == 1 else "s")
                                                                  if _stat(st, "threads") else None)) if x)
        device = str(getattr(session.pipeline, "device", session.model_cfg.device)) + (f" ({how})" if how else "")
    if torch.cuda.is_available():
        cuda = f"CUDA {torch.version.cuda}: " + ", ".join(torch.cuda.get_device_name(i)
                                                       for i in range(torch.cuda.device_count()))
    else:
        cuda = "no CUDA (" + ("torch built without it" if torch.version.cuda is None else "no GPU found") + ")"
    return "\n".join([
        f"evfocus-live {__version__}",
        f"model:     {model}",
        f"device:    {device}",
        f"precision: {precision}",
        f"torch:     {torch.__version__}, {cuda}",
        f"Python:    {platform.python_version()}, PySide6 {PySide6.__version__}, Qt {QtCore.qVersion()}",
        f"settings:  {settings.settings_file()}",
        f"models:    {models_dir()}",
    ])


def _model_version(session: LiveSession) -> str:
    """About's word on which evfocus-live wrote the running model (:func:`about_text`)."""
    model = session.pipeline.model
    if made_by := getattr(model, "evfocus_version", None):
        return f"written by evfocus-live {made_by}"
    if getattr(model, "evfocus_shipped", None):  # (its file records no version: it came with this install)
        return "shipped with this evfocus-live"
    return "evfocus-live version not recorded"


def plugin_report(registries: dict[str, Registry]) -> str:
    """Plain-text listing of groups, names and failures (the Plugins dialog, --list-plugins)."""
    lines = []
    for group, reg in registries.items():
        reg.load_all()
        lines.append(f"{group}:")
        for name in reg.names():
            ep = reg.entry_point(name)
            lines.append(f"  {name:<14} {ep.value if ep else ''}")
        for name, why in sorted(reg.failures.items()):
            ep = reg.entry_point(name)
            lines.append(f"  {name:<14} FAILED ({ep.value if ep else '?'}): {why}")
        for name, why in sorted(getattr(reg, "ignored", {}).items()):  # a name taken twice
            lines.append(f"  {name} IGNORED: {why}")
    return "\n".join(lines)
