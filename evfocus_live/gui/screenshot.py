"""The README's screenshot, remade by one command (offscreen, no display needed)::

    python -m evfocus_live.gui.screenshot docs/screenshot.png

It opens the viewer on the simulated camera with its focus knob turned well off focus
(``--focus 0.2``: 4.8 px of blur), lets it run until the panes show events, a reconstruction,
a defocus map and some seconds of the focus meter's plot, and grabs the window
(``QWidget.grab``). The settings file is left alone: the run keeps its recent files and
window size in a temporary folder unless ``EVFOCUS_SETTINGS_DIR`` is set. Bad input (a size
that is not WxH, a PNG that cannot be written, an unknown scene, a model that does not load) gives one line
on stderr and exit code 2; no frame within ``--timeout-s`` gives exit code 1.
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
    p = argparse.ArgumentParser(prog="python -m evfocus_live.gui.screenshot",
                                description="Save a screenshot of the viewer on the simulated camera.")
    p.add_argument("out", metavar="OUT.png", help="where to write the PNG")
    p.add_argument("--size", type=_size, default=DEFAULT_SIZE, metavar="WxH",
                   help=f"window size in pixels (default {DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]})")
    p.add_argument("--focus", type=float, default=0.2,
                   help="simulated focus knob, 0.5 = in focus (default 0.2: 4.8 px of blur)")
    p.add_argument("--scene", default=None, help="simulated scene (default: the camera's own, mixed)")
    p.add_argument("--model", default="evfocus", help="model name or .pt checkpoint (default: evfocus)")
    p.add_argument("--compare", default=None,
                   help="a second model beside the reconstruction, as evfocus-live --compare (default none)")
    p.add_argument("--device", default="cpu", help="device (default cpu: the same picture on any machine)")
    p.add_argument("--min-s", type=float, default=10.0,
                   help="run at least this long, for the meter's plot (default 10)")
    p.add_argument("--min-frames", type=int, default=20, help="and at least this many frames (default 20)")
    p.add_argument("--timeout-s", type=float, default=180.0, help="give up after this long (default 180)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        print(f"screenshot: error: {out} is not a .png file", file=sys.stderr)
        return EXIT_USER_ERROR
    if not 0.0 <= args.focus <= 1.0:
        print(f"screenshot: error: --focus must be in 0..1, got {args.focus:g}", file=sys.stderr)
        return EXIT_USER_ERROR
    from ..simulate.camera import LIVE_SCENES

    if args.scene is not None and args.scene not in LIVE_SCENES:  # (the viewer warned and shot the default)
        print(f"screenshot: error: --scene {args.scene!r}: not a simulated scene "
              f"(choose from {', '.join(LIVE_SCENES)})", file=sys.stderr)
        return EXIT_USER_ERROR
    from ..cli.options import check_output_file
    from ..errors import ConfigError

    try:  # before the run (10 s and more), not after it
        check_output_file("OUT.png", out)
    except ConfigError as exc:
        print(f"screenshot: error: {exc}", file=sys.stderr)
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
    win = MainWindow(opts)
    win.resize(*args.size)
    win.show()
    try:
        if win.session is not None and win.session.model_cfg.name != args.model:
            print(f"screenshot: error: model {args.model!r} did not load (see the log)", file=sys.stderr)
            return EXIT_USER_ERROR
        if args.compare and getattr(win.session.pipeline if win.session else None, "compare", None) is None:
            print(f"screenshot: error: compare model {args.compare!r} did not load (see the log)", file=sys.stderr)
            return EXIT_USER_ERROR
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
            print(f"screenshot: error: cannot write {out}", file=sys.stderr)
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
