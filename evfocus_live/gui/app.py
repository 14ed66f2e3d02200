"""``evfocus-live``: the live viewer, its headless twin and the plugin listing.

The main options (``--help`` lists them all; README says what each does)::

    evfocus-live [INPUT] [--camera NAME] [--model NAME|PATH] [--device auto|cpu|cuda|cuda:N]
                 [--precision auto|fp32|bf16|fp16]
                 [--window-ms X | --window-events N | --adaptive-ms X] [--roi X,Y,W,H] [--downsample N]
                 [--images PATH ...] [--config FILE.toml]
                 [--headless] [--video OUT.mp4] [--record OUT.aedat4] [--frames-dir DIR] [--overwrite]
                 [--screenshot PNG] [--exit-after-s S] [--list-plugins]

With no INPUT and no camera it starts the simulated camera. Without a display (no
``DISPLAY``/``WAYLAND_DISPLAY`` and no ``QT_QPA_PLATFORM``) it says so in one line and
runs headless instead, so the main job works on a server too; ``--screenshot`` renders
offscreen by itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from .. import __version__
from ..cli import parse_args, setup_logging
from ..cli.text import plural
from ..cli.options import (ADAPTIVE_HELP, CONFIG_HELP, DEVICE_HELP, DOWNSAMPLE_HELP, FEW_FRAMES, POST_HELP,
                           ROI_HELP, add_old_name, check_device, check_downsample, check_not_input, check_number,
                           check_output_file, check_palette, check_video_suffix, check_window_events, check_window_ms,
                           few_frames_hint, glue_dash_values, number, parse_roi, post_options, post_steps,
                           refuse_existing_output)
from ..config import DisplayConfig, ModelConfig, PostConfig, WindowConfig
from ..errors import ConfigError, EvFocusError, first_line

log = logging.getLogger("evfocus_live.gui")

EXIT_USER_ERROR = 2
#: signals that end a run cleanly (threads stopped, recordings finalised): Ctrl-C, SIGTERM (kill,
#: docker stop, systemd) and SIGHUP (the ssh session closed: it killed the run, the .mp4 unplayable)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM) + ((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ())


#: a headless run's camera lost (a USB drop) is opened again for this long, its recording going
#: on; then the run ends with exit 2 (it ended at the drop: the Python ``Pipeline`` reconnected).
#: Counted over the drops of a camera that keeps coming back and failing (each return started the
#: count again: a flapping camera was retried forever), less ``RUN_PAYS_BACK`` of the time it ran
HEADLESS_RECONNECT_S = 30.0
#: ... each second a flapping camera runs between its drops takes this much of its lost time
#: back: a camera away more than a third of the time ends the run once that adds up to 30 s. (Lost
#: time that only 30 s of running cleared ended a run whose camera dropped for 1.5 s every 20 s,
#: 93 % of it recorded, after 7 minutes)
RUN_PAYS_BACK = 0.5
#: the cameras a headless run opens again after a fault (``auto``: only the same one)
USB_CAMERAS = ("davis346", "dvxplorer", "prophesee", "auto")


def _reopener(spec: str, src) -> Callable | None:
    """How a headless run opens its lost camera again (None: not a USB camera: a plugin's
    fault stays the run's end). ``auto`` must find the same camera, not another one (nor the
    simulated one) in the middle of a recording: it opens the lost one's kind, by its serial
    where known (``auto`` again opened the first camera found: with two attached, a lost one
    that was not the first was never taken back)."""
    if not src.is_live or spec not in USB_CAMERAS or src.format == "sim":
        return None
    from ..errors import DeviceError
    from ..sources import open_source

    kind = "prophesee" if spec == "auto" and src.format == "prophesee" else spec
    serial = getattr(src, "serial", None)
    said: list[bool] = []
    by_size = False  # (taken back by its size once: named by the serial it was found under since)

    def reopen():
        nonlocal serial, by_size
        chosen = None if serial else _open_like(kind, src, said)  # (by its size: named by its serial)
        if chosen is not None:  # the one picked is kept: a later drop would pick by size again,
            chosen, serial = chosen  # and a list in another order swapped cameras mid-recording
            by_size = True
        new = chosen or (open_source(kind, serial=serial) if serial else open_source(kind))
        if not by_size and (new.format, new.sensor) != (src.format, src.sensor):
            new.close()
            raise DeviceError(f"found {new.sensor}, not the lost {src.sensor}")
        if (int(new.width), int(new.height)) != (int(src.width), int(src.height)):
            # (a Prophesee opened without a serial is named "Prophesee" whatever its sensor: a
            # VGA one swapped for a 1280x720 one wrote events past the recording's sensor size)
            new.close()
            raise DeviceError(f"found a {new.width}x{new.height} {new.sensor}, not the lost "
                              f"{src.width}x{src.height} one")
        return new
    return reopen


def _open_like(kind: str, src, said: list[bool]):
    """A lost Prophesee camera that did not say its serial, among several attached: the first of
    them with its sensor size (taken as the first found, another model went on in its recording
    when it was not first), said once in one line (which of two of one model it is cannot be
    told), with the serial it was opened by. None where there is no choice (one camera, or a
    driver that cannot list them)."""
    if src.format != "prophesee":
        return None
    from ..errors import DeviceError
    from ..sources import open_source
    from ..sources.prophesee_camera import attached_serials

    serials = attached_serials()
    if not serials or len(serials) < 2:
        return None
    if not said:
        said.append(True)
        log.warning("the lost Prophesee camera did not report its serial and %d are attached (%s): it is "
                    "taken back as the first with its %dx%d sensor, which may be another one", len(serials), ", ".join(serials), int(src.width), int(src.height))
    for s in serials:
        try:
            new = open_source(kind, serial=s)
        except DeviceError as exc:  # (in use: the other camera's own run)
            log.debug("Prophesee %s: %s", s, exc)
            continue
        if (new.format, int(new.width), int(new.height)) == (src.format, int(src.width), int(src.height)):
            return new, s
        new.close()
    raise DeviceError(f"none of the {len(serials)} Prophesee cameras attached has the lost one's "
                      f"{src.width}x{src.height} sensor")


class LostCamera:
    """A headless run's account of its camera's drops, which decides when to give it up: after
    ``HEADLESS_RECONNECT_S`` of lost time, added up over the drops of a camera that keeps coming
    back and failing (each return started the count again: a flapping camera was retried
    forever), each second it runs between drops taking ``RUN_PAYS_BACK`` of it back; once that
    is paid off, the next drop starts a new count. Fed by :meth:`see` every tick of the loop."""

    def __init__(self):
        #: (monotonic s) since when the camera has been lost and is being opened again; None: running
        self.lost_since_s: float | None = None
        #: the drops of this count, their lost seconds and the seconds it ran between them (said at the end)
        self.drops = 0
        self.lost_in_all_s = 0.0
        self.ran_s = 0.0
        #: the earlier drops' lost seconds, less ``RUN_PAYS_BACK`` of the runs since
        self.owed_s = 0.0
        self._back_since_s: float | None = None  # (monotonic s) since when it runs again

    def see(self, lost: bool, now: float, live: bool = True) -> None:
        """The pipeline's state at ``now``: ``lost`` (a source error, reconnecting); a replay
        (not ``live``) is never counted lost."""
        if lost and live and self.lost_since_s is None:
            if self._back_since_s is not None:  # the time it ran since its last drop takes some lost time back
                ran_s = now - self._back_since_s
                self.ran_s += ran_s
                self.owed_s = max(0.0, self.owed_s - RUN_PAYS_BACK * ran_s)
            if self.owed_s == 0.0:  # (a new count)
                self.drops, self.lost_in_all_s, self.ran_s = 0, 0.0, 0.0
            self.lost_since_s, self._back_since_s = now, None
            self.drops += 1
        elif not lost and self.lost_since_s is not None:  # back: its lost time counts on
            self.lost_in_all_s += now - self.lost_since_s
            self.owed_s = self.owed_s + now - self.lost_since_s  # (the old loop's sum, to the bit)
            self.lost_since_s, self._back_since_s = None, now

    def given_up(self, now: float) -> bool:
        """Lost now, and the count has come to ``HEADLESS_RECONNECT_S``: the run ends."""
        return self.lost_since_s is not None and self.owed_s + now - self.lost_since_s >= HEADLESS_RECONNECT_S

    def rate_text(self, now: float) -> str:
        """The rate line's ` CAMERA LOST 7 s (opening it again; lost 4 times, 21 s in all)`, or ''."""
        if self.lost_since_s is None:
            return ""
        more = (f"; lost {self.drops} times, {self.lost_in_all_s + now - self.lost_since_s:.0f} s in all"
                if self.drops > 1 else "")
        return f" CAMERA LOST {now - self.lost_since_s:.0f} s (opening it again{more})"

    def end_line(self, now: float, camera: str, fault: str) -> str:
        """The error line of a run that gives its ``camera`` (its format) up, ``fault`` the last."""
        if self.drops > 1:
            return (f"the {camera} camera keeps dropping out: lost {self.drops} times, "
                    f"{self.lost_in_all_s + now - self.lost_since_s:.0f} s in all, against {self.ran_s:.0f} s "
                    f"running: giving up ({fault})")
        return f"the {camera} camera has not come back within {HEADLESS_RECONNECT_S:g} s: {fault}"


