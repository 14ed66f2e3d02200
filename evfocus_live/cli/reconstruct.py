"""``evfocus reconstruct``: recordings -> sharp frames (PNG + timestamps.txt, optional MP4).

Writes ``frame_%010d.png`` (grayscale, sensor size) and ``timestamps.txt`` with one
``index t_us`` line per frame (E2VID's convention, in µs), optionally ``blur_%010d.png``
defocus maps and an MP4. ``--at aps`` reconstructs at the times of a DAVIS recording's own
grey-level (APS) frames, and ``--save-aps`` writes those frames beside the reconstructions
as ``aps_%010d.png`` (same number as the frame made at its time, cropped and binned as the
frame is), for a side-by-side look. ``--compare MODEL`` runs a second model on the same
windows (its own recurrent state) and writes its frames as ``compare/frame_%010d.png`` with
the same numbers, and ``compare/timestamps.txt`` beside them (a paper figure's pairs).
Several inputs run one after another (one subfolder per input) or in parallel processes
with ``--jobs``.

A folder holding an earlier run's frames is refused unless ``--overwrite`` (which removes
only those outputs first), so a folder never mixes two runs. Every write is checked (a
full disk ends the run with one error line); ``timestamps.txt`` lists only the frames
whose files were written completely.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import os
import re
import signal
import sys
import time
from pathlib import Path

from .options import VIDEO_SUFFIXES, few_frames_hint  # (VIDEO_SUFFIXES: its home, the viewer's --video checks it too)
from .signals import held_signals, run_with_sigterm_as_ctrl_c, sigint_blocked, terminate_as_interrupt
from .text import plural, rate_text

#: seconds between the progress lines a run without a progress bar logs (a log file, --no-progress)
PROGRESS_LOG_S = 30.0

log = logging.getLogger(__name__)

#: defocus maps are written on a fixed scale: 0 px -> black, SIGMA_MAX_PX or more -> white
SIGMA_MAX_PX = 8.0  # the viewer's default; the light model's top level is 10 px, but it reads at most ~5.5

#: frame rates the mp4v writer opens with (below: a time base of 0; above: MPEG-4's 16-bit limit)
VIDEO_FPS_MIN, VIDEO_FPS_MAX = 0.01, 65535.0
#: containers whose muxer drops or miscounts frames above this rate (mkv keeps 1 ms time
#: stamps; avi lost 8 of 20 frames at 2000 fps), found only after the whole run
VIDEO_FPS_MAX_BY_SUFFIX = {".avi": 1000.0, ".mkv": 1000.0}
#: what an earlier run wrote into an output folder (besides the video): refused, or removed by --overwrite
_OUR_OUTPUT = re.compile(r"(frame|blur|aps)_\d+\.png|timestamps\.txt")
#: the subfolder of OUTDIR the ``--compare`` model's frames and timestamps.txt go to
COMPARE_DIR = "compare"
#: ``--at aps``: the recording's APS frame times instead of a file (a file named aps: ``./aps``)
AT_APS = "aps"
#: an --at value that is times, not a file name (``0,33000``, ``33000``, ``0;1.5``)
_AT_INLINE = re.compile(r"[-+]?[\d.]+([\s,;]+[-+]?[\d.]+)*")


def add_parser(subparsers) -> argparse.ArgumentParser:
    from .options import ADAPTIVE_HELP, CONFIG_HELP, DEVICE_HELP, DOWNSAMPLE_HELP, POST_HELP, ROI_HELP, number

    p = subparsers.add_parser(
        "reconstruct", help="reconstruct sharp frames from event recordings",
        description="Reconstruct sharp intensity frames from (out-of-focus) event recordings. Writes "
                    "frame_%010d.png and timestamps.txt ('index t_us' per line) into OUTDIR.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="event recording(s): .aedat4 .raw .h5 .npy .npz .txt .csv")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output folder (a subfolder per "
                   "input when there are several)")
    p.add_argument("--model", default="evfocus", help="model name (evfocus, e2vid, firenet, ...) or .pt "
                   "checkpoint path (default: evfocus)")
    p.add_argument("--compare", default=None, metavar="MODEL",
                   help="also run this model (a name or .pt checkpoint, as --model) on the same windows, its own "
                        "recurrent state, and write its frames as OUTDIR/compare/frame_%%010d.png (the same numbers "
                        "and times, listed in compare/timestamps.txt too); with --side-by-side the video shows it as a "
                        "third panel (default: none; a --config file's [model] compare is used when not given)")
    p.add_argument("--device", default="auto", help=DEVICE_HELP + "; default auto")
    win = p.add_mutually_exclusive_group()
    win.add_argument("--window-ms", type=number, metavar="X", help="fixed window duration in ms")
    win.add_argument("--window-events", type=int, metavar="N",
                     help="fixed events per window (default: 0.35 x sensor pixels)")
    win.add_argument("--at", metavar="TS.txt", help="one frame per line of this file (t_us, or 'index t_us'); "
                     "'aps': one frame at each APS (grey-level) frame of a DAVIS recording")
    win.add_argument("--adaptive-ms", type=number, metavar="X", help=ADAPTIVE_HELP)
    p.add_argument("--post", default="auto_hdr", metavar="STEPS",
                   help=POST_HELP + " (auto_hdr, unsharp, hot_pixels, noise_filter, plugins; 'none': raw "
                        "network output; default: auto_hdr)")
    p.add_argument("--video", metavar="OUT.mp4", help="also write a video (mp4v codec; " + ", ".join(
                   VIDEO_SUFFIXES) + ")")
    p.add_argument("--side-by-side", action="store_true", help="video shows the events beside the frame "
                   "(and --compare's frame after it; needs --video)")
    p.add_argument("--palette", default=None, metavar="NAME",
                   help="--side-by-side's event colours: dark (the default), light (= white), gray (ON white, OFF "
                        "black on grey: for colour-blind eyes) or coolwarm (Metavision's); as the viewer's --palette")
    p.add_argument("--fps", type=number, help=f"video frame rate, {VIDEO_FPS_MIN:g}..{VIDEO_FPS_MAX:g} "
                   "(.avi/.mkv: ..1000; needs --video; default: 1000/window-ms, else 30)")
    p.add_argument("--save-blur-map", action="store_true",
                   help=f"also write blur_%%010d.png defocus maps (0..{SIGMA_MAX_PX:g} px sigma -> 0..255)")
    p.add_argument("--save-aps", action="store_true",
                   help="with --at aps: also write the recording's APS frames as aps_%%010d.png (the number of "
                        "the frame made at its time; cropped to --roi and area-averaged by --downsample "
                        "as the frames are, so the two match pixel for pixel)")
    p.add_argument("--roi", default=None, metavar="X,Y,W,H", help=ROI_HELP)
    p.add_argument("--downsample", type=int, default=1, metavar="N", help=DOWNSAMPLE_HELP)
    p.add_argument("--config", metavar="FILE.toml", help=CONFIG_HELP)
    p.add_argument("--start-s", type=number, metavar="A", help="start A seconds after the first event")
    p.add_argument("--end-s", type=number, metavar="B", help="stop B seconds after the first event")
    p.add_argument("--threads", type=int, default=0, metavar="N",
                   help="torch CPU threads per process (0 = measured default: 1)")
    p.add_argument("--backend", default="auto", choices=["auto", "eager", "jit", "onnx", "compile"],
                   help="inference runtime (default auto: TorchScript on CPU; falls back to eager on any failure)")
    p.add_argument("--precision", default=None, choices=["fp32", "bf16", "auto", "fp16"],
                   help="fp32 (the default on a CPU); bf16: ~1.4-1.7x faster on CPUs with AVX512-BF16/AMX, "
                        "outputs within ~1 grey level, also on a GPU with bf16 (else fp32, said); auto: bf16 "
                        "where the CPU has it (the live viewer's default), else fp32. On a GPU the model "
                        "runs fp16 (the default there) unless fp32 or bf16 is given")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="process N inputs in parallel (default 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an earlier run's frame_*/blur_*/aps_*.png and timestamps.txt in OUTDIR, and "
                        "an existing --video file (without it such a folder or video is refused)")
    return p


def _options(args) -> dict:
    """Plain, picklable options (they travel to worker processes)."""
    from ..errors import ConfigError
    from .options import (check_compare_name, check_device, check_downsample, check_file_name, check_number,
                          check_palette, check_window_events, check_window_ms, parse_roi, post_options, post_steps)

    if args.at is not None:  # '' gave the default windows in silence; 'APS' was a file name
        if not args.at.strip():
            raise ConfigError("--at needs a file of frame times or 'aps'")
        if args.at.strip().lower() == AT_APS:
            args.at = AT_APS
        elif _AT_INLINE.fullmatch(args.at.strip()) and not os.path.exists(args.at):
            # `--at 0,33000`: times where a file goes read "0,33000: no such timestamps file",
            # naming neither what --at takes nor whether 0,33000 was two times or 'index,t_us'
            raise ConfigError(f"--at takes a file of frame times (one t_us, or 'index t_us', per line) or 'aps', "
                              f"not the times themselves: no file named {args.at!r}; write the times one per "
                              "line to a file (printf '0\\n33000\\n' > at.txt) and give --at at.txt")
    device = check_device("--device", args.device)
    compare = check_compare_name("--compare", args.compare)
    check_window_ms("--window-ms", args.window_ms)
    check_window_ms("--adaptive-ms", args.adaptive_ms)
    check_window_events("--window-events", args.window_events)
    downsample = check_downsample("--downsample", args.downsample)
    roi = parse_roi("--roi", args.roi)
    check_number("--fps", args.fps, lo=VIDEO_FPS_MIN, lo_ok=True, hi=VIDEO_FPS_MAX)
    if args.jobs < 1:
        raise ConfigError("--jobs must be >= 1")
    if args.threads < 0:
        raise ConfigError(f"--threads must be >= 0 (0 = default), got {args.threads}")
    check_number("--start-s", args.start_s, lo_ok=True)
    check_number("--end-s", args.end_s)
    if args.end_s is not None and args.end_s <= (args.start_s or 0):
        raise ConfigError("--end-s must be after --start-s")
    check_file_name("--video", args.video)
    for opt, given in (("--side-by-side", args.side_by_side), ("--fps", args.fps is not None)):
        if given and not args.video:  # else silently ignored: no video would be written
            raise ConfigError(f"{opt} needs --video")
    palette = check_palette("--palette", args.palette) if args.palette is not None else "dark"
    if args.palette is not None and not args.side_by_side:  # (only that video shows events)
        raise ConfigError("--palette needs --side-by-side (the video's event half)")
    fps = args.fps or (1000.0 / args.window_ms if args.window_ms else 30.0)
    if args.video and not VIDEO_FPS_MIN <= fps <= VIDEO_FPS_MAX:  # only the default can be out of range here
        raise ConfigError(f"--video: the default frame rate 1000/--window-ms = {fps:.3g} fps is outside "
                          f"{VIDEO_FPS_MIN:g}..{VIDEO_FPS_MAX:g}; give --fps")
    steps = post_steps(args.post)
    opts = dict(model=args.model, compare=compare, device=device, window_ms=args.window_ms,
                window_events=args.window_events, at=args.at, adaptive_ms=args.adaptive_ms, post=steps,
                post_options=post_options(args.post),
                video=args.video, side_by_side=args.side_by_side, palette=palette, fps=_writer_fps(fps),
                save_blur_map=args.save_blur_map, save_aps=args.save_aps, start_s=args.start_s, end_s=args.end_s,
                progress=not args.no_progress, threads=args.threads, backend=args.backend,
                # (None: not given, fp16's meaning: fp32 on a CPU, fp16 on a GPU. The viewer's
                # choices, as the viewer means them: bf16 ran fp16 on a GPU here, fp32 there)
                **_precision_opts(args.precision or "fp16"),
                overwrite=args.overwrite, downsample=downsample, roi=roi)
    if args.config is not None:
        _apply_config_file(args, opts)
    if args.save_aps and opts["at"] != AT_APS:  # else there is no frame at an APS frame's time to pair it with
        # (after --config: its [window] timestamps_aps = true is --at aps)
        raise ConfigError("--save-aps needs --at aps" + (f" (or [window] timestamps_aps = true in {args.config})"
                                                         if args.config is not None else ""))
    return opts


def _precision_opts(choice: str) -> dict:
    """``precision`` and ``half`` for a ``--precision`` choice, as the viewer and a settings file set them."""
    from ..config import ModelConfig
    from ..gui.precision import with_precision  # (Qt-free: the choices and their meaning)

    cfg = with_precision(ModelConfig(), choice)
    return {"precision": cfg.precision, "half": cfg.half}


def _say_compare_is_the_model(opts: dict) -> None:
    """A compare model that is ``--model``'s own (a viewer's settings file can name it) makes the
    main frames again at twice the time: said once, not refused."""
    from ..nn.registry import same_model

    cmp, model = opts.get("compare"), opts["model"]
    if cmp is not None and same_model(cmp, model):
        log.warning("--compare %s: the same model as --model: its compare/ frames are the main ones again, "
                    "at twice the time", cmp)


def _say_precision_unused(choice: str | None, opts: dict) -> None:
    """``--precision fp16`` where the model runs on the CPU: one warning line, as the viewer says
    it (it ran fp32 in silence; bf16's line is the runtime's, said as the model loads)."""
    if choice != "fp16" or (opts["precision"], opts["half"]) != ("fp32", True):  # (a --config may change it)
        return
    from ..gui.precision import precision_problem
    from ..nn.registry import resolve_device

    problem = precision_problem("fp16", resolve_device(opts["device"]).type)
    if problem:
        log.warning("%s", problem)


def _apply_config_file(args, opts: dict) -> None:
    """``--config FILE``: the file's settings under the options given on the command line,
    written back into ``opts`` (and the whole window config, with the keys no option sets)."""
    from ..config import ModelConfig, PostConfig
    from ..config_file import check_settings, load_settings, merge_settings
    from . import build_parser
    from .options import check_device, check_file_name, given_options

    check_file_name("--config", args.config)
    settings = load_settings(args.config)
    # (args made in Python, without main()'s argv: nothing counts as given, the file's values stand)
    given = given_options(build_parser, args._argv) if getattr(args, "_argv", None) is not None else set()
    check_settings(args.config, settings, set(given))
    model = ModelConfig(name=opts["model"], compare=opts["compare"], device=opts["device"], threads=opts["threads"], backend=opts["backend"],
                        precision=opts["precision"], half=opts["half"])
    window, model, post = merge_settings(args.config, settings, _window_config(opts), model,
                                         PostConfig(steps=opts["post"], options=opts["post_options"]), given)
    opts.update(model=model.name, compare=model.compare, device=check_device(f"{args.config}: [model] device", model.device),
                threads=model.threads, backend=model.backend, precision=model.precision, half=model.half,
                post=post.steps, post_options=post.options, downsample=window.downsample, roi=window.roi,
                window_cfg=window, at=(AT_APS if window.timestamps_aps else window.timestamps_path)
                if window.mode == "timestamps" else None,
                window_ms=window.window_ms if window.mode == "duration" else None,
                adaptive_ms=window.window_ms if window.mode == "adaptive" else None,
                window_events=window.window_events if window.mode == "events" else None)
    if model.compare is not None and "compare" not in given:  # (a viewer's file: it doubles the run's time)
        log.info("%s: [model] compare = %r: its frames go to compare/ (--compare none: not run)", args.config,
                 model.compare)
    # (the viewer's; said, as README's "ignores it" was silent; not dark, which every viewer's file
    # now says and reconstruct's own video uses anyway: nothing ignored)
    if settings.has("display", "palette") and settings.display.palette != "dark":
        log.info("%s: [display] palette = %r ignored: a viewer setting; reconstruct's own is --palette "
                 "(with --side-by-side)", args.config, settings.display.palette)
    if args.fps is None:  # (the video's default rate follows the file's window)
        opts["fps"] = _writer_fps(1000.0 / opts["window_ms"] if opts["window_ms"] else 30.0)


def _mp4v_time_base(fps: float) -> tuple[int, int]:
    """OpenCV's FFmpeg writer turns ``fps`` into frames/units: the first power-of-ten unit that
    matches it within 0.001 (cap_ffmpeg_impl.hpp), reduced. MPEG-4 refuses more than 65535."""
    rate, unit = int(fps + 0.5), 1
    while abs(rate / unit - fps) > 0.001:
        unit *= 10
        rate = int(fps * unit + 0.5)
    g = math.gcd(rate, unit) or 1
    return rate // g, unit // g


def _writer_fps(fps: float) -> float:
    """``fps`` rounded as little as needed for the mp4v writer to open (1000/3 = 333.333... has
    no time base it accepts; 333.33 has): within VIDEO_FPS_MIN..MAX one always exists."""
    for digits in (None, 3, 2, 1, 0):
        f = fps if digits is None else round(fps, digits)
        if f > 0 and 1 <= _mp4v_time_base(f)[0] <= 65535:
            if f != fps:
                log.debug("video frame rate %g fps written as %g fps (MPEG-4 time base)", fps, f)
            return f
    return fps


def _window_config(opts: dict):
    import dataclasses

    if opts.get("window_cfg") is not None:  # (--config: the file's, with the command line's options over it)
        return opts["window_cfg"]
    cfg = _window_mode(opts)
    return dataclasses.replace(cfg, downsample=opts.get("downsample", 1), roi=opts.get("roi"))


def _window_mode(opts: dict):
    from ..config import WindowConfig

    if opts["at"] == AT_APS:
        return WindowConfig(mode="timestamps", timestamps_aps=True)
    if opts["at"]:
        return WindowConfig(mode="timestamps", timestamps_path=opts["at"])
    if opts["window_ms"]:
        return WindowConfig(mode="duration", window_ms=opts["window_ms"])
    if opts["adaptive_ms"]:
        return WindowConfig(mode="adaptive", window_ms=opts["adaptive_ms"])
    if opts["window_events"]:
        return WindowConfig(mode="events", window_events=opts["window_events"])
    return WindowConfig(mode="events")


def _output_dirs(inputs: list[str], outdir: Path) -> list[Path]:
    """One distinct subfolder per input (when several): the input's stem; a stem seen before
    gets the first free ``_1``, ``_2``... that is no other input's stem either (``a/rec.aedat4
    b/rec.raw rec_1.aedat4`` -> rec, rec_2, rec_1). Compared case-blind, for macOS/Windows disks."""
    if len(inputs) == 1:
        return [outdir]
    stems = [Path(inp).stem or "input" for inp in inputs]
    taken = {s.casefold() for s in stems}
    given: set[str] = set()
    out = []
    for stem in stems:
        name = stem
        if stem.casefold() in given:
            k = 1
            while f"{stem}_{k}".casefold() in taken:
                k += 1
            name = f"{stem}_{k}"
            taken.add(name.casefold())
        given.add(stem.casefold())
        out.append(outdir / name)
    return out


def _video_path(video: str | None, n_inputs: int, outdir: Path, input_path: str = "") -> Path | None:
    """The video of the input written into ``outdir``: as given for one input; with several,
    ``outdir/NAME`` (a relative name) or ``/abs/STEM_<outdir name>.SUFFIX`` (an absolute one),
    distinct because the output folders are (see :func:`_output_dirs`)."""
    if not video:
        return None
    v = Path(video)
    if n_inputs == 1:
        return v
    return outdir / v.name if not v.is_absolute() else v.with_name(f"{v.stem}_{outdir.name}{v.suffix}")


def earlier_outputs(outdir: Path) -> list[Path]:
    """Files an earlier run wrote into ``outdir`` (frames, blur maps, timestamps.txt; --compare's
    in its ``compare`` subfolder), sorted.
    An empty timestamps.txt is not one: a run that failed before its first frame (a broken
    plugin, Ctrl-C) leaves it, and refusing the rerun for it named frames that were never there."""
    if not outdir.is_dir():
        return []
    return sorted(p for d in (outdir, outdir / COMPARE_DIR) if d.is_dir() for p in d.iterdir()
                  if _OUR_OUTPUT.fullmatch(p.name) and not p.is_dir()
                  and not (p.name == "timestamps.txt" and _is_empty_file(p)))


def _is_empty_file(p: Path) -> bool:
    try:
        return p.stat().st_size == 0
    except OSError:
        return False


def remove_earlier_outputs(outdir: Path, video: Path | None) -> None:
    """--overwrite: delete an earlier run's outputs (nothing else), so the folder ends up
    holding this run's frames only. Ctrl-C or SIGTERM meanwhile is held to the end of it (then
    exit 130): cut in the middle, the folder kept a timestamps.txt naming frames that were gone.
    The timestamps.txt files go first, so even a kill leaves no list of missing frames."""
    old = sorted(earlier_outputs(outdir), key=lambda p: p.name != "timestamps.txt")
    if video is not None and (video.is_file() or video.is_symlink()):
        old.append(video)
    with held_signals((signal.SIGINT, signal.SIGTERM), second="deliver"):
        _remove_all(old, outdir)


def _remove_all(old: list[Path], outdir: Path) -> None:
    """Remove ``old``, the earlier run's files in ``outdir`` (see :func:`remove_earlier_outputs`)."""
    from ..errors import ConfigError

    for p in old:
        try:
            p.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise ConfigError(f"{p}: cannot remove for --overwrite ({exc.strerror or exc})") from exc
    if any(p.parent.name == COMPARE_DIR for p in old):  # (emptied, it read as a comparison; the user's files stay)
        try:
            (outdir / COMPARE_DIR).rmdir()
        except OSError:
            pass
    if old:
        log.info("--overwrite: removed %d files of an earlier run from %s", len(old), outdir)


