"""The README's screenshot, remade by one command (offscreen, no display needed)::

    python -m evfocus_live.gui.screenshot docs/screenshot.png

It opens the viewer on the simulated camera with its focus knob turned well off focus
(``--focus 0.2``: 4.8 px of blur), lets it run until the panes show events, a reconstruction,
a defocus map and some seconds of the focus meter's plot, and grabs the window
(``QWidget.grab``). The settings file is left alone: the run keeps its recent files and
window size in a temporary folder unless ``EVFOCUS_SETTINGS_DIR`` is set. Bad input (a size
that is not WxH, a PNG that cannot be written, an unknown scene, a model that does not load) gives one line
on stderr, prefixed as argparse's own, and exit code 2; no frame within ``--timeout-s`` gives exit code 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

log = logging.getLogger("evfocus_live.gui.screenshot")

EXIT_USER_ERROR = 2
#: the usage line's name, and the prefix of every error line (argparse's own too)
PROG = "python -m evfocus_live.gui.screenshot"
#: the front page's size: the whole side panel shows, without a scroll bar
DEFAULT_SIZE = (1400, 1010)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must be WxH in pixels, e.g. 1400x900; got {text!r}") from None
    if not (400 <= w <= 8000 and 300 <= h <= 8000):
        raise argparse.ArgumentTypeError(f"size {w}x{h} is outside 400x300 .. 8000x8000")
    return w, h


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG,
                                description="Save a screenshot of the viewer on the simulated camera.")
    p.add_argument("out", metavar="OUT.png", help="where to write the PNG")
    p.add_argument("--size", type=_size, default=DEFAULT_SIZE, metavar="WxH",
                   help=f"window size in pixels (default {DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]})")
    p.add_argument("--focus", type=float, default=0.2, metavar="F",
                   help="simulated focus knob, 0.5 = in focus (default 0.2: 4.8 px of blur)")
    p.add_argument("--scene", default=None, metavar="NAME", help="simulated scene (default: the camera's own, mixed)")
    p.add_argument("--model", default="evfocus", metavar="MODEL", help="model name or .pt checkpoint (default: evfocus)")
    p.add_argument("--compare", default=None, metavar="MODEL",
                   help="a second model beside the reconstruction, as evfocus-live --compare (default none)")
    p.add_argument("--device", default="cpu", help="device (default cpu: the same picture on any machine)")
    p.add_argument("--min-s", type=float, default=10.0, metavar="S",
                   help="run at least this long, for the meter's plot (default 10)")
    p.add_argument("--min-frames", type=int, default=20, metavar="N", help="and at least this many frames (default 20)")
    p.add_argument("--timeout-s", type=float, default=180.0, metavar="S", help="give up after this long (default 180)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        _error(f"{out} is not a .png file")
        return EXIT_USER_ERROR
    if not 0.0 <= args.focus <= 1.0:
        _error(f"--focus must be in 0..1, got {args.focus:g}")
        return EXIT_USER_ERROR
    from ..simulate.camera import LIVE_SCENES

    if args.scene is not None and args.scene not in LIVE_SCENES:  # (the viewer warned and shot the default)
        _error(f"--scene {args.scene!r}: not a simulated scene (choose from {', '.join(LIVE_SCENES)})")
        return EXIT_USER_ERROR
    from ..cli.options import check_compare_name, check_output_file
    from ..errors import ConfigError, EvFocusError
    from ..nn.registry import check_model_name

    try:  # before the run (10 s and more), not after it; a model's name too (a warning, then the error)
        check_output_file("OUT.png", out)
        try:
            check_model_name(args.model)
        except EvFocusError as exc:
            raise ConfigError(f"--model: {exc}") from None
        args.compare = check_compare_name("--compare", args.compare)  # ("none": None, no pane to check)
    except EvFocusError as exc:
        _error(str(exc))
        return EXIT_USER_ERROR
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = None
    if not os.environ.get("EVFOCUS_SETTINGS_DIR"):  # the user's recent files stay theirs
        tmp = tempfile.TemporaryDirectory(prefix="evfocus-shot-")
        os.environ["EVFOCUS_SETTINGS_DIR"] = tmp.name
    from .qt_messages import quiet_qt_noise

    try:
        with quiet_qt_noise():
            return _shoot(args, out)
    finally:
        if tmp is not None:
            tmp.cleanup()


def _error(text: str) -> None:
    print(f"{PROG}: error: {text}", file=sys.stderr)


class _HeldBack(logging.Filter):
    """The session's and window's log lines while the window is built, held back: a model that
    did not load is the one error line, not its fallback's warning and the fallback's run before it.
    (Why it did not load is the session's ``load_errors``, not picked from these lines by its name:
    a name in another line, a file's path in the error text, matched the wrong one.)"""

    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.records.append(record)
        return False


def _load_failure(session, args) -> str | None:
    """The one error line for a model or compare model asked for that the viewer's session did
    not load (it went on without it, or with its fallback), from the session's own record of
    the error; None when both run."""
    if session is None:
        return None
    errors = session.load_errors
    if "model" in errors or session.model_cfg.name != args.model:
        return f"--model {args.model!r} did not load: {errors.get('model', 'see the log')}"
    if args.compare and (errors.get("compare") or getattr(session.pipeline, "compare", None) is None):
        return f"--compare {args.compare!r} did not load: {errors.get('compare', 'see the log')}"
    return None


def _shoot(args, out: Path) -> int:
    from PySide6 import QtCore, QtWidgets

    from ..config import ModelConfig
    from .window import MainWindow, ViewerOptions

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("evfocus-live")
    model = ModelConfig(name=args.model, device=args.device, compare=args.compare)
    opts = ViewerOptions(source="sim", model=model,
                         sim_focus=args.focus, sim_knobs={"scene": args.scene} if args.scene else {},
                         remember_geometry=False)
    held = _HeldBack()
    loggers = [logging.getLogger(f"evfocus_live.gui.{name}") for name in ("session", "window")]
    for logger in loggers:
        logger.addFilter(held)
    try:
        win = MainWindow(opts)
    finally:
        for logger in loggers:
            logger.removeFilter(held)
    win.resize(*args.size)
    win.show()
    try:
        failure = _load_failure(win.session, args)
        if failure is not None:
            _error(failure)
            return EXIT_USER_ERROR
        for record in held.records:  # (it loaded: the notes said after all)
            logging.getLogger(record.name).handle(record)
        t0 = time.monotonic()
        while True:
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.02)
            elapsed = time.monotonic() - t0
            if win.frames_painted >= args.min_frames and elapsed >= args.min_s:
                break
            if elapsed > args.timeout_s:
                log.error("only %d frame(s) in %.0f s: no screenshot", win.frames_painted, elapsed)
                return 1
        for _ in range(5):  # (the last frame's paint and the readouts' update laid out)
            app.processEvents()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not win.grab().save(str(out)):
            _error(f"cannot write {out}")
            return EXIT_USER_ERROR
        log.info("saved %s (%dx%d, %d frames, %.1f px true blur)", out, *args.size, win.frames_painted,
                 _true_blur(win))
        return 0
    finally:
        win.close()


def _true_blur(win) -> float:
    src = getattr(win.session.source, "inner", None) if win.session is not None else None
    try:
        return float(src.subject_sigma_px())
    except Exception:
        return float("nan")


if __name__ == "__main__":
    sys.exit(main())