def caught_stop_signals() -> tuple[int, ...]:
    """The :data:`STOP_SIGNALS` to catch now: not one the process was started with ignored.
    ``nohup`` ignores SIGHUP so that a run outlives its ssh session, and a script's ``cmd &``
    job ignores SIGINT; catching them anyway stopped a nohup'ed recording at logout."""
    return tuple(sig for sig in STOP_SIGNALS if signal.getsignal(sig) is not signal.SIG_IGN)
#: the names of the :class:`~evfocus_live.pipeline.Pipeline` threads
READER_THREAD, WORKER_THREAD = "evfocus-reader", "evfocus-worker"


#: the simulated camera's focus knob at start: defocused, so the network has blur to undo
DEFAULT_SIM_FOCUS = 0.3


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="evfocus-live",
        description="Live viewer: events beside sharp frames reconstructed by EvFocus.")
    p.add_argument("input", nargs="?", metavar="INPUT", help="event file (.aedat4 .raw .h5 .npy .npz .txt .csv); default: a camera")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")  # (as evfocus --version)
    p.add_argument("--camera", default=None,
                   help="davis346 | dvxplorer | prophesee | sim | auto | a source plugin name "
                        "(default: sim when no INPUT; auto falls back to sim)")
    p.add_argument("--model", default="evfocus", help="model name or .pt checkpoint (default: evfocus)")
    p.add_argument("--compare", default=None, metavar="MODEL",
                   help="a second model (a name or .pt checkpoint, as --model) run on the same events in a pane beside "
                        "the reconstruction, on the same device in the same precision, e.g. --compare e2vid-sharp "
                        "(default: the viewer's last choice in its vs box, else none; headless and --screenshot: "
                        "none). Headless runs both models (the infer time counts both); --frames-dir "
                        "writes both models' frames, --video records the main model's")
    p.add_argument("--device", default="auto", help=DEVICE_HELP + "; default auto")
    p.add_argument("--precision", default=None, choices=["auto", "fp32", "bf16", "fp16"],
                   help="inference precision: auto (bf16 on a CPU with native bf16, else fp32; fp16 on CUDA), fp32, "
                        "bf16 (a CPU or GPU with native bf16) or fp16 (CUDA); a choice the device cannot run runs fp32 and says so "
                        "(default: the viewer's last choice, else auto; headless: auto, but fp32 on a CPU with --frames-dir: "
                        "the frames evfocus reconstruct writes)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--window-ms", type=number, default=None, metavar="X", help="fixed-duration windows of X ms")
    g.add_argument("--window-events", type=int, default=None, metavar="N",
                   help="fixed-count windows of N events (default: 0.35 events per pixel)")
    g.add_argument("--adaptive-ms", type=number, default=None, metavar="X", help=ADAPTIVE_HELP)
    p.add_argument("--post", default="auto_hdr", metavar="STEPS",
                   help=POST_HELP + " (default: auto_hdr)")
    p.add_argument("--downsample", type=int, default=1, metavar="N", help=DOWNSAMPLE_HELP + "; recordings "
                   "(--record, the Record button) keep the full resolution")
    p.add_argument("--roi", default=None, metavar="X,Y,W,H", help=ROI_HELP + "; recordings keep the whole sensor "
                   "(the viewer: a ROI the sensor cannot hold is said on the status bar and it runs on the whole "
                   "sensor)")
    p.add_argument("--speed", type=number, default=1.0, metavar="X",
                   help="file replay speed, 0.1-10 (default 1), 0 = as fast as possible")
    p.add_argument("--no-loop", action="store_true",
                   help="the viewer stops at the end of a file instead of looping (a headless run always stops there)")
    p.add_argument("--event-mode", default="window", choices=["window", "decay", "time_surface"],
                   help="event pane: the network's window (the default), decaying accumulation or time surface")
    p.add_argument("--palette", default=None, metavar="NAME",
                   help="event pane colours in every mode: dark (the default), light (= white), gray (ON white, "
                        "OFF black on grey: no red/green, for colour-blind eyes) or coolwarm (Metavision's)")
    p.add_argument("--show-aps", action="store_true",
                   help="start with the camera's own APS (grey-level) frame in the defocus-map pane (a DAVIS camera "
                        "or an .aedat4 recording with APS frames; a toggle in the Display group)")
    p.add_argument("--focus", type=number, default=None, metavar="F",
                   help="simulated camera: focus knob at start, 0..1, 0.5 = in focus (default 0.3: defocused)")
    p.add_argument("--images", nargs="+", metavar="PATH",
                   help="simulated camera: draw its scenes from your own pictures (image files, folders of them, "
                        "videos: 32 frames each), as evfocus simulate --images does")
    p.add_argument("--config", metavar="FILE.toml", help=CONFIG_HELP)
    p.add_argument("--headless", action="store_true", help="no window: run the pipeline, log rates each second")
    p.add_argument("--video", metavar="OUT.mp4",
                   help="record the reconstruction as a video (.mp4, .m4v, .mov, .avi, .mkv; 30 fps, "
                        "frames repeated or dropped to keep the recording's pace; evfocus reconstruct --video "
                        "writes each frame once)")
    p.add_argument("--record", metavar="OUT.aedat4", help="record the raw events to an .aedat4")
    p.add_argument("--frames-dir", metavar="DIR",
                   help="headless: write each reconstructed frame as DIR/frame_%%010d.png, listed in DIR/timestamps.txt, "
                        "as evfocus reconstruct -o does; with --compare that model's frames go to "
                        "DIR/compare/frame_%%010d.png (the same numbers) and DIR/compare/timestamps.txt")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing --video/--record file and an earlier run's frames in --frames-dir "
                        "(default: off, they are refused)")
    p.add_argument("--screenshot", metavar="OUT.png", help="save a window screenshot after --exit-after-s seconds and exit")
    p.add_argument("--exit-after-s", type=number, default=None, metavar="S", help="quit after S seconds")
    add_old_name(p, "--exit-after", "--exit-after-s")
    p.add_argument("--snapshot-dir", default=".", metavar="DIR",
                   help="where the s key saves PNG snapshots (default: the current folder)")
    p.add_argument("--record-dir", default="recordings", metavar="DIR", help="where the Record button writes (default: ./recordings)")
    p.add_argument("--list-plugins", action="store_true", help="list plugin groups, names and failures, then exit")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (debug)")
    p.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    return p