def _remove_output(path: Path) -> None:
    """Remove a file this run wrote (a regular file or a link, never a device or a folder)."""
    import stat

    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
            os.unlink(path)
    except OSError:
        pass


def _write_png(path: Path, img) -> None:
    """Write a PNG, checked: cv2.imwrite's result is not enough (a small PNG on a full disk
    still gives True: the last flush happens in an unchecked fclose), so encode here and write
    with Python's file I/O, which raises. A failed file is removed, not left truncated."""
    import cv2

    from ..errors import InputError

    ok, buf = cv2.imencode(".png", img)
    if not ok:
        raise InputError(f"{path}: cannot encode PNG")
    try:
        with open(path, "wb") as f:
            f.write(buf)
    except OSError as exc:
        _remove_output(path)
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from exc


def _append_line(f, path: Path, line: str) -> None:
    """Append one line to the unbuffered ``f``; on failure cut the file back to whole lines."""
    from ..errors import InputError

    data = line.encode()
    pos = f.tell()
    try:
        while data:
            n = f.write(data)
            if not n:
                raise OSError(f"short write to {path}")
            data = data[n:]
    except OSError as exc:
        try:
            f.truncate(pos)
        except OSError:
            pass
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from exc


class FrameFolder:
    """Frames as ``frame_%010d.png`` with a ``timestamps.txt`` line each (``INDEX T_US``) in
    ``outdir``; with ``compare``, the compare model's frame of the same window under the same
    number in ``outdir/compare/`` with its own list (none for a NaN frame it dropped). This
    command's layout, which the headless viewer's ``--frames-dir`` writes too. The lists are
    unbuffered and a frame's line follows its files: a killed run never lists a missing frame."""

    def __init__(self, outdir: Path, compare: bool = False):
        from ..errors import InputError

        self.outdir = Path(outdir)
        self.cmp_dir = self.outdir / COMPARE_DIR if compare else None
        self.n = self.n_cmp = 0  # frames listed (the compare model's apart)
        self._lists: list[tuple[object, Path]] = []  # (file, path): the main list first
        self.closed = False
        for d in (self.outdir, self.cmp_dir):
            if d is None:
                continue
            path = d / "timestamps.txt"
            try:
                d.mkdir(parents=True, exist_ok=True)
                self._lists.append((open(path, "wb", buffering=0), path))
            except OSError as exc:  # (the folder was checked up front, but disks fill up)
                self.close()
                raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from exc

    @contextlib.contextmanager
    def frame(self, fr):
        """Write ``fr``'s frame (``index``, ``t_us``, ``image``, ``compare``) and list it; the
        body writes what goes with it, adding those paths to the list yielded: all of them are
        removed if any write fails, so a frame is on disk whole or not at all."""
        if self.closed:  # (its lists are: a frame written now would be on disk unlisted)
            raise ValueError(f"{self.outdir}: frame {fr.index} written after the folder was closed")
        written = [self.outdir / f"frame_{fr.index:010d}.png"]
        cmp = getattr(fr, "compare", None) if self.cmp_dir is not None else None
        listed: list[tuple[object, int]] = []  # (list, its size before this frame's line)
        try:
            _write_png(written[-1], fr.image)
            if cmp is not None:  # (same number as the main frame of the same window)
                written.append(self.cmp_dir / f"frame_{fr.index:010d}.png")
                _write_png(written[-1], cmp)
            yield written
            for f, path in self._lists[::-1] if cmp is not None else self._lists[:1]:
                listed.append((f, f.tell()))
                _append_line(f, path, f"{fr.index} {fr.t_us}\n")
        except BaseException:
            for p in written:
                _remove_output(p)
            for f, pos in listed:  # (the compare list's line when the main one's failed: its files are gone)
                try:
                    f.truncate(pos)
                    f.seek(pos)
                except (OSError, ValueError):
                    pass
            raise
        self.n += 1
        self.n_cmp += cmp is not None

    def write(self, fr) -> None:
        """:meth:`frame` with nothing written beside it."""
        with self.frame(fr):
            pass

    def close(self) -> None:
        self.closed = True
        for f, _path in self._lists:
            try:
                f.close()
            except OSError:
                pass
        self._lists = []


