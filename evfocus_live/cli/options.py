"""Checks of command-line options shared by the ``evfocus`` subcommands.

Each raises :class:`~evfocus_live.errors.ConfigError` with one line naming the option.
The live viewer's parser (``gui/app.py``) uses them too, so both tools refuse the same values.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Callable, get_args

from ..errors import ConfigError

#: 0.1 ms: 10 k windows per second of events already. The slicer spends ~10 µs building a
#: window, so 1 µs windows (1 M per second of the simulated camera) took 11 s per second and
#: the viewer showed no frame; a 5-bin voxel of a shorter window holds nothing useful
MIN_WINDOW_MS = 0.1
#: one hour; longer is a typo (and µs counts beyond int64 overflow far above it)
MAX_WINDOW_MS = 3_600_000.0
#: the ring buffer holds 4 windows at 13 bytes/event: 50 M -> 2.6 GB, still allocatable (where
#: 1e11 asked for 4.7 TiB), ~150x the default window of a 1280x720 sensor (0.35 events/pixel)
MAX_WINDOW_EVENTS = 50_000_000


#: what ``--device`` takes, for the options' help
DEVICE_HELP = "auto | cpu | cuda | cuda:N (auto = CUDA when available, else CPU; cuda:N = GPU N, from 0)"
_DEVICE = re.compile(r"auto|cpu|cuda(?::([0-9]+))?")


def number(text: str) -> float:
    """``type=`` for a float option: ``--window-ms 2,5`` (a decimal comma, as typed where the
    locale writes one) was "invalid float value: '2,5'", which did not say what was wrong."""
    try:
        return float(text)
    except ValueError:
        if re.fullmatch(r"\s*[-+]?\d*,\d+\s*", text):
            raise argparse.ArgumentTypeError(f"invalid number {text!r}: write a decimal point "
                                             f"({text.strip().replace(',', '.')})") from None
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None


def check_compare_name(opt: str, name: str | None) -> str | None:
    """A compare model's name (None for none), checked as a settings file's model is, before any
    work: one line naming the option for a name no model has (as ``--model``'s, which it takes).
    The viewer's and ``evfocus reconstruct``'s ``--compare``."""
    if name is None or name.strip().lower() == "none":
        return None
    from ..errors import EvFocusError
    from ..nn.registry import check_model_name

    if not name.strip():
        raise ConfigError(f"{opt}: empty model name (an unset variable?); give a model name, a .pt "
                          "checkpoint, or none")
    try:
        check_model_name(name)
    except EvFocusError as exc:
        raise ConfigError(f"{opt}: {exc}") from None
    return name


def check_device(opt: str, value: str) -> str:
    """``--device`` as the name the model is placed by: auto, cpu, cuda or cuda:N (GPU N,
    counted from 0, so that a lab with two can put the viewer on the second). Only the spelling is
    checked here; whether that GPU is there is ``nn.registry.resolve_device``'s one line
    when the model is placed (the viewer's window then runs on the CPU and says so)."""
    m = _DEVICE.fullmatch(value.strip().lower())
    if m is None:
        raise ConfigError(f"{opt} {value!r}: not a device (auto, cpu, cuda, or cuda:N for GPU N from 0)")
    return f"cuda:{int(m.group(1))}" if m.group(1) is not None else m.group(0)


def check_palette(opt: str, value: str) -> str:
    """An event palette's name (any case: Metavision writes ``CoolWarm``) as the viewer and
    ``core.render`` take it; one line naming the choices otherwise."""
    from ..config import DisplayConfig, PaletteName

    try:  # (DisplayConfig holds the rule: any case, the names it lists)
        return DisplayConfig(palette=value).palette
    except ConfigError:
        raise ConfigError(f"{opt} {value!r}: no such palette (choose from {', '.join(get_args(PaletteName))})") from None


def check_number(opt: str, value: float | None, lo: float = 0.0, lo_ok: bool = False,
                 hi: float = math.inf) -> None:
    """``value`` (if given) must be finite and above ``lo`` (or equal, with ``lo_ok``), at most ``hi``."""
    if value is None:
        return
    if not math.isfinite(value) or value < lo or (value == lo and not lo_ok) or value > hi:
        rng = f"{'>=' if lo_ok else '>'} {lo:g}" + (f" and <= {hi:g}" if hi < math.inf else "")
        raise ConfigError(f"{opt} must be a finite number {rng}, got {value:g}")


#: what ``--post`` takes, for both tools' help
POST_HELP = ("comma-separated post-processors, each NAME or NAME:KEY=VALUE[:KEY=VALUE...] for its options "
             "(e.g. median:ksize=5); 'none' for none")


def post_steps(text: str) -> tuple[str, ...]:
    """``--post`` as a tuple of post-processor names: comma-separated; '' or 'none' for none
    (one parse for every command, so 'none' works everywhere). Options (``:k=v``) are left
    to :func:`post_options`."""
    if text.strip().lower() in ("", "none"):
        return ()
    names = tuple(s.partition(":")[0].strip() for s in text.split(","))
    if "" in names:  # ('auto_hdr,,median' ran auto_hdr and median in silence: a step left out?)
        where = "an empty step" if text.split(",")[names.index("")].strip() == "" else "a step without a name"
        raise ConfigError(f"--post {text!r}: {where} (steps are NAME[:KEY=VALUE...] between commas)")
    return names


def _option_value(text: str):
    """A ``--post`` option value: an int, a float, true/false, else the text itself."""
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def post_options(text: str) -> dict[str, dict]:
    """``--post`` options, name -> keyword options: ``median:ksize=5`` gives
    ``{"median": {"ksize": 5}}``. Options could only be passed from Python
    (``PostConfig.options``), so a plugin's options were out of reach of the commands."""
    out: dict[str, dict] = {}
    if not post_steps(text):  # 'none'
        return out
    for item in filter(None, (s.strip() for s in text.split(","))):
        name, _, rest = item.partition(":")
        for pair in filter(None, (p.strip() for p in rest.split(":"))):
            key, eq, value = (v.strip() for v in pair.partition("="))
            if not (eq and key.isidentifier() and value):
                raise ConfigError(f"--post {item!r}: an option is KEY=VALUE after the name "
                                  f"(e.g. median:ksize=5), got {pair!r}")
            out.setdefault(name.strip(), {})[key] = _option_value(value)
    return out


def check_window_ms(opt: str, value: float | None) -> None:
    if value is not None and not MIN_WINDOW_MS <= value <= MAX_WINDOW_MS:  # NaN fails too
        raise ConfigError(f"{opt} must be between {MIN_WINDOW_MS:g} and {MAX_WINDOW_MS:.0f} ms "
                          f"(one hour), got {value:g}")


#: fewer frames than this from a whole recording get a hint of the windows that give more
FEW_FRAMES = 3
#: the frames that hint's window sizes aim at
HINT_FRAMES = 10


def few_frames_hint(n_frames: int, n_events: int, span_us: int | None, window, window_events: int,
                    what: str = "the recording") -> str | None:
    """One line for a run that made fewer than FEW_FRAMES frames because its events fill fewer
    windows than that (a 8.8 ms EVK3 recording holds 220 k events: one default window of
    0.35 x 1280 x 720, one frame and no word why), with the ``--window-ms`` / ``--window-events``
    that give about HINT_FRAMES, from the events and time span read; None otherwise.
    ``window`` is the run's :class:`~evfocus_live.config.WindowConfig`, ``window_events`` the
    events a count window held; ``what`` names what was read (a part, with ``--start-s``)."""
    from .text import plural

    if n_frames >= FEW_FRAMES or n_events <= 0 or window.mode == "timestamps":
        return None
    ms = span_us / 1e3 if span_us else None
    if window.mode == "events":
        if n_events >= FEW_FRAMES * window_events:
            return None
        held = f"{window_events:,} events" + (" (0.35 per pixel, the default)" if window.window_events is None else "")
    else:  # duration, adaptive
        if ms is None or ms >= FEW_FRAMES * window.window_ms:
            return None
        held = f"{window.window_ms:g} ms" if window.mode == "duration" else f"about {window.window_ms:g} ms (adaptive)"
    per_window = max(1, int(float(f"{n_events / HINT_FRAMES:.2g}")))
    options = [f"--window-events {per_window}"]
    if ms:
        each_ms = max(MIN_WINDOW_MS, float(f"{ms / HINT_FRAMES:.2g}"))
        if ms / each_ms >= FEW_FRAMES:
            options.insert(0, f"--window-ms {each_ms:g}")
    span = f" in {ms:.3g} ms" if ms else ""
    return (f"only {n_frames} {plural(n_frames, 'frame')}: {what} holds {n_events:,} {plural(n_events, 'event')}"
            f"{span}, fewer than {FEW_FRAMES} windows of {held}; {' or '.join(options)} "
            f"give{'s' if len(options) == 1 else ''} about {min(HINT_FRAMES, round(n_events / per_window))} frames")


#: what ``--adaptive-ms`` does, for both tools' help and the viewer's window-mode tooltip
#: (the bounds are ``WindowConfig.adaptive_min_epp`` / ``adaptive_max_epp``)
ADAPTIVE_HELP = "adaptive windows of about X ms, kept within 0.05..1 events per pixel"


def check_window_events(opt: str, value: int | None) -> None:
    if value is not None and not 1 <= value <= MAX_WINDOW_EVENTS:
        raise ConfigError(f"{opt} must be between 1 and {MAX_WINDOW_EVENTS:,} events, got {value:,}")


#: what ``--downsample`` says it does, for both tools' help
DOWNSAMPLE_HELP = ("bin events N x N: the model sees a ceil(W/N) x ceil(H/N) sensor, 1..8 (1 = off, the default; "
                   "2 or 4 for a 1280x720 EVK4: 2 gave 4x the frame rate on a CPU)")


def check_downsample(opt: str, value: int) -> int:
    """``--downsample N``: a whole factor 1..MAX_DOWNSAMPLE (0 would divide by zero; beyond 8 a
    346x260 DAVIS is left with under 44x33 pixels, too few to reconstruct anything)."""
    from ..config import MAX_DOWNSAMPLE

    if not 1 <= value <= MAX_DOWNSAMPLE:
        raise ConfigError(f"{opt} must be a whole number 1..{MAX_DOWNSAMPLE} (1 = off; 2 or 4 for "
                          f"high-rate sensors), got {value}")
    return int(value)


#: what ``--roi`` says it does, for both tools' help
ROI_HELP = ("region of interest X,Y,W,H in pixels of the camera's sensor (top-left origin): only events "
            "inside reach the model, which sees a W x H sensor (before --downsample); e.g. 0,0,346,260: "
            "a DAVIS346-sized part of a 1280x720 EVK4, 10x fewer pixels to infer")

_ROI = re.compile(r"\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*")


#: options whose value may start with '-' and is not a plain number (argparse takes
#: ``--roi -1,0,100,100`` for a missing value: "expected one argument" and the usage)
DASH_VALUE_OPTIONS = ("--roi",)


def glue_dash_values(argv: list[str] | None) -> list[str] | None:
    """``--roi -1,0,...`` as ``--roi=-1,0,...``, so the value reaches its own check's message."""
    if argv is None:
        import sys

        argv = sys.argv[1:]
    out = list(argv)
    for i in range(len(out) - 2, -1, -1):
        if out[i] in DASH_VALUE_OPTIONS and out[i + 1][:1] == "-" and out[i + 1][1:2].isdigit():
            out[i:i + 2] = [f"{out[i]}={out[i + 1]}"]
    return out


def add_old_name(parser, old: str, new: str) -> None:
    """``old`` (a renamed option's former name) still works, written in full, as ``new``, and
    out of --help: :func:`~evfocus_live.cli.parse_args` rewrites it before parsing. Not an
    argparse option of its own: one registered beside ``new`` (``--exit-after`` beside
    ``--exit-after-s``) made each shorter prefix (``--exit-aft``) "ambiguous"."""
    parser.__dict__.setdefault("old_option_names", {})[old] = new


def old_names(parser) -> dict[str, str]:
    """``{old name: new name}`` of :func:`add_old_name` (README's checker and the did-you-mean
    know them too)."""
    return getattr(parser, "old_option_names", {})


def renamed_options(parser, argv: list[str]) -> list[str]:
    """``argv`` with ``parser``'s old option names (:func:`add_old_name`), alone or as
    ``OLD=VALUE``, written as their new ones; nothing after ``--`` (an input's name)."""
    renames = old_names(parser)
    out = list(argv)
    for i, word in enumerate(out):
        if word == "--":
            break
        name, eq, value = word.partition("=")
        if name in renames:
            out[i] = renames[name] + eq + value
    return out


def parse_roi(opt: str, text: str | None) -> tuple[int, int, int, int] | None:
    """``--roi X,Y,W,H`` (the viewer's ROI box too) as a tuple, checked as ``WindowConfig.roi``
    checks it but in one line naming ``opt``; None, '' or 'full': the whole sensor. Whether it
    fits the sensor is known only once the source is open (``config.check_roi_fits``)."""
    from ..config import MIN_ROI_PX

    if text is None or text.strip().lower() in ("", "full", "none"):
        return None
    m = _ROI.fullmatch(text)
    if m is None:
        raise ConfigError(f"{opt} {text!r}: not X,Y,W,H (four whole numbers, pixels of the sensor, "
                          f"e.g. 0,0,346,260)")
    x, y, w, h = (int(v) for v in m.groups())
    if w < MIN_ROI_PX or h < MIN_ROI_PX:
        raise ConfigError(f"{opt} {text.strip()}: width and height must be at least {MIN_ROI_PX} pixels, "
                          f"got {w}x{h}")
    return x, y, w, h


#: Linux file systems that are the kernel's views, not storage: "the what" (``mountinfo``'s type)
KERNEL_FILE_SYSTEMS = {
    "proc": "the kernel's process file system (proc)", "sysfs": "the kernel's file system (sysfs)",
    "devtmpfs": "the device file system (devtmpfs)", "devpts": "the terminals' file system (devpts)",
    **{t: f"a kernel file system ({t})" for t in ("cgroup", "cgroup2", "debugfs", "tracefs", "securityfs",
                                                  "pstore", "bpf", "configfs", "efivarfs", "binfmt_misc",
                                                  "fusectl", "mqueue")},
}


#: mountinfo's escapes in a mount point: ``\040`` space, ``\011`` tab, ``\012`` newline, ``\134`` backslash
_MOUNTINFO_ESCAPE = re.compile(rb"\\([0-7]{3})")


def kernel_file_system(d: Path) -> str | None:
    """What ``d`` is when it lies on a kernel file system (:data:`KERNEL_FILE_SYSTEMS`), by the
    deepest mount above it in ``/proc/self/mountinfo``; ``/dev`` and any folder under it count
    whatever they are mounted as (a container's /dev is a tmpfs: ``/dev/x/`` took a file into
    RAM), except :data:`DEV_STORAGE` (``/dev/shm``: RAM a user asks for). The standard streams
    (``/dev/null``, ``/dev/stdout``) are files, never looked at here. None elsewhere, and where
    there is no mountinfo (then /dev by name alone)."""
    try:
        d = d.resolve()
        # bytes: a mount point anywhere whose name is not UTF-8 (a Latin-1 share) was a
        # UnicodeDecodeError traceback at every output check
        lines = Path("/proc/self/mountinfo").read_bytes().splitlines()
    except OSError:
        return _device_folder(d)
    here = os.fsencode(d)
    best, fs_type = b"", ""
    for line in lines:
        fields = line.split()
        if b"-" not in fields:
            continue
        mount = _MOUNTINFO_ESCAPE.sub(lambda m: bytes([int(m.group(1), 8)]), fields[4])
        inside = here == mount or here.startswith(mount.rstrip(b"/") + b"/")
        if inside and len(mount) >= len(best):
            best, fs_type = mount, fields[fields.index(b"-") + 1].decode("ascii", "replace")
    if fs_type in KERNEL_FILE_SYSTEMS:
        return KERNEL_FILE_SYSTEMS[fs_type]
    return _device_folder(d)


#: the folder under /dev that is storage a user may write (RAM they asked for)
DEV_STORAGE = Path("/dev/shm")


def _device_folder(d: Path) -> str | None:
    """"the device file system" for ``/dev`` and any folder under it but :data:`DEV_STORAGE`."""
    dev = Path("/dev")
    if (d == dev or dev in d.parents) and not (d == DEV_STORAGE or DEV_STORAGE in d.parents):
        return KERNEL_FILE_SYSTEMS["devtmpfs"].replace(" (devtmpfs)", "")
    return None


def refuse_kernel_file_system(what: str, path: str | Path) -> None:
    """ConfigError where ``path`` (or the nearest folder of it that exists) lies on a kernel
    file system: /sys said "Permission denied in /sys"; /dev took a file, as root, into RAM."""
    d, _ = _missing_part(Path(path))
    kernel = kernel_file_system(d)
    if kernel is not None:
        raise ConfigError(f"{what}: cannot write in {d}: it is {kernel}, not storage")


def _writable_folder(d: Path, what: str, new: Path | None = None) -> None:
    """``d`` exists: it must be a folder we can create files in (os.access lies for root: try it).
    ``new``: what the run would make in ``d`` (named in the error, rather than ``d`` alone)."""
    if not d.is_dir():
        raise ConfigError(f"{what}: {d} is not a folder")
    refuse_kernel_file_system(what, d)
    try:
        with tempfile.TemporaryFile(dir=d):
            pass
    except OSError as exc:
        why = exc.strerror or str(exc)
        if exc.errno == errno.ENOENT:  # (d is there: /proc, /sys take no new files, and say "No such file")
            why = f"{d} takes no new files"
        elif new is not None:
            why = f"{why} in {d}"
        if new is not None:
            raise ConfigError(f"{what}: cannot create {new}: {why}") from exc
        raise ConfigError(f"{what}: {why}" if exc.errno == errno.ENOENT else
                          f"{what}: cannot write in {d} ({why})") from exc


def _missing_part(p: Path) -> tuple[Path, Path | None]:
    """(the nearest existing folder above or at ``p``, the first part of ``p`` missing below it:
    what the run creates there, or None where ``p`` exists)."""
    p = p.absolute()
    d = p
    while not d.exists() and d != d.parent:
        d = d.parent
    return d, (None if d == p else d / p.relative_to(d).parts[0])


def check_output_dir(opt: str, path: str | Path) -> Path:
    """An output folder that exists or can be created, and is writable; nothing is created.
    An empty name is refused: Path('') is the current folder, so ``-o "$UNSET"`` wrote there."""
    if isinstance(path, str) and not path.strip():
        raise ConfigError(f"{opt}: empty folder name")
    if str(path) == "-":  # (else a folder named '-' was made: frames cannot go to stdout)
        raise ConfigError(f"{opt} -: frames cannot be written to stdout; give a folder name")
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise ConfigError(f"{opt} {p}: exists and is not a folder")
    d, new = _missing_part(p)
    _writable_folder(d, f"{opt} {p}", new)
    return p


def check_file_name(opt: str, name: str | Path | None) -> None:
    """An output file named as an empty string (``--video "$UNSET"``) is refused: it was taken
    for no file at all, and the run made no video without a word."""
    if isinstance(name, str) and not name.strip():
        raise ConfigError(f"{opt}: empty file name (an unset variable?)")


def check_output_file(opt: str, path: str | Path) -> Path:
    """An output file that can be written (replaced or created); nothing is created."""
    check_file_name(opt, path)
    p = Path(path)
    if p.is_dir():
        raise ConfigError(f"{opt} {p}: is a folder, expected a file name")
    if p.exists():
        try:  # appending nothing: a writability test that leaves it as it is; non-blocking, as
            # opening a FIFO nobody reads waits forever (ENXIO now)
            os.close(os.open(p, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NONBLOCK", 0)))
        except OSError as exc:
            why = "a pipe nobody reads" if exc.errno == errno.ENXIO else exc.strerror or exc
            raise ConfigError(f"{opt} {p}: cannot write ({why})") from exc
    else:
        d, new = _missing_part(p)
        _writable_folder(d, f"{opt} {p}", new)
    return p


def refuse_existing_output(opt: str, path: str | Path) -> None:
    """Without ``--overwrite``: an earlier run's output (a non-empty file) is refused, as
    replacing it loses a user's recording; an empty file (``mktemp``'s) counts as free."""
    p = Path(path)
    try:
        taken = p.is_file() and p.stat().st_size > 0
    except OSError:
        taken = False
    if taken:
        raise ConfigError(f"{opt} {p}: already exists; use --overwrite or another file name")


#: containers OpenCV's FFmpeg backend writes with the mp4v codec, readable back (checked with
#: OpenCV 5.0: .webm/.flv/.gif refuse mp4v, .ts/.mpg write files that do not play back)
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".avi", ".mkv")


def check_video_suffix(opt: str, path: str | Path, shown: str | None = None) -> None:
    """A video file name the mp4v writer can open, before any work: the writer fails only when
    the first frame comes (the viewer said so after the whole run, beside "no frame was
    reconstructed")."""
    suffix = Path(path).suffix
    if suffix.lower() not in VIDEO_SUFFIXES:
        raise ConfigError(f"{opt} {shown or path}: unknown video type "
                          f"{repr(suffix) if suffix else '(no extension)'}; use {', '.join(VIDEO_SUFFIXES)}")


def check_not_input(opt: str, path: str | Path, inputs) -> None:
    """An output file must not be one of the inputs (same path, link or hard link): writing it
    destroyed the recording while it was read, and the reader's memory map of it crashed the
    process (Bus error)."""
    out = Path(path)
    for inp in inputs:
        if not inp:
            continue
        try:
            same = out.resolve() == Path(inp).resolve() or os.path.samefile(out, inp)
        except (OSError, ValueError):  # absent (not written yet, or a camera name): not the same
            same = False
        if same:
            raise ConfigError(f"{opt} {path}: is the input {inp}; writing it would destroy it - "
                              "give another file name")


#: what ``--config`` takes, for both tools' help
CONFIG_HELP = ("settings file (TOML: [window], [model], [post]) that the viewer saves with File > Save settings; "
               "options given here win over it")


def given_options(build_parser: Callable[[], argparse.ArgumentParser], argv: list[str] | None) -> set[str]:
    """The argparse dests ``argv`` gives, not defaults: ``argv`` parsed again by a fresh parser
    whose defaults are a marker (a ``--downsample 1`` that overrides a settings file's 2 is
    given, though it equals the default; prefixes and ``--opt=value`` count as argparse reads them)."""
    unset = object()
    parser = build_parser()
    todo = [parser]
    while todo:
        p = todo.pop()
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction):
                todo.extend(a.choices.values())
            elif isinstance(a, (argparse._StoreAction, argparse._StoreConstAction)) and a.default is not argparse.SUPPRESS:
                a.default = unset
    ns, _ = parser.parse_known_args(argv)
    return {k for k, v in vars(ns).items() if v is not unset}