def _sim_images(args, images=None, what: str = "--images") -> None:
    """``--images`` (or ``images``, a settings file's ``[sim] images``, named by ``what``): the
    pictures' names (:func:`~evfocus_live.simulate.textures.user_image_names`: a path that gives
    none is one line, before the window opens); with a recording or another camera said to do
    nothing, as --focus is (a settings file's are not: it serves recordings too)."""
    given = images is None
    args.images = list((getattr(args, "images", None) or []) if given else images)
    if not args.images:
        return
    if args.input or args.camera not in (None, "sim", "auto"):
        if given:
            log.warning("--images draws the simulated camera's scenes only: %s", f"{args.input} plays as it was "
                        "recorded" if args.input else f"--camera {args.camera} shows what it sees")
        args.images = []
        return
    from ..simulate.textures import user_image_names

    args.images = user_image_names(args.images, what)


def _configs(args) -> tuple[str, WindowConfig, ModelConfig, PostConfig]:
    if args.input == "":  # (else it ran the simulated camera)
        from ..sources import EMPTY_NAME
        raise ConfigError(f"{EMPTY_NAME}; leave INPUT out for a camera")
    if args.camera == "":
        raise ConfigError("--camera: empty name (an unset variable?)")
    if args.input and args.camera:
        raise ConfigError("give either INPUT or --camera, not both")
    device = check_device("--device", args.device)
    if args.palette is not None:
        args.palette = check_palette("--palette", args.palette)
    check_number("--exit-after-s", args.exit_after_s)  # finite and > 0
    if args.screenshot and args.exit_after_s is None:
        raise ConfigError("--screenshot needs --exit-after-s S (when to take it)")
    if args.focus is not None and not 0.0 <= args.focus <= 1.0:  # (before the note: one line for one mistake)
        raise ConfigError("--focus must be within 0..1 (0.5 = in focus)")
    if args.focus is not None and (args.input or args.camera not in (None, "sim", "auto")):
        # (a user with a defocused lens took it for a refocus of the recording: it did nothing, silently)
        args.focus_note = (f"--focus turns the simulated camera's focus knob only: "
                           f"{args.input or f'--camera {args.camera}'} plays as it was recorded "
                           "(the network estimates its blur itself)")
        log.warning("%s", args.focus_note)
    args.focus = DEFAULT_SIM_FOCUS if args.focus is None else args.focus
    _sim_images(args)
    if not math.isfinite(args.speed) or args.speed < 0 or (0 < args.speed < 0.1) or args.speed > 10:
        raise ConfigError("--speed must be 0 (as fast as possible) or within 0.1..10")
    check_window_ms("--window-ms", args.window_ms)
    check_window_events("--window-events", args.window_events)
    check_window_ms("--adaptive-ms", args.adaptive_ms)
    n = check_downsample("--downsample", args.downsample)
    roi = parse_roi("--roi", args.roi)
    if args.window_ms is not None:
        window = WindowConfig(mode="duration", window_ms=args.window_ms, downsample=n, roi=roi)
    elif args.window_events is not None:
        window = WindowConfig(mode="events", window_events=args.window_events, downsample=n, roi=roi)
    elif args.adaptive_ms is not None:
        window = WindowConfig(mode="adaptive", window_ms=args.adaptive_ms, downsample=n, roi=roi)
    else:
        window = WindowConfig(downsample=n, roi=roi)
    for flag in ("screenshot", "video", "record"):
        if getattr(args, flag) is not None:  # ('' too: refused, not taken for no file)
            check_output_file(f"--{flag}", getattr(args, flag))
            check_not_input(f"--{flag}", getattr(args, flag), [args.input])
    _check_output_types(args)
    for flag in ("video", "record"):  # (a user's earlier recording: lost without a word)
        if getattr(args, flag) and not args.overwrite:
            refuse_existing_output(f"--{flag}", getattr(args, flag))
    if args.camera:
        from ..sources import EventSource, camera_names, source_registry
        known = camera_names()
        reg = source_registry()
        if args.camera in reg.failures:  # the warning scrolled by; "unknown camera" hid why
            raise ConfigError(f"source plugin {args.camera!r} ({reg.entry_point(args.camera).value}) failed to load: "
                              f"{reg.failures[args.camera]}")
        cls = reg.load(args.camera) if args.camera not in known and args.camera in reg.names() else None
        if isinstance(cls, type) and issubclass(cls, EventSource) and cls.extensions:
            raise ConfigError(f"source plugin {args.camera!r} reads {'/'.join(cls.extensions)} files, it is not a "
                              f"camera: give the recording itself (evfocus-live REC{cls.extensions[0]})")
        if args.camera not in known and args.camera in reg.names():  # a plugin, but no camera class
            raise ConfigError(f"source plugin {args.camera!r} ({reg.entry_point(args.camera).value}) is not a camera: "
                              "its entry point must name an EventSource subclass with is_live = True")
        if args.camera not in known:  # else it would be opened as a file: "foo: no such file"
            from ..plugins import SOURCES, did_you_mean, elsewhere

            raise ConfigError(f"unknown camera {args.camera!r}{did_you_mean(args.camera, known)} (known: {', '.join(known)}; "
                              "a recording is given without --camera)" + elsewhere(SOURCES, args.camera))
    post = PostConfig(steps=post_steps(args.post), options=post_options(args.post))
    spec = args.input or args.camera or "sim"
    model = ModelConfig(name=args.model, device=device, compare=_compare_name(args.compare))
    if args.precision is not None:
        from .precision import with_precision

        model = with_precision(model, args.precision)
    if args.config is not None:
        window, model, post = _apply_config_file(args, window, model, post)
    _say_compare_is_the_model(model)
    return spec, window, model, post


def _say_compare_is_the_model(model: ModelConfig) -> None:
    """A compare model that is the model's own (by name, by its file, or from --config) runs
    each window twice for the same picture: said once, not refused (reconstruct says it too)."""
    from ..nn.registry import same_model

    if model.compare is not None and same_model(model.compare, model.name):
        log.warning("--compare %s: the same model as --model (%s): each window runs it twice for the same "
                    "picture", model.compare, model.name)


def _compare_name(name: str | None) -> str | None:
    """``--compare``'s model (None for none), checked before any work (as reconstruct's)."""
    from ..cli.options import check_compare_name

    return check_compare_name("--compare", name)


def _apply_config_file(args, window: WindowConfig, model: ModelConfig,
                       post: PostConfig) -> tuple[WindowConfig, ModelConfig, PostConfig]:
    """``--config FILE``: the file's settings under the options given on the command line. A
    precision the file sets is a choice made, as ``--precision`` is: the viewer's remembered
    one does not replace it. ``[sim] images`` is ``--images``, checked as it is."""
    from ..cli.options import check_file_name, given_options
    from .precision import precision_choice

    check_file_name("--config", args.config)
    # (args made in Python, without main()'s argv: nothing counts as given, the file's values stand)
    given = given_options(build_parser, args._argv) if getattr(args, "_argv", None) is not None else set()
    settings, window, model, post = viewer_settings(args.config, window, model, post, given)
    if args.precision is None and (settings.has("model", "precision") or settings.has("model", "half")):
        args.precision = precision_choice(model)
    if args.compare is None and settings.has("model", "compare"):  # (a choice made: not the remembered one)
        args.compare = model.compare or "none"
    if settings.has("sim", "images") and "images" not in given:
        _sim_images(args, settings.sim.images, f"{args.config}: [sim] images")
    if settings.has("display", "palette") and "palette" not in given:  # (not args.palette: not said headless)
        args.file_palette = settings.display.palette
    return window, model, post