def _check_aps(input_path: str, start_s: float | None = None, end_s: float | None = None) -> None:
    """``--at aps``: the input must hold APS frames, one at least between ``--start-s`` and
    ``--end-s`` (else one line, before any work). Only their times are read where the source
    can (:func:`~evfocus_live.pipeline.source_aps_times`: the frames the reconstruction will
    use, up to the same ``MAX_APS_BYTES`` cut), not their pixels: the reconstruction reads
    those once, if ``--save-aps`` wants them (it read up to 512 MiB of them twice)."""
    import numpy as np

    from ..errors import InputError
    from ..pipeline import aps_times_in_range, source_aps_times
    from ..sources import open_file

    with open_file(input_path) as src:
        times = source_aps_times(src)  # (quiet: _run's readers_quiet; the reconstruction says it)
        if times is None:
            times = np.array([t for t, _ in src.aps_frames()], dtype=np.int64)
        if not len(times):
            if getattr(src, "has_aps", False):  # (the quiet read's warning would have said which)
                why = (f"none of its frame packets holds a readable frame that fits its {src.width}x{src.height} "
                       "sensor")
            else:
                why = "no frame stream in it" if src.format == "aedat4" else f"{src.format} recordings have none"
            raise InputError(f"{input_path}: has no APS (grey-level) frames ({why}); --at aps needs a DAVIS "
                             "recording with frames")
        rng = src.time_range_us()
        if not len(aps_times_in_range(times, rng, start_s, end_s)):
            span = f"{start_s or 0:g} s to " + ("the end" if end_s is None else f"{end_s:g} s")
            raise InputError(f"{input_path}: none of its {len(times)} APS {plural(len(times), 'frame')} lies between --start-s and --end-s "
                             f"({span}; the frames are at {(times[0] - rng[0]) / 1e6:.6f}.."
                             f"{(times[-1] - rng[0]) / 1e6:.6f} s)")