def viewer_settings(path, window: WindowConfig, model: ModelConfig, post: PostConfig, given=frozenset()):
    """(settings, window, model, post): the settings file ``path`` read and checked for the
    viewer, over these configs except where an option in ``given`` was on the command line;
    ``--config`` and File > Load settings both read a file through it, so that both refuse
    the same files with the same line (naming the file and the key)."""
    from ..config_file import check_settings, load_settings, merge_settings

    settings = load_settings(path)
    check_settings(path, settings, given)
    window, model, post = merge_settings(path, settings, window, model, post, set(given))
    if window.mode == "timestamps":  # (evfocus reconstruct --at's: the viewer has no list of times)
        raise ConfigError(f"{path}: [window] mode \"timestamps\" is evfocus reconstruct's (--at); the viewer "
                          "takes events, duration or adaptive")
    model = dataclasses.replace(model, device=check_device(f"{path}: [model] device", model.device))
    return settings, window, model, post


#: options only the window reads (``--screenshot`` with --headless is refused; ``--no-loop``:
#: a headless run stops at the end anyway, as asked)
WINDOW_ONLY_OPTIONS = ("--event-mode", "--palette", "--show-aps", "--snapshot-dir", "--record-dir")


def _warn_window_only(args, parser: argparse.ArgumentParser) -> None:
    """One warning line for each window-only option given to a run without a window, as
    ``--focus`` given with a recording is said: it was ignored in silence. A default is not."""
    for opt in WINDOW_ONLY_OPTIONS:
        dest = opt[2:].replace("-", "_")
        if getattr(args, dest) != parser.get_default(dest):
            log.warning("%s has no effect without a window", opt)


def _check_window_dirs(args, parser: argparse.ArgumentParser) -> None:
    """``--snapshot-dir`` and ``--record-dir`` as given, checked before the window opens: a file
    or a folder that cannot be written was found only at the first snapshot or recording (a
    status-bar line, the moment lost); the defaults are created when first used, as before."""
    from ..cli.options import check_output_dir
    from ..config import home_expanded

    for opt in ("--snapshot-dir", "--record-dir"):
        dest = opt[2:].replace("-", "_")
        if getattr(args, dest) != parser.get_default(dest):
            check_output_dir(opt, home_expanded(getattr(args, dest)))


#: what ``--screenshot`` can write (Qt picks the format by the suffix; these need no plugin)
SCREENSHOT_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


def _check_output_types(args) -> None:
    """Each output's kind from its name, before any work: a ``--video`` the mp4v writer cannot
    open or a ``--screenshot`` Qt cannot write failed only after the run (the video's line said
    "no frame was reconstructed" beside 3 frames); ``--record`` writes AEDAT4 whatever the name,
    so ``out.raw`` held an AEDAT4 file that Prophesee's tools do not read."""
    if args.video:
        check_video_suffix("--video", args.video)
    if args.record and Path(args.record).suffix.lower() != ".aedat4":
        raise ConfigError(f"--record {args.record}: recordings are written as AEDAT4; name the file .aedat4")
    suffix = Path(args.screenshot or "").suffix
    if args.screenshot and suffix.lower() not in SCREENSHOT_SUFFIXES:
        raise ConfigError(f"--screenshot {args.screenshot}: unknown image type "
                          f"{repr(suffix) if suffix else '(no extension)'}; use {', '.join(SCREENSHOT_SUFFIXES)}")


def list_plugins() -> int:
    from ..plugins import MODELS, POSTPROCESSORS, SOURCES, Registry
    from .window import plugin_report  # noqa: F401  (Qt import is fine: we are the GUI package)
    plog = logging.getLogger("evfocus_live.plugins")
    level = plog.level
    plog.setLevel(logging.ERROR)  # failures are listed below, not logged twice
    try:
        regs = {g: Registry(g) for g in (SOURCES, MODELS, POSTPROCESSORS)}
    finally:
        plog.setLevel(level)  # (it stayed at ERROR for the rest of a process that called this)
    print(plugin_report(regs))
    return 0


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# ---------------------------------------------------------------------- headless
#: what Python's ``Thread.start()`` raises where no thread can be started (a thread limit)
NO_THREAD = "can't start new thread"


def run_headless(args, spec, window, model, post, said_first: Callable[[], None] | None = None) -> int:
    """The same session as the window, no Qt: log rates every second until the end.
    ``said_first``: lines for the start of the run, said once the source and model are set up
    (a bad file or model name is the only line then)."""
    from .precision import what_runs
    from .session import LiveSession, open_with_fallback

    model = frames_dir_precision(args, model)
    msgs: list[str] = []
    src = open_with_fallback(spec, msgs, fallback=False)  # a named camera that is absent: exit 2
    for m in msgs:
        log.warning("%s", m)
    if hasattr(src, "set_focus"):
        src.set_focus(args.focus)
    if args.images and hasattr(src, "set_images"):
        src.set_images(args.images)
    if window.roi is not None:  # (the pipeline says it too, but without the option's name)
        from ..config import check_roi_fits

        try:
            check_roi_fits(window.roi, src.width, src.height, f"the {src.format} source's")
        except ConfigError as exc:
            src.close()
            raise ConfigError(f"--roi: {exc}") from None
    try:  # no fallback model here: the job asked for this one (the window falls back, visibly)
        sess = LiveSession(src, window, model, post, speed=args.speed, loop=False, fallback=False,
                           reopen=_reopener(spec, src))
    except BaseException as exc:
        src.close()
        if isinstance(exc, RuntimeError) and NO_THREAD in str(exc):  # (its time-range and APS threads: the
            # run's first; a traceback, where the same failure in sess.start() below was one line)
            raise EvFocusError(f"cannot start the run's threads ({first_line(exc, 'no detail')})") from None
        raise
    if said_first is not None:
        said_first()
    log.info("%s", what_runs(model.name, sess.pipeline))
    if getattr(args, "frames_precision_note", None):
        log.info("%s", args.frames_precision_note)
    frames = None
    try:  # (--overwrite's removal, the frames folder, the recording fail: the session's threads end too)
        frames = _frame_sink(args, sess)
        if sess.pipeline.compare is not None:  # (--compare: the window's pane; here its frames in --frames-dir)
            log.info("comparing with %s: both models run on each window (infer counts both); %s",
                     sess.pipeline.compare.name, f"its frames go to {frames.folder.cmp_dir}" if frames is not None
                     else "--frames-dir DIR writes its frames" + (" (--video records the main model's)" if args.video else ""))
        if args.video or args.record:
            # (an existing file was refused in _configs unless --overwrite; an empty one is replaced)
            sess.recorder.start(events_path=args.record, video_path=args.video, overwrite=True,
                                width=src.width, height=src.height, sensor=src.sensor)
    except BaseException:
        if frames is not None:
            frames.close(say=False)
        sess.stop()
        raise
    stop = {"flag": False}
    camera = LostCamera()
    # Ctrl-C, SIGTERM (kill, timeout, a process manager) and SIGHUP: stop as at the end, so the
    # .mp4 is finalised (killed, it has no index and does not play)
    prev = {sig: signal.signal(sig, lambda signum, _f: stop.update(flag=True, signum=signum))
            for sig in caught_stop_signals()}  # (not one started ignored: nohup's SIGHUP)
    t0 = time.monotonic()
    last_log = t0
    rc = 0
    meter = _DefocusMeter()
    warmups_seen = 0
    from .session import BehindNotice

    behind_notice = BehindNotice()
    speed_hint_said = False  # (the keep-up warning's --speed 0 hint: the done line leaves it out then)
    frames_seen = 0
    try:
        sess.start()
    except BaseException as exc:  # (the frames writer's thread and the handlers ended too: they outlived it)
        _undo_start(sess, frames, prev)
        if isinstance(exc, RuntimeError):  # ("can't start new thread": one line, as a camera's reader's)
            raise EvFocusError(f"cannot start the run's threads ({first_line(exc, 'no detail')})") from None
        raise
    try:
        while not stop["flag"]:
            time.sleep(0.05)
            sess.messages.clear()  # already logged by the session
            meter.see(sess.last_frame)
            now = time.monotonic()
            warmups_seen = _say_slow_warmup(sess.stats(), warmups_seen)
            speed_hint_said = _say_behind(sess, behind_notice, now, frames) or speed_hint_said
            if now - last_log >= 1.0:
                last_log = now
                st = sess.stats()
                infer = getattr(st, "infer_ms", None)
                if infer is None and sess.last_frame is not None:
                    infer = sess.last_frame.infer_ms
                # skipped: windows a paced run let go to keep up (a slow model); else unseen
                # stalled: the source's read() has not returned (pipeline.STALL_S; logged once there)
                stalled_s = sess.stalled_s
                # latency: the newest frame's, from its window's last event read to the frame made
                # (how far behind the input what is shown is); "-" without a frame this second
                latency = getattr(st, "latency_ms", None) if sess.frames_done > frames_seen else None
                frames_seen = sess.frames_done
                # recon: "-" where no rate can be measured yet (one frame since a start or a gap:
                # it read "recon=0.0 fps" beside "frames=3"; the viewer's readout says "-" there)
                recon = sess.frame_rate.measured(now)
                log.info("t=%5.1fs frames=%d recon=%s fps events=%.0f ev/s infer=%s latency=%s defocus=%s "
                         "dropped=%s skipped=%s%s", now - t0, sess.frames_done,
                         "-" if recon is None else f"{recon:.1f}",
                         sess.event_rate.rate(now), "-" if infer is None else f"{float(infer):.1f} ms",
                         "-" if latency is None else f"{float(latency):.0f} ms",
                         meter.take(), getattr(st, "dropped", "-"), getattr(st, "skipped_windows", "-"),
                         (f" STALLED {stalled_s:.0f} s ({sess.stall_hint})" if stalled_s else "")
                         + camera.rate_text(now)
                         + (f" ({st.warming_up})" if getattr(st, "warming_up", "") else ""))
            camera.see(str(getattr(sess.pipeline.stats, "status", "")).startswith(("source error", "reconnecting")),
                       now, live=sess.is_live)
            if camera.given_up(now):
                log.error("%s", camera.end_line(now, sess.source.format, sess.pipeline.stats.last_fault or "lost"))
                rc = EXIT_USER_ERROR
                break
            err = sess.check()
            if err is not None:
                if not str(getattr(sess.pipeline.stats, "status", "")).startswith("source error"):
                    log.error("%s", err)  # (a source error was logged by the pipeline: once is enough)
                rc = EXIT_USER_ERROR
                break
            if sess.ended:
                break
            if sess.recorder.error and not sess.recorder.active:  # (disk nearly full, a failed write:
                break  # what the run was asked to record has stopped; exit 2 below, its files kept)
            if frames is not None and frames.error:  # (as the recorder's: the frames written are kept)
                break
            if args.exit_after_s is not None and now - t0 >= args.exit_after_s:
                break
    finally:
        if stop.get("signum") not in (None, signal.SIGINT):  # (Ctrl-C is seen in the terminal)
            log.info("%s: stopping%s", signal.Signals(stop["signum"]).name,
                     " (finishing the recording first)" if args.video or args.record else "")
        try:
            try:
                sess.stop()  # stops the threads, then finalises the recording (its counts are final now)
            finally:  # (the frames queued written too: a second Ctrl-C cut that short, and they were lost)
                if frames is not None:
                    frames.close(say=False)
        finally:  # (only now: a second Ctrl-C must not cut the finalising short)
            for sig, handler in prev.items():
                signal.signal(sig, handler)
        # (a short run's model is said to be behind as it ends, at its tail: maybe after the last tick)
        speed_hint_said = _say_behind(sess, behind_notice, time.monotonic(), frames) or speed_hint_said
        if args.video and sess.recorder.n_frames:  # (at a constant rate: not the count of reconstructions)
            n, fps = sess.recorder.n_frames, sess.recorder.video_fps
            log.info("wrote %s (%d video %s at %g fps: %.1f s, the recording's pace)", args.video, n,
                     plural(n, "frame"), fps, n / fps)
        elif args.video:
            log.warning("no frame was reconstructed: %s not written", args.video)
        if frames is not None:
            frames.say()
        if args.record and sess.recorder.n_events:
            log.info("wrote %s (%d events)", args.record, sess.recorder.n_events)
        elif args.record:  # (the recorder removed the empty file: readers refuse one)
            log.warning("no event arrived: %s not written", args.record)
        ring = getattr(getattr(sess, "pipeline", None), "ring", None)
        log.info("%s", done_line(sess.frames_done, getattr(sess.stats(), "skipped_windows", 0),
                                 time.monotonic() - t0, sess.source.is_live,
                                 int(getattr(sess.stats(), "dropped_events", 0) or 0),
                                 int(getattr(ring, "dropped", 0) or 0), speed_hint_said=speed_hint_said))
        hint = _few_frames_hint(sess)
        if hint:
            log.warning("%s", hint)
        join_pipeline_threads()
    for error in (sess.recorder.error, frames.error if frames is not None else None):
        if rc == 0 and error:  # disk full, ...: what was written is kept, but say so
            print(f"evfocus-live: error: {error}", file=sys.stderr)
            rc = EXIT_USER_ERROR
    return rc


def _undo_start(sess, frames: _FrameSink | None, prev: dict) -> None:
    """What a headless run set up before a ``sess.start()`` that raised, undone: the session's
    threads stopped, ``--frames-dir``'s writer ended (its thread was left waiting), the stop
    signals' handlers put back."""
    try:
        try:
            sess.stop()
        finally:
            if frames is not None:
                frames.close(say=False)
    finally:
        for sig, handler in prev.items():
            signal.signal(sig, handler)


#: frames waiting for ``--frames-dir``'s writer thread, in order: a disk's hiccup is taken up
#: there (32 frames: about a second at 30 fps; ~60 MB at 1280x720 with --compare). A full queue
#: holds the model back until the disk takes the next one, said once: no frame is dropped
FRAMES_QUEUE = 32
#: a stop waits this long for the frames queued to be written (a normal disk: well under 1 s;
#: the session's stop waits 5 s for the model likewise); what is left then is said, not written
FRAMES_DRAIN_S = 5.0
#: ... and then this long for a frame's write in progress (one that has not returned is left to the writer)
FRAMES_HUNG_S = 1.0
#: the name of ``--frames-dir``'s writer thread
FRAMES_THREAD = "evfocus-frames"