def _check_at_times(ts, t_first_us: int, t_last_us: int, input_path: str) -> None:
    """No --at time (``ts``, the slicer's) inside the events read is an error: every frame would
    be empty but one (usually times relative to the start given for a recording with absolute
    µs, e.g. DAVIS). It was a warning, and the empty frames were written with exit 0."""
    from ..errors import InputError

    if int(ts.max()) < t_first_us or int(ts.min()) > t_last_us:
        before = int(ts.max()) < t_first_us
        # (whole seconds or ms on the recording's clock: "1633953691.0" told to add the start's µs)
        unit = next((name for scale, name in ((1_000_000, "seconds"), (1000, "milliseconds"))
                     if int(ts.min()) * scale <= t_last_us + scale and int(ts.max()) * scale >= t_first_us - scale),
                    None)
        raise InputError(f"{input_path}: every --at time ({int(ts.min())}..{int(ts.max())} µs) lies "
                         f"{'before' if before else 'after'} its events ({t_first_us}..{t_last_us} µs): "
                         + (f"they look like {unit} on its clock (write t_us = t * {'1000000' if unit == 'seconds' else '1000'})"
                            if before and unit else
                            f"no frame would hold an event; times relative to the start need {t_first_us} µs added"
                            if before else "the first frame would hold them all; give times on the recording's clock"))