class _FrameSink:
    """``--frames-dir``: each frame the session makes written as ``evfocus reconstruct`` writes
    it (:class:`~evfocus_live.cli.reconstruct.FrameFolder`), on a writer thread of its own, in
    order: the PNGs' encoding and writing (0.9/3.0/9.9 ms at 346x260/640x480/1280x720) held
    the model's thread. The model's thread only queues a frame; a model ``FRAMES_QUEUE`` frames
    ahead of the disk waits for it (said once, and in the keep-up warning: ``wait_ms``). A failed
    write (a full disk) stops the writing and is kept in ``error``: the run's loop ends on it.
    So does a disk under the recorder's free-space minimum (``recording.DiskWatch``), looked at
    before the first frame and every ``disk_check_s``: a run filled the disk to the last byte."""

    def __init__(self, folder, clock_s: Callable[[], float] = time.perf_counter, queue_frames: int = FRAMES_QUEUE):
        import queue

        from .recording import DiskWatch

        self.folder = folder
        self.error: str | None = None
        self.disk = DiskWatch("--frames-dir")
        #: a frame's write time on the writer thread (ms, a running mean); None until a write has
        #: finished (a first write that hangs was said as "0 ms a frame to write")
        self.write_ms: float | None = None
        #: the model's thread's time a frame spent handing it over (ms, a running mean): ~0 unless
        #: the queue is full (the disk slower than the model); the keep-up warning says it
        self.wait_ms = 0.0
        self._clock_s = clock_s
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, int(queue_frames)))
        self._closing = False  # (no frame taken after close() began)
        self._abandon = False  # (the drain ran out of time: the writer leaves the rest)
        self._full_said = False
        self._handed = 0
        self._offered = 0  # (frames given to the sink before its close: each is written, or said missing)
        self._hung = False  # (close() left a write that had not returned)
        self._lock = threading.Lock()  # (a close waits for the frame being written)
        self._thread = threading.Thread(target=self._write_loop, name=FRAMES_THREAD, daemon=True)
        try:
            self._thread.start()
        except RuntimeError as exc:  # ("can't start new thread": a traceback, its list left open)
            folder.close()
            raise EvFocusError(f"--frames-dir: cannot start its writer thread ({first_line(exc, 'no detail')})") from None

    #: ``disk.check_s`` (the recorder's name for it)
    disk_check_s = property(lambda self: self.disk.check_s, lambda self, value: setattr(self.disk, "check_s", value))

    def __call__(self, view) -> None:
        """Queue ``view``'s frame (the model's thread): at once unless ``FRAMES_QUEUE`` wait."""
        import queue
        import types

        if self._closing:  # (a slow model's window that outlived the stop: not listed, not written)
            log.debug("frame %d made after the run stopped: not written", view.index)
            return
        if self.error is not None:
            return
        # (what the folder writes, not the view: its event image and defocus map stay out of the queue)
        item = types.SimpleNamespace(index=view.index, t_us=view.t_us, image=view.image,
                                     compare=getattr(view, "compare", None))
        self._offered += 1  # (a frame left in the model's hands by the stop is one not written, too)
        ms = 0.0  # (room in the queue: the model waited for nothing; a thread switch is not the disk's)
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            t0_s = self._clock_s()
            if not self._full_said:
                self._full_said = True
                log.warning("--frames-dir: the disk is slower than the model (%s, %d frames waiting): the model "
                            "waits for it (said once)", write_time_text(self.write_ms), self._queue.maxsize)
            while True:
                try:
                    self._queue.put(item, timeout=0.1)
                    break
                except queue.Full:
                    if self._closing or self.error is not None:
                        return
            ms = (self._clock_s() - t0_s) * 1e3
        self.wait_ms = ms if not self._handed else 0.8 * self.wait_ms + 0.2 * ms
        self._handed += 1

    def _write_loop(self) -> None:
        """The writer thread: the queued frames in order until close()'s end mark (or, given up
        by close(), after the frame in progress: the lists closed then, that frame listed)."""
        while True:
            if self._abandon:
                with self._lock:
                    self.folder.close()
                return
            item = self._queue.get()
            if item is None:
                return
            if self.error is not None or self._abandon:  # (stopped: the rest is let go, the model not held)
                continue
            with self._lock:
                try:
                    self._write(item)
                except EvFocusError as exc:
                    self._stop_writing(first_line(exc))
                except Exception as exc:  # noqa: BLE001 (the thread must not die: the model would wait for it)
                    self._stop_writing(f"{type(exc).__name__}: {first_line(exc)}")

    def _write(self, item) -> None:
        """One frame on disk, listed (the writer thread, under ``_lock``), the disk looked at first."""
        if self.folder.closed:
            return
        low = self.disk.low_when_due([d for d in (self.folder.outdir, self.folder.cmp_dir) if d is not None])
        if low is not None:
            self._stop_writing(low)
            return
        t0_s = self._clock_s()
        try:
            self.folder.write(item)
        finally:
            ms = (self._clock_s() - t0_s) * 1e3
            self.write_ms = ms if self.write_ms is None else 0.8 * self.write_ms + 0.2 * ms

    def _stop_writing(self, why: str) -> None:
        self.error = f"--frames-dir stopped: {why}"
        log.error("%s (the %d %s written are kept)", self.error, self.folder.n, plural(self.folder.n, "frame"))

    def close(self, drain_s: float | None = None, say: bool = True) -> None:
        """Write the frames queued (up to ``drain_s``, default ``FRAMES_DRAIN_S``), close the
        lists and (``say``) say what was written (a frame the worker makes after this is not).
        Frames given to the sink and not on disk then are its ``error``: the run exits 2 (a
        stop that left them said a warning only, and the run exited 0). Safe to call twice."""
        if not self._closing:
            self._closing = True
            self._drain(FRAMES_DRAIN_S if drain_s is None else drain_s)
        if say:
            self.say()

    def _drain(self, drain_s: float) -> None:
        import queue

        deadline = time.monotonic() + drain_s
        try:
            self._queue.put(None, timeout=max(0.0, drain_s))
            marked = 1
        except queue.Full:
            marked = 0
        self._thread.join(max(0.0, deadline - time.monotonic()))
        if self._thread.is_alive():
            self._abandon = True
            left = max(0, self._queue.qsize() - marked)  # (the end mark is no frame)
            try:  # (a writer that emptied the queue after the end mark did not fit waits for a frame: woken)
                self._queue.put_nowait(None)
            except queue.Full:
                pass
            log.warning("--frames-dir: the disk has not taken the last %d %s within %g s of the stop: not written",
                        left, plural(left, "frame"), drain_s)
        hung = not self._lock.acquire(timeout=FRAMES_HUNG_S)  # (the frame being written: waited for)
        if hung:  # (a write that does not return: a hung network disk; the writer closes the lists after it)
            log.warning("--frames-dir: a frame's write has not returned within %g s: left to finish alone",
                        drain_s + FRAMES_HUNG_S)
        else:
            try:
                self.folder.close()
            finally:
                self._lock.release()
        self._hung = hung
        missing = self._offered - self.folder.n
        if self.error is None and missing > 0:
            self.error = (f"--frames-dir: {missing} of the {self._offered} frames made {'were' if missing > 1 else 'was'} "
                          f"not written by the stop" + (" (a write has not returned)" if hung else ""))

    def say(self) -> None:
        """What the folder holds, once closed: said at the run's end (nothing after a write that
        has not returned: the error says it; an error's run made frames, so not "none made")."""
        f = self.folder
        if self._hung:
            return
        if f.n:
            log.info("wrote %d %s to %s%s", f.n, plural(f.n, "frame"), f.outdir,
                     f", {f.n_cmp} compare {plural(f.n_cmp, 'frame')} to {f.cmp_dir}" if f.cmp_dir else "")
        elif self.error is None:
            log.warning("no frame was reconstructed: none written to %s", f.outdir)


def write_time_text(write_ms: float | None) -> str:
    """``--frames-dir``'s write time as its warnings say it: nothing measured before a first write
    has finished (a hung disk's first write is no "0 ms")."""
    return "its first write still going" if write_ms is None else f"{write_ms:.0f} ms a frame to write"


def _check_frames_dir(args, model: ModelConfig) -> None:
    """``--frames-dir``, before any work, as ``evfocus reconstruct -o`` is: a folder that can be
    written and holds no earlier run's frames (unless ``--overwrite``: removed as the run starts)."""
    if args.frames_dir is None:
        return
    from ..cli.options import check_output_dir
    from ..cli.reconstruct import COMPARE_DIR, earlier_outputs

    d = check_output_dir("--frames-dir", args.frames_dir)
    if model.compare is not None:  # (a file named compare there)
        check_output_dir("--frames-dir", d / COMPARE_DIR)
    old = earlier_outputs(d)
    if old and not args.overwrite:
        raise ConfigError(f"--frames-dir {d}: already holds reconstructed frames "
                          f"({old[0].relative_to(d).as_posix()}, ...); use --overwrite or another folder")


def frames_dir_precision(args, model: ModelConfig) -> ModelConfig:
    """A headless ``--frames-dir`` run given no precision (nor a settings file's) runs
    ``evfocus reconstruct``'s default (its ``fp16``, which is fp32 on a CPU): fp32 on a CPU,
    so that its folder holds the frames reconstruct writes; auto ran bf16 on a CPU with native
    bf16 (outputs ~2e-2 apart). On CUDA auto is fp16, reconstruct's default there too: unchanged,
    as is a CPU without bf16 (auto is fp32). The note said once what runs is said: why, and the
    faster choice (``args.frames_precision_note``). The viewer and a run without the folder keep auto."""
    args.frames_precision_note = None
    if args.frames_dir is None or args.precision is not None:
        return model
    from ..nn.registry import resolve_device
    from ..nn.runtime import bf16_supported
    from .precision import precision_choice, with_precision

    if precision_choice(model) != "auto" or resolve_device(model.device).type != "cpu" or not bf16_supported("cpu"):
        return model
    args.frames_precision_note = ("--frames-dir: fp32 on the CPU, the frames evfocus reconstruct writes "
                                  "(--precision auto runs bf16 here: ~1.4x faster, outputs within ~2e-2)")
    return with_precision(model, "fp32")


def _frame_sink(args, sess) -> _FrameSink | None:
    """The session's ``frame_sink`` for ``--frames-dir`` (None without one); ``--overwrite``'s
    removal of an earlier run's frames is done now that the source and model are set up."""
    if args.frames_dir is None:
        return None
    from ..cli.reconstruct import FrameFolder, remove_earlier_outputs

    if args.overwrite:
        remove_earlier_outputs(Path(args.frames_dir), None)
    sink = _FrameSink(FrameFolder(Path(args.frames_dir), compare=sess.pipeline.compare is not None))
    sess.frame_sink = sink
    return sink


#: a first window at a new size slower than this is said once (its warm-up looked like a hang)
SLOW_WARMUP_S = 1.0


def _say_slow_warmup(stats, seen: int) -> int:
    """Log a first window at a new size that took over ``SLOW_WARMUP_S`` (kernel/oneDNN
    warm-up: 4 s on a CPU at 1280x720, with frames=0 and no word why). Returns the warm-ups seen."""
    n = int(getattr(stats, "warmups", 0) or 0)
    if n > seen and float(getattr(stats, "warmup_s", 0.0)) > SLOW_WARMUP_S:
        log.info("first window took %.1f s (warm-up); later windows are faster", stats.warmup_s)
    return max(n, seen)


def _say_behind(sess, notice, now: float, frames: _FrameSink | None = None) -> bool:
    """Log that the model cannot keep up (``PipelineStats.behind``) with what to change
    (``--downsample``, ``--roi``), as it starts (``session.BehindNotice``): the rate line only
    counted the windows skipped. True when the line said the ``--speed 0`` hint. ``frames``:
    ``--frames-dir``'s writer, said with its time when the model waits for it (a slow disk)."""
    behind = str(getattr(sess.stats(), "behind", "") or "")
    if notice.due(behind, now):
        from .session import faster_hint

        hint = faster_hint(sess.pipeline, viewer=False)
        st = sess.stats()
        model_ms = float(getattr(st, "infer_ms", 0) or 0) + float(getattr(st, "post_ms", 0) or 0)
        if frames is not None and frames.wait_ms >= max(FRAMES_WRITE_SAY_MS, FRAMES_WRITE_SAY_SHARE * model_ms):
            took = ("--frames-dir's first write is still going" if frames.write_ms is None  # (none measured)
                    else f"writing each frame to --frames-dir takes {frames.write_ms:.0f} ms")
            behind += f"; {took}: the model waits {frames.wait_ms:.0f} ms a window for the disk"
        log.warning("%s%s", behind, f"; {hint}" if hint else "")
        return SPEED_0 in hint
    if notice.recovered:
        log.info("the model keeps up again")
    return False


#: the model's wait for --frames-dir's writer (ms a frame: its queue full) said in the keep-up warning,
#: from this share of the model's time a window (under it, the disk is not what holds the run back)
FRAMES_WRITE_SAY_MS = 1.0
FRAMES_WRITE_SAY_SHARE = 0.2

#: the option that shows every window of a file (the keep-up warning's and the done line's hint)
SPEED_0 = "--speed 0"


def _few_frames_hint(sess) -> str | None:
    """:func:`~evfocus_live.cli.options.few_frames_hint` for a recording played to its end, as
    ``evfocus reconstruct`` says it (not with --roi: the events counted are the whole sensor's)."""
    pipe = sess.pipeline
    if not sess.ended or sess.frames_done >= FEW_FRAMES or pipe.window_cfg.roi is not None:
        return None
    rng = sess.source.time_range_us()
    return few_frames_hint(sess.frames_done, pipe.stats.events_total, (rng[1] - rng[0]) if rng else None,
                           pipe.window_cfg, pipe.window_events)


class _DefocusMeter:
    """The focus meter of a headless run: the mean defocus readout (px of blur sigma) of the
    frames made since the last rate line, so a lens can be focused over SSH (the viewer's bar
    and plot had no headless counterpart); "-" without frames or a defocus head."""

    def __init__(self):
        self._last = None
        self._values: list[float] = []

    def see(self, view) -> None:
        if view is not None and view is not self._last:
            self._last = view
            if view.defocus_mean_px is not None:
                self._values.append(float(view.defocus_mean_px))

    def take(self) -> str:
        values, self._values = self._values, []
        return f"{sum(values) / len(values):.2f} px" if values else "-"


def done_line(frames: int, skipped: int, elapsed_s: float, live: bool, dropped: int = 0,
              ring_dropped: int = 0, speed_hint_said: bool = False) -> str:
    """A headless run's last line: the windows a paced replay let go to keep up are said there
    too (a file shorter than a second ended before any rate line, and its --video lacked them
    without a word: the DVS spinner gave 3 frames of its 6 windows at --speed 1), and the
    events dropped on the way (``ring_dropped`` of them by the full ring buffer; the rest outside
    the sensor or the source's own). A replay's --speed 0 hint is for the losses of keeping up
    only: it gave events outside the sensor, at --speed 0 too; and said once (not when the
    keep-up warning said it: ``speed_hint_said``)."""
    text = f"done: {frames} {plural(frames, 'frame')} in {elapsed_s:.1f} s"
    if skipped:
        text += f"; {skipped} {plural(skipped, 'window')} skipped to keep up"
    if dropped:
        text += f"; {dropped:,} {plural(dropped, 'event')} dropped"
    if (skipped or ring_dropped) and not live and not speed_hint_said:
        text += f" ({SPEED_0} reconstructs every window)"
    return text


# ---------------------------------------------------------------------- windowed
def run_window(args, spec, window, model, post) -> int:
    from PySide6 import QtWidgets

    from .window import MainWindow, ViewerOptions

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("evfocus-live")
    model = remembered_compare(args, remembered_precision(args, model))
    palette = args.palette or getattr(args, "file_palette", None) or DisplayConfig().palette
    opts = ViewerOptions(source=spec, window=window, model=model, post=post, event_mode=args.event_mode,
                         display=DisplayConfig(palette=palette),
                         speed=args.speed, loop=not args.no_loop, sim_focus=args.focus, show_aps=args.show_aps,
                         sim_knobs={"images": args.images} if args.images else {},
                         record_dir=Path(args.record_dir), snapshot_dir=Path(args.snapshot_dir),
                         remember_geometry=not args.screenshot, failure_said_at_exit=True)
    # the window starts its pipeline while it is built: a Ctrl-C then (a slow machine) closes it
    # once built, as one after it does, instead of a KeyboardInterrupt past a running recording
    early: list[int] = []
    prev = {sig: signal.signal(sig, lambda signum, _frame: early.append(signum)) for sig in caught_stop_signals()}
    from .qt_messages import quiet_qt_noise

    try:
        with quiet_qt_noise():
            rc, failure = _show_window(app, args, opts, early, MainWindow)
        join_pipeline_threads()  # (a Ctrl-C meanwhile must not end the interpreter under a busy model)
        if failure is not None:  # (after the joins' lines: the terminal's last line says why; not logged)
            print(f"evfocus-live: error: {failure}", file=sys.stderr)
            rc = rc or EXIT_USER_ERROR
    finally:  # the caller's handlers back (a notebook's, or another program's that started the viewer)
        for sig, handler in prev.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)  # (None: not set from Python)
    return rc