class _VideoOut:
    """MP4 writer (OpenCV, mp4v) opened on the first frame. Odd frame sizes are padded by one
    edge row/column: the encoder silently crops them to even ones (a 65x49 sensor lost its last
    column and row)."""

    def __init__(self, path: Path, fps: float, side_by_side: bool, compare: bool = False):
        self.path, self.fps, self.side_by_side = path, fps, side_by_side
        self.compare = compare  # side by side: the compare model's frame as a third panel
        # FFmpeg's own log lines ("moov atom not found" from finish()'s check of a video cut
        # by a full disk) went to stderr before the one error line: every failure is checked
        # and said here. Read once, when OpenCV first loads FFmpeg; a user's own setting wins.
        os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
        self._w = None
        self.n = 0

    def write(self, fr) -> None:
        import cv2
        import numpy as np

        from ..core.render import pad_even
        from ..errors import InputError
        from ..writers.base import unlink_old_file

        img = cv2.cvtColor(fr.image, cv2.COLOR_GRAY2BGR)
        if self.side_by_side:
            ev = fr.event_image if fr.event_image is not None else np.zeros_like(img)
            panels = [cv2.cvtColor(ev, cv2.COLOR_RGB2BGR), img]
            if self.compare:  # (a frame the compare model dropped, NaN: black, the panels stay put)
                cmp = getattr(fr, "compare", None)
                panels.append(cv2.cvtColor(cmp, cv2.COLOR_GRAY2BGR) if cmp is not None else np.zeros_like(img))
            img = np.hstack(panels)
        img = pad_even(img)
        if self._w is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            unlink_old_file(self.path)  # a player of the old file keeps it (OpenCV truncates in place)
            h, w = img.shape[:2]
            self._w = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (w, h))
            if not self._w.isOpened():
                raise InputError(f"{self.path}: cannot write video (OpenCV mp4v)")
        self._w.write(img)  # returns nothing: a failed write shows only in finish()
        self.n += 1

    def finish(self) -> None:
        """Close the file and check it holds the frames written: OpenCV reports no write errors
        (a full disk leaves a file without its index, which does not open)."""
        import cv2

        from ..errors import InputError

        self.close()
        if not self.n:
            return
        cap = cv2.VideoCapture(str(self.path))
        try:
            opened = cap.isOpened()
            count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if opened else 0
        finally:
            cap.release()
        if not opened or 0 < count < self.n:  # count <= 0: the container does not say
            held = f"holds {count} of the {self.n} {plural(self.n, 'frame')}" if opened else "does not open"
            raise InputError(f"{self.path}: video incomplete, it {held} (disk full?)")

    def close(self) -> None:
        if self._w is not None:
            self._w.release()
            self._w = None