def _show_window(app, args, opts, early: list[int], MainWindow) -> tuple[int, str | None]:
    """Build and show the viewer, run the event loop until it closes; the exit code and the
    window's :attr:`~.window.MainWindow.failure` (said by the caller, after the threads' lines)."""
    from PySide6 import QtCore

    if args.video or args.record:  # (started by the window before its first source reads)
        opts.record_at_start = (args.record, args.video, str(opts.source))
    win = MainWindow(opts)
    win.show()
    if getattr(args, "focus_note", None):  # (logged only, it was off screen: the knob was not there)
        win.status(args.focus_note, "warning", timeout_ms=15_000, log_it=False)
    why = win.session.load_errors.get("compare") if win.session is not None else None
    if why and getattr(args, "compare_remembered", None):  # (a model the command line did not name, every start)
        win.status(f"{why} - comparing with none (the \"vs\" box's pick from an earlier run: pick another there, or "
                   "none, to forget it)", "error", timeout_ms=15_000, log_it=False)  # (logged: the line before)
    result = {"rc": 0}
    if opts.record_at_start is not None:  # (no source started: none to record)
        opts.record_at_start = None
        win.failed("--record/--video: no source is running, nothing recorded")

    def finish():
        try:
            if args.screenshot:
                path = Path(args.screenshot)
                path.parent.mkdir(parents=True, exist_ok=True)  # writable: checked at the start
                if not win.grab().save(str(path)):
                    print(f"evfocus-live: error: cannot write screenshot {path}", file=sys.stderr)
                    result["rc"] = EXIT_USER_ERROR
                else:
                    log.info("screenshot saved: %s", path)
        finally:  # an exception in this slot must not leave the app running
            win.close()
            app.quit()

    # let Ctrl-C in the terminal (or SIGTERM) close the window cleanly (finalising any recording)
    for sig in caught_stop_signals():  # (those main() caught: an ignored one stays ignored)
        signal.signal(sig, close_later(win))
    if early:
        close_later(win)()
    ticker = QtCore.QTimer()
    ticker.start(200)
    ticker.timeout.connect(lambda: None)  # wake the interpreter so the signal handler runs
    if args.exit_after_s is not None:  # (a QTimer takes at most 2^31 ms: chain from the ticker)
        deadline = time.monotonic() + args.exit_after_s
        if args.exit_after_s < 1e6:
            QtCore.QTimer.singleShot(int(args.exit_after_s * 1000), finish)
        else:
            ticker.timeout.connect(lambda: time.monotonic() >= deadline and finish())
    app.exec()
    win.close()
    return result["rc"], win.failure


def remembered_precision(args, model: ModelConfig) -> ModelConfig:
    """The viewer's model settings with the precision last picked in it, unless ``--precision``
    names one (the command line wins; a headless run does not read the viewer's settings)."""
    if args.precision is not None:
        return model
    from . import settings
    from .precision import PRECISION_CHOICES, with_precision

    saved = settings.precision(PRECISION_CHOICES)
    return model if saved is None else with_precision(model, saved)


def remembered_compare(args, model: ModelConfig) -> ModelConfig:
    """The viewer's model settings with the compare model last picked in its "vs" box, unless
    ``--compare`` (or a ``--config`` file's ``[model] compare``) names one: the command line
    wins. Not checked as ``--compare`` is: a remembered checkpoint since deleted must not stop
    the viewer; the window runs without it and says so on its status bar.

    Left out where it is the model this run runs (picked beside another model; ``--model`` now
    names it: each window ran twice for the same picture, unsaid) and for ``--screenshot``,
    whose picture is the command line's as its size is, not a pane picked in an earlier run."""
    if args.compare is not None or getattr(args, "screenshot", None):
        return model
    from ..nn.registry import same_model
    from . import settings

    saved = settings.compare()
    if saved is None:
        return model
    name = None if saved.lower() == "none" else saved
    if name is not None and same_model(name, model.name):
        log.info("compare model %s: the viewer's last choice, but the model itself (%s): not run beside it",
                 name, model.name)
        return model
    if name is not None:
        log.info("compare model %s: the viewer's last choice (--compare none: without it)", name)
        args.compare_remembered = name  # (one that does not load: the window says where it came from)
    return dataclasses.replace(model, compare=name)


def close_later(win) -> Callable:
    """A stop-signal handler that closes ``win`` from the event loop. Python runs a handler
    between any two bytecodes of the main thread: closing right there could end the session in
    the middle of the viewer's paint tick (an AttributeError on the closed session)."""
    from PySide6 import QtCore

    return lambda *_: QtCore.QTimer.singleShot(0, win.close)


def join_pipeline_threads(limit_s: float = 120.0) -> None:
    """Before the process exits: wait for pipeline threads that a stop() left busy. A slow
    model's window outlives the stop's 5 s (``evfocus-full``'s first, traced one on a CPU
    takes longer), and the interpreter exiting under it aborts in torch (exit 134)."""
    busy = [t for t in threading.enumerate() if t.name == WORKER_THREAD and t.is_alive()]
    if busy:
        log.info("waiting for the model to finish its window before exiting ...")
    deadline = time.monotonic() + limit_s
    for t in busy:
        t.join(max(0.0, deadline - time.monotonic()))
    # a reader still in the source's read() (a plugin camera that hangs): not worth minutes
    from .session import APS_THREAD  # (a plugin's APS read that ignored its source's close)

    readers = [t for t in threading.enumerate() if t.name in (READER_THREAD, APS_THREAD) and t.is_alive()]
    for t in readers:
        if getattr(t, "unanswered_said", False):  # (the pipeline's stop() waited for it and said so)
            continue
        t.join(1.0)
        if t.is_alive():
            log.warning("the source's read() has not returned: exiting without it")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = glue_dash_values(argv)
    args = parse_args(parser, argv)  # (a typo: the nearest option named)
    args._argv = argv  # (--config: which options the command line gave)
    setup_logging(args.verbose, args.quiet)  # (the CLI's: torch's loggers quiet below WARNING too)
    try:
        from ..numba_cache import numba_config_problem

        problem = numba_config_problem()  # (the viewer's recorder imports numba: its ParserError was a traceback)
        if problem:
            raise ConfigError(problem)
        if args.list_plugins:
            return list_plugins()
        spec, window, model, post = _configs(args)
        if args.headless:
            if args.screenshot:
                raise ConfigError("--screenshot needs the window; drop --headless")
            _warn_window_only(args, parser)
            _check_frames_dir(args, model)
            return run_headless(args, spec, window, model, post)
        if not has_display():
            if args.screenshot:
                os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
            else:
                _warn_window_only(args, parser)
                _check_frames_dir(args, model)
                # (once the source and model are set up: a bad file or model name is the only line)
                return run_headless(args, spec, window, model, post, lambda: log.info(
                    "no display found (DISPLAY/WAYLAND_DISPLAY unset): running headless "
                    "(Ctrl-C or --exit-after-s S to stop; --video OUT.mp4 records)"))
        if args.frames_dir is not None:  # (the window's frames: the s key, the Record button)
            log.warning("--frames-dir has no effect with a window: a headless run (--headless) writes it")
        _check_window_dirs(args, parser)
        return run_window(args, spec, window, model, post)
    except EvFocusError as exc:
        print(f"evfocus-live: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("evfocus-live: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