def reconstruct_one(input_path: str, outdir: Path, opts: dict, model_obj=None, position: int = 0,
                    n_inputs: int = 1, say_what_runs: bool = False,
                    compare_obj=None) -> tuple[int, tuple[object, object], str]:
    """Reconstruct one recording into ``outdir``; returns (frames written, the models used (main,
    compare or None: the next input's ``model_obj`` and ``compare_obj``, loaded once), the
    note its result line ends with: '', --compare's frames and folder, that the file is cut short (see
    :func:`_cut_short`)).
    ``say_what_runs``: log the model, device and precision (the first input's run)."""
    import numpy as np
    from tqdm import tqdm

    from ..config import ModelConfig, PostConfig, SourceConfig
    from ..errors import CheckpointError, InputError
    from ..pipeline import Pipeline

    src_cfg = SourceConfig(spec=str(input_path), speed=0, start_s=opts["start_s"], end_s=opts["end_s"])
    model_cfg = ModelConfig(name=opts["model"], compare=opts.get("compare"), device=opts["device"], threads=opts["threads"],
                            backend=opts["backend"], precision=opts["precision"], half=opts.get("half", True))
    save_aps = bool(opts.get("save_aps"))
    try:
        pipe = Pipeline(src_cfg, _window_config(opts), model=model_cfg, post=PostConfig(steps=opts["post"], options=opts["post_options"]),
                        model_obj=model_obj, compare_obj=compare_obj, render_events=bool(opts["video"] and opts["side_by_side"]),
                        aps=save_aps)
        pipe.event_palette = opts.get("palette", "dark")
    except InputError as exc:  # e.g. --start-s past this input's end: say which of several inputs
        if str(input_path) in str(exc):
            raise
        raise InputError(f"{input_path}: {exc}") from None
    if say_what_runs:
        from ..gui.precision import what_runs  # (Qt-free)

        log.info("%s", what_runs(opts["model"], pipe))
    vpath = _video_path(opts["video"], n_inputs, outdir, input_path)
    note = _cut_short(pipe.source)
    try:
        rng = pipe.source.time_range_us()
        t_begin = rng[0] + int((opts["start_s"] or 0) * 1e6) if rng else None
        t_stop = rng[1] if rng else None
        if rng and opts["end_s"] is not None:
            t_stop = min(t_stop, rng[0] + int(opts["end_s"] * 1e6))
        ts_at = getattr(pipe.slicer, "timestamps_us", None)  # (--at: the times the slicer read)
        if ts_at is not None and len(ts_at) and rng:
            _check_at_times(ts_at, t_begin, t_stop, input_path)  # (before --overwrite removes anything)
            t_stop = max(t_begin, min(t_stop, int(ts_at.max())))  # reading stops at the last time
        if opts.get("overwrite"):  # now that the model and input loaded: a bad one keeps the old outputs
            remove_earlier_outputs(outdir, vpath)
        outdir.mkdir(parents=True, exist_ok=True)
        cmp_dir = outdir / COMPARE_DIR if pipe.compare is not None else None
        if cmp_dir is not None:
            cmp_dir.mkdir(exist_ok=True)
    except BaseException:
        pipe.close()
        raise
    video = _VideoOut(vpath, opts["fps"], opts["side_by_side"], compare=cmp_dir is not None) if vpath else None
    total_s = (t_stop - t_begin) / 1e6 if rng else None
    bar = tqdm(total=round(total_s, 3) if total_s else None, unit="s", desc=Path(input_path).name[:30],
               position=position, leave=True, disable=not opts["progress"],
               bar_format=("{desc}: {percentage:3.0f}%|{bar}| {n:.3f}/{total:.3f} s sensor time "
                           "[{elapsed}<{remaining}{postfix}]") if total_s else None)
    n = n_ev = n_cmp = 0
    last_t_us = None
    stopped_by = None  # why a run ended before its end, for the line naming the frames kept
    t_start = said_at = time.monotonic()
    warned_blur = False
    folder = None
    try:
        folder = FrameFolder(outdir, compare=cmp_dir is not None)
        for fr in pipe.frames():
            with folder.frame(fr) as written:
                if opts["save_blur_map"]:
                    if fr.sigma is not None:
                        m = np.clip(fr.sigma * (255.0 / SIGMA_MAX_PX), 0, 255).astype(np.uint8)
                        written.append(outdir / f"blur_{fr.index:010d}.png")
                        _write_png(written[-1], m)
                    elif not warned_blur:
                        warned_blur = True
                        log.warning("model %s has no defocus output: no blur maps written", opts["model"])
                if save_aps and fr.aps is not None:  # (--at aps: the APS frame at the frame's time)
                    written.append(outdir / f"aps_{fr.index:010d}.png")
                    _write_png(written[-1], fr.aps)
                if video is not None:
                    video.write(fr)
            n, n_cmp = folder.n, folder.n_cmp
            last_t_us = fr.t_us
            if t_begin is not None:
                bar.n = round(min(max(fr.t_us - t_begin, 0) / 1e6, total_s), 3)
            n_ev += fr.n_events
            dt = max(time.monotonic() - t_start, 1e-6)
            bar.set_postfix_str(f"{rate_text(n_ev / dt, digits=2)}, {n / dt:.1f} frames/s", refresh=False)
            bar.refresh()
            if bar.disable and time.monotonic() - said_at >= PROGRESS_LOG_S:
                # no bar (a log file, --no-progress): a slow model's long run said nothing until its end
                said_at = time.monotonic()
                where = f" ({bar.n:.3f}/{total_s:.3f} s sensor time)" if total_s else ""
                log.info("%s: %d %s%s, %.1f frames/s", Path(input_path).name, n, plural(n, "frame"), where, n / dt)
        if video is not None:
            video.finish()
        k_cmp = pipe.stats.compare_nan_frames  # (counted apart: the windows are the main model's)
        k = pipe.stats.nan_frames - k_cmp
        if n == 0 and k:
            also = (f" (compare model {pipe.compare.name!r}: NaN/Inf on {k_cmp} {plural(k_cmp, 'window')})"
                    if k_cmp and pipe.compare is not None else "")
            raise CheckpointError(f"model {opts['model']!r} output NaN/Inf on all {k} {plural(k, 'window')}: "
                                  f"no frame written{also}")
        if n == 0:  # (ended "0 frames -> OUT" on stdout and exit 0: a script took it for done)
            raise InputError(f"{input_path}: no frame made: {_no_events_why(opts)}")
        part = opts["start_s"] is not None or opts["end_s"] is not None
        hint = few_frames_hint(n, n_ev, (t_stop - t_begin) if rng else None, pipe.window_cfg, pipe.window_events,
                               what="the part read (--start-s/--end-s)" if part else "the recording")
        if hint:  # (a short recording gave 1 frame at the default windows and no word why)
            log.warning("%s: %s", input_path, hint)
        runner = pipe.runner
        if runner.requested == runner.backend and runner.never_built:  # (named, not auto's choice)
            log.warning("%s: --backend %s never built: too few frames (%d; it builds at the third after a start "
                        "or clock reset), the plain model ran", input_path, runner.backend, n)
    except KeyboardInterrupt:
        stopped_by = "interrupted"
        raise
    except BaseException:
        stopped_by = "stopped by the error below"
        raise
    finally:
        bar.close()
        if folder is not None:
            folder.close()
        if video is not None:
            video.close()
        if not stopped_by:  # (damage is met while reading: the stats say it now)
            note = _cut_short(pipe.source)
        pipe.close()
        if stopped_by and n:  # the frames kept are a part of the recording: said as such, beside
            # the line of a whole run (only "interrupted" or the error's line, exit 130 or 2, before)
            cmp_part = f", {n_cmp} compare {plural(n_cmp, 'frame')} -> {cmp_dir}" if cmp_dir is not None else ""
            print(f"{input_path}: {n} {plural(n, 'frame')} -> {outdir}{cmp_part}, INCOMPLETE ({stopped_by}): "
                  f"the recording up to t={last_t_us} µs only{note}", flush=True)  # (before the error's line)
    if cmp_dir is not None:  # (fewer than n: the compare model dropped NaN frames; the log said it once)
        note = f", {n_cmp} compare {plural(n_cmp, 'frame')} -> {cmp_dir}{note}"
    return n, (pipe.model, pipe.compare.model if pipe.compare is not None else None), note


def _cut_short(source) -> str:
    """What a result line adds for a file cut short (a recorder stopped mid-write, a copy cut:
    the readers' ``truncated_at_byte``) or whose decoding stopped at damage (a RAW file's garbage
    tail, ``damaged_at_byte``: known once read): its frames are valid, so the run exits 0, but a
    warning on stderr was all that told it from a whole recording's. '' for a whole file."""
    try:
        stats = getattr(source, "stats", None) or {}
        at, bad, left = (stats.get(k) for k in ("truncated_at_byte", "damaged_at_byte", "bytes_not_decoded"))
    except Exception:  # (a plugin's stats: not worth failing a finished run for)
        at = bad = None
    if at is not None:
        return f", from a TRUNCATED recording: the file is cut short at byte {at:,}"
    if bad is not None:
        rest = f" (the last {left:,} bytes not decoded)" if isinstance(left, int) else ""
        return f", from a DAMAGED recording: decoding stopped at byte {bad:,}{rest}"
    return ""


def _result_line(input_path: str, n: int, outdir, note: str = "") -> str:
    """The stdout line naming what one input gave."""
    return f"{input_path}: {n} {plural(n, 'frame')} -> {outdir}{note}"


def _no_events_why(opts: dict) -> str:
    """Why a run made no frame (an empty file is refused when it opens): no event reached the
    model, so the options that leave events out are named."""
    where = []
    if opts.get("roi") is not None:
        where.append(f"inside --roi {','.join(str(v) for v in opts['roi'])}")
    if opts.get("start_s") is not None or opts.get("end_s") is not None:
        where.append(f"from --start-s {opts.get('start_s') or 0:g} s to "
                     + ("the end" if opts.get("end_s") is None else f"--end-s {opts['end_s']:g} s"))
    if not where:
        return "no event reached the model"
    return f"no event {' and '.join(where)} (`evfocus info` gives the sensor size and time span)"


def _worker_init() -> None:
    """Workers ignore SIGINT (a Ctrl-C reaches the whole process group): the parent decides
    and stops them with SIGTERM (see :func:`_stop_workers`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _job(input_path: str, outdir: str, opts: dict, threads: int, position: int, n_inputs: int):
    """Worker-process entry: returns (input, frames, error line or None, result line's note)."""
    import torch

    from ..errors import EvFocusError

    torch.set_num_threads(max(1, threads))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, terminate_as_interrupt)  # while working: stop, closing the files written so far
    try:
        n, _, note = reconstruct_one(input_path, Path(outdir), opts, position=position, n_inputs=n_inputs)
        return input_path, n, None, note
    except EvFocusError as exc:
        return input_path, 0, str(exc), ""
    except OSError as exc:  # as main()'s safety net: raised in the parent, it ended the command
        # without stopping the other workers (it waited for them) or naming their results
        return input_path, 0, f"{exc.filename or 'output'}: {exc.strerror or exc}", ""
    except KeyboardInterrupt:
        return input_path, 0, "interrupted", ""
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


#: seconds stopped workers get to close their files before they are killed
STOP_GRACE_S = 5.0


def _stop_workers(ex) -> None:
    """Cancel the jobs not started and stop the running workers now (SIGTERM: they close
    their files; SIGKILL after STOP_GRACE_S). Without this the pool's shutdown waits for
    every job to finish."""
    procs = list((getattr(ex, "_processes", None) or {}).values())  # the pool has no public handle
    ex.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + STOP_GRACE_S
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(1.0)


def run(args) -> int:
    """The command; SIGTERM (kill, ``timeout``) stops it as Ctrl-C does: the files written so far
    are closed and consistent (by default the process died at once, leaving an MP4 without its
    index, which does not play)."""
    return run_with_sigterm_as_ctrl_c(lambda: _run(args))


def _run(args) -> int:
    from ..errors import ConfigError
    from ..sources import detect_format
    from ..sources.base import readers_quiet
    from .options import (check_not_input, check_output_dir, check_output_file, check_video_suffix,
                          refuse_existing_output)

    opts = _options(args)
    _say_precision_unused(args.precision, opts)
    _say_compare_is_the_model(opts)
    seen: dict[str, str] = {}
    for inp in args.inputs:  # the same file twice would write the same frames twice (or race, with --jobs)
        key = os.path.normcase(os.path.abspath(inp))
        if key in seen:
            raise ConfigError(f"{inp}: input given twice" + (f" (also as {seen[key]})" if seen[key] != inp else ""))
        seen[key] = inp
    if opts["at"] and opts["at"] != AT_APS:
        from ..core.slicing import read_timestamps

        read_timestamps(opts["at"])  # fail early, with one line
    for inp in args.inputs:  # check every input before spending time on any
        detect_format(inp)
    with readers_quiet():  # the run opens each input again and says its warnings then, once
        if opts["at"] == AT_APS:
            for inp in args.inputs:
                _check_aps(inp, opts["start_s"], opts["end_s"])
        if opts["roi"] is not None:  # (the sensor's size needs the file open: a header read)
            _check_roi(args.inputs, opts["roi"])
        if (opts["start_s"] or opts["end_s"] is not None) and len(args.inputs) > 1:
            _check_start(args.inputs, opts["start_s"])
    outdir = check_output_dir("-o", args.output)  # before any work: a bad folder fails in a second
    dirs = _output_dirs(args.inputs, outdir)
    for inp, d in zip(args.inputs, dirs):
        if d != outdir:  # a subfolder name held by a file failed only when its input's turn came
            check_output_dir("-o", d)
        if opts["compare"] is not None:  # (as -o's: a file named compare failed when its input's turn came)
            check_output_dir("--compare", d / COMPARE_DIR)
        vpath = _video_path(opts["video"], len(args.inputs), d, inp)
        if vpath is not None:
            check_output_file("--video", vpath)
            check_not_input("--video", vpath, args.inputs)  # any input: a later one's turn comes too
            check_video_suffix("--video", vpath, shown=opts["video"])
            top = VIDEO_FPS_MAX_BY_SUFFIX.get(vpath.suffix.lower())
            if top is not None and opts["fps"] > top:
                raise ConfigError(f"--video {opts['video']}: {vpath.suffix} holds at most {top:g} fps, "
                                  f"not {opts['fps']:g}; use .mp4 or a lower --fps")
        if not opts["overwrite"]:
            if vpath is not None:  # (another run's video)
                refuse_existing_output("--video", vpath)
            old = earlier_outputs(d)
            if old:
                raise ConfigError(f"{d}: already holds reconstructed frames ({old[0].relative_to(d).as_posix()}, ...); "
                                  f"use --overwrite or another folder")
    if args.jobs > 1 and len(args.inputs) > 1:
        return _run_parallel(args.inputs, dirs, opts, args.jobs)
    model = cmp_model = None  # loaded by the first input's run, used by the next ones' (states reset)
    for inp, d in zip(args.inputs, dirs):
        n, (model, cmp_model), note = reconstruct_one(inp, d, opts, model_obj=model, compare_obj=cmp_model,
                                                      n_inputs=len(args.inputs), say_what_runs=model is None)
        print(_result_line(inp, n, d, note))
    return 0


def _check_roi(inputs: list[str], roi: tuple[int, int, int, int]) -> None:
    """``--roi`` must fit every input's sensor: one line naming the input and its size, before
    any work (else the second of two recordings failed after the first was reconstructed)."""
    from ..config import check_roi_fits
    from ..errors import ConfigError
    from ..sources import open_source

    for inp in inputs:
        src = open_source(inp)
        try:
            check_roi_fits(roi, int(src.width), int(src.height), f"{Path(inp).name}'s")
        except ConfigError as exc:
            raise ConfigError(f"--roi: {exc}") from None
        finally:
            src.close()


def _check_start(inputs: list[str], start_s: float | None) -> None:
    """``--start-s`` must lie within every input: one line naming those it is past the end of,
    before any work (else a short second input failed after the first one's frames were
    written); no input may be a RAW or AEDAT4 file whose clock was reset (``--start-s``/``--end-s`` are
    refused there: see :func:`~evfocus_live.pipeline.refuse_times_on_two_clocks`). Only with
    several inputs: one input's own run checks it before writing anything.
    It costs what the reader's ``time_range_us`` does: AEDAT4 reads its packet index, a text
    file its first and last rows, ``.npy`` and HDF5 scan their t column, a RAW file (no
    duration in its header) is decoded once more."""
    from ..errors import InputError
    from ..pipeline import refuse_times_on_two_clocks
    from ..sources import open_source

    short = []
    for inp in inputs:
        src = open_source(inp)
        try:
            rng = src.time_range_us()
            refuse_times_on_two_clocks(src)
        finally:
            src.close()
        if start_s and rng is not None and rng[0] + int(round(start_s * 1e6)) > rng[1]:
            short.append(f"{inp} ({(rng[1] - rng[0]) / 1e6:.3f} s)")
    if short:
        raise InputError(f"--start-s {start_s:g} s is after the end of the recording{'s' if len(short) > 1 else ''} "
                         f"{', '.join(short)}: nothing reconstructed")


def _run_parallel(inputs: list[str], dirs: list[Path], opts: dict, jobs: int) -> int:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    from ..nn.registry import load_model

    device = "cpu" if opts["device"] == "auto" else opts["device"]
    load_model(opts["model"], device)  # bad model: fail now
    if opts.get("compare") is not None:  # (as the pipeline says it: else one line per input, from each worker)
        from ..errors import EvFocusError

        try:
            load_model(opts["compare"], device)
        except EvFocusError as exc:
            raise type(exc)(f"compare model: {exc}") from None
    jobs = min(jobs, len(inputs))
    threads = max(1, (os.cpu_count() or 1) // jobs)
    errors = 0
    done = {}

    def report() -> None:
        for inp, d in zip(inputs, dirs):
            n, err, note = done.get(inp, (0, "not done", ""))
            if not err:
                print(_result_line(inp, n, d, note))

    ex = ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn"), initializer=_worker_init)
    try:
        with sigint_blocked():  # (submit starts the workers: a Ctrl-C while they imported was a traceback each)
            futs = {ex.submit(_job, inp, str(d), opts, threads, i % jobs, len(inputs)): inp
                    for i, (inp, d) in enumerate(zip(inputs, dirs))}
        for f in as_completed(futs):
            try:
                inp, n, err, note = f.result()
            except BrokenProcessPool:  # a worker was killed (OOM killer, kill -9): the pool stops them all
                inp, n, note = futs[f], 0, ""
                err = f"{inp}: stopped, a worker process died (killed? out of memory?)"
            done[inp] = (n, err, note)
            if err:
                errors += 1
                print(f"evfocus reconstruct: error: {err}", file=sys.stderr)
    except KeyboardInterrupt:  # also a SIGINT to this process alone: stop the workers now
        _stop_workers(ex)
        report()  # what was finished stays, and is named
        raise
    ex.shutdown()
    report()
    return 2 if errors else 0
