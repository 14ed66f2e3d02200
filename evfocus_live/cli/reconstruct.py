"""``evfocus reconstruct``: recordings -> sharp frames (PNG + timestamps.txt, optional MP4).

Writes ``frame_%010d.png`` (grayscale, sensor size) and ``timestamps.txt`` with one
``index t_us`` line per frame (E2VID's convention, in µs), optionally ``blur_%010d.png``
defocus maps and an MP4. Several inputs run one after another (one subfolder per input)
or in parallel processes with ``--jobs``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)

#: defocus maps are written on a fixed scale: 0 px -> black, SIGMA_MAX_PX or more -> white
SIGMA_MAX_PX = 8.0  # the viewer's default; the light model's top level is 10 px, but it reads at most ~5.5


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "reconstruct", help="reconstruct sharp frames from event recordings",
        description="Reconstruct sharp intensity frames from (out-of-focus) event recordings. Writes "
                    "frame_%010d.png and timestamps.txt ('index t_us' per line) into OUTDIR.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="event recording(s): .aedat4 .raw .h5 .npy .txt")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output folder (a subfolder per "
                   "input when there are several)")
    p.add_argument("--model", default="evfocus", help="model name (evfocus, e2vid, firenet, ...) or .pt "
                   "checkpoint path (default: evfocus)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"],
                   help="auto = CUDA when available, else CPU")
    win = p.add_mutually_exclusive_group()
    win.add_argument("--window-ms", type=float, metavar="X", help="fixed window duration in ms")
    win.add_argument("--window-events", type=int, metavar="N",
                     help="fixed events per window (default: 0.35 x sensor pixels)")
    win.add_argument("--at", metavar="TS.txt", help="one frame per line of this file (t_us, or 'index t_us')")
    win.add_argument("--adaptive-ms", type=float, metavar="X",
                     help="adaptive windows of about X ms, kept within 0.05..1 events per pixel")
    p.add_argument("--post", default="auto_hdr", metavar="STEPS",
                   help="comma-separated post-processors (auto_hdr, unsharp, hot_pixels, noise_filter, plugins); "
                        "'none' for raw network output (default: auto_hdr)")
    p.add_argument("--video", metavar="OUT.mp4", help="also write an MP4 (mp4v)")
    p.add_argument("--side-by-side", action="store_true", help="video shows the events beside the frame")
    p.add_argument("--fps", type=float, help="video frame rate (default: 1000/window-ms, else 30)")
    p.add_argument("--save-blur-map", action="store_true",
                   help=f"also write blur_%%010d.png defocus maps (0..{SIGMA_MAX_PX:g} px sigma -> 0..255)")
    p.add_argument("--start-s", type=float, metavar="A", help="start A seconds after the first event")
    p.add_argument("--end-s", type=float, metavar="B", help="stop B seconds after the first event")
    p.add_argument("--threads", type=int, default=0, metavar="N",
                   help="torch CPU threads per process (0 = measured default: 1)")
    p.add_argument("--backend", default="auto", choices=["auto", "eager", "jit", "onnx", "compile"],
                   help="inference runtime (auto: TorchScript on CPU; falls back to eager on any failure)")
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16", "auto"],
                   help="bf16: ~1.4-1.7x faster on CPUs with AVX512-BF16/AMX, outputs within ~1 grey level; "
                        "auto: bf16 where the CPU has it (the live viewer's default), else fp32")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="process N inputs in parallel")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def _options(args) -> dict:
    """Plain, picklable options (they travel to worker processes)."""
    from ..errors import ConfigError
    from .options import check_number, check_window_events, check_window_ms

    check_window_ms("--window-ms", args.window_ms)
    check_window_ms("--adaptive-ms", args.adaptive_ms)
    check_window_events("--window-events", args.window_events)
    check_number("--fps", args.fps)
    if args.jobs < 1:
        raise ConfigError("--jobs must be >= 1")
    if args.threads < 0:
        raise ConfigError(f"--threads must be >= 0 (0 = default), got {args.threads}")
    check_number("--start-s", args.start_s, lo_ok=True)
    check_number("--end-s", args.end_s)
    if args.end_s is not None and args.end_s <= (args.start_s or 0):
        raise ConfigError("--end-s must be after --start-s")
    if args.side_by_side and not args.video:
        raise ConfigError("--side-by-side needs --video")
    steps = () if args.post.strip().lower() in ("", "none") else tuple(
        s.strip() for s in args.post.split(",") if s.strip())
    return dict(model=args.model, device=args.device, window_ms=args.window_ms,
                window_events=args.window_events, at=args.at, adaptive_ms=args.adaptive_ms, post=steps,
                video=args.video, side_by_side=args.side_by_side, fps=args.fps,
                save_blur_map=args.save_blur_map, start_s=args.start_s, end_s=args.end_s,
                progress=not args.no_progress, threads=args.threads, backend=args.backend,
                precision=args.precision)


def _window_config(opts: dict):
    from ..config import WindowConfig

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
    if len(inputs) == 1:
        return [outdir]
    seen: dict[str, int] = {}
    out = []
    for inp in inputs:
        stem = Path(inp).stem or "input"
        k = seen.get(stem, 0)
        seen[stem] = k + 1
        out.append(outdir / (stem if k == 0 else f"{stem}_{k}"))
    return out


def _video_path(video: str | None, n_inputs: int, outdir: Path, input_path: str) -> Path | None:
    if not video:
        return None
    v = Path(video)
    if n_inputs == 1:
        return v
    return outdir / v.name if not v.is_absolute() else v.with_name(f"{v.stem}_{Path(input_path).stem}{v.suffix}")


class _VideoOut:
    """MP4 writer (OpenCV, mp4v) opened on the first frame."""

    def __init__(self, path: Path, fps: float, side_by_side: bool):
        self.path, self.fps, self.side_by_side = path, fps, side_by_side
        self._w = None

    def write(self, fr) -> None:
        import cv2
        import numpy as np

        from ..errors import InputError

        img = cv2.cvtColor(fr.image, cv2.COLOR_GRAY2BGR)
        if self.side_by_side:
            ev = fr.event_image if fr.event_image is not None else np.zeros_like(img)
            img = np.hstack([cv2.cvtColor(ev, cv2.COLOR_RGB2BGR), img])
        if self._w is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            h, w = img.shape[:2]
            self._w = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (w, h))
            if not self._w.isOpened():
                raise InputError(f"{self.path}: cannot write video (OpenCV mp4v)")
        self._w.write(img)

    def close(self) -> None:
        if self._w is not None:
            self._w.release()
            self._w = None


def reconstruct_one(input_path: str, outdir: Path, opts: dict, model_obj=None, position: int = 0,
                    n_inputs: int = 1) -> tuple[int, object]:
    """Reconstruct one recording into ``outdir``; returns (frames written, model used)."""
    import cv2
    import numpy as np
    from tqdm import tqdm

    from ..config import ModelConfig, PostConfig, SourceConfig
    from ..pipeline import Pipeline

    src_cfg = SourceConfig(spec=str(input_path), speed=0, start_s=opts["start_s"], end_s=opts["end_s"])
    model_cfg = ModelConfig(name=opts["model"], device=opts["device"], threads=opts["threads"],
                            backend=opts["backend"], precision=opts["precision"])
    pipe = Pipeline(src_cfg, _window_config(opts), model=model_cfg, post=PostConfig(steps=opts["post"]),
                    model_obj=model_obj, render_events=bool(opts["video"] and opts["side_by_side"]))
    outdir.mkdir(parents=True, exist_ok=True)
    fps = opts["fps"] or (1000.0 / opts["window_ms"] if opts["window_ms"] else 30.0)
    vpath = _video_path(opts["video"], n_inputs, outdir, input_path)
    video = _VideoOut(vpath, fps, opts["side_by_side"]) if vpath else None
    rng = pipe.source.time_range_us()
    t_begin = rng[0] + int((opts["start_s"] or 0) * 1e6) if rng else None
    t_stop = rng[1] if rng else None
    if rng and opts["end_s"] is not None:
        t_stop = min(t_stop, rng[0] + int(opts["end_s"] * 1e6))
    total_s = (t_stop - t_begin) / 1e6 if rng else None
    bar = tqdm(total=round(total_s, 3) if total_s else None, unit="s", desc=Path(input_path).name[:30],
               position=position, leave=True, disable=not opts["progress"],
               bar_format=("{desc}: {percentage:3.0f}%|{bar}| {n:.3f}/{total:.3f} s sensor time "
                           "[{elapsed}<{remaining}{postfix}]") if total_s else None)
    n = n_ev = 0
    t_start = time.monotonic()
    warned_blur = False
    try:
        # line-buffered: a worker killed mid-run still leaves one line per frame written
        with open(outdir / "timestamps.txt", "w", buffering=1) as ts_file:
            for fr in pipe.frames():
                cv2.imwrite(str(outdir / f"frame_{fr.index:010d}.png"), fr.image)
                ts_file.write(f"{fr.index} {fr.t_us}\n")
                if opts["save_blur_map"]:
                    if fr.sigma is not None:
                        m = np.clip(fr.sigma * (255.0 / SIGMA_MAX_PX), 0, 255).astype(np.uint8)
                        cv2.imwrite(str(outdir / f"blur_{fr.index:010d}.png"), m)
                    elif not warned_blur:
                        warned_blur = True
                        log.warning("model %s has no defocus output: no blur maps written", opts["model"])
                if video is not None:
                    video.write(fr)
                n += 1
                if t_begin is not None:
                    bar.n = round(min(max(fr.t_us - t_begin, 0) / 1e6, total_s), 3)
                n_ev += fr.n_events
                dt = max(time.monotonic() - t_start, 1e-6)
                bar.set_postfix_str(f"{n_ev / dt / 1e6:.2f} Mev/s, {n / dt:.1f} frames/s", refresh=False)
                bar.refresh()
    finally:
        bar.close()
        if video is not None:
            video.close()
        pipe.close()
    return n, pipe.model


def _worker_init() -> None:
    """Workers ignore SIGINT (a Ctrl-C reaches the whole process group): the parent decides
    and stops them with SIGTERM (see :func:`_stop_workers`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_job(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process outright
    raise KeyboardInterrupt


def _job(input_path: str, outdir: str, opts: dict, threads: int, position: int, n_inputs: int):
    """Worker-process entry: returns (input, frames, error line or None)."""
    import torch

    from ..errors import EvFocusError

    torch.set_num_threads(max(1, threads))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, _stop_job)  # while working: stop, closing the files written so far
    try:
        n, _ = reconstruct_one(input_path, Path(outdir), opts, position=position, n_inputs=n_inputs)
        return input_path, n, None
    except EvFocusError as exc:
        return input_path, 0, str(exc)
    except KeyboardInterrupt:
        return input_path, 0, "interrupted"
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
    from ..sources import detect_format
    from .options import check_output_dir, check_output_file

    opts = _options(args)
    if opts["at"]:
        from ..core.slicing import read_timestamps

        read_timestamps(opts["at"])  # fail early, with one line
    for inp in args.inputs:  # check every input before spending time on any
        detect_format(inp)
    outdir = check_output_dir("-o", args.output)  # before any work: a bad folder fails in a second
    dirs = _output_dirs(args.inputs, outdir)
    for inp, d in zip(args.inputs, dirs):
        vpath = _video_path(opts["video"], len(args.inputs), d, inp)
        if vpath is not None:
            check_output_file("--video", vpath)
    if args.jobs > 1 and len(args.inputs) > 1:
        return _run_parallel(args.inputs, dirs, opts, args.jobs)
    model = None
    for inp, d in zip(args.inputs, dirs):
        n, model = reconstruct_one(inp, d, opts, model_obj=model, n_inputs=len(args.inputs))
        print(f"{inp}: {n} frames -> {d}")
    return 0


def _run_parallel(inputs: list[str], dirs: list[Path], opts: dict, jobs: int) -> int:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from ..nn.registry import load_model

    load_model(opts["model"], "cpu" if opts["device"] == "auto" else opts["device"])  # bad model: fail now
    jobs = min(jobs, len(inputs))
    threads = max(1, (os.cpu_count() or 1) // jobs)
    errors = 0
    done = {}

    def report() -> None:
        for inp, d in zip(inputs, dirs):
            n, err = done.get(inp, (0, "not done"))
            if not err:
                print(f"{inp}: {n} frames -> {d}")

    ex = ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn"), initializer=_worker_init)
    try:
        futs = [ex.submit(_job, inp, str(d), opts, threads, i % jobs, len(inputs))
                for i, (inp, d) in enumerate(zip(inputs, dirs))]
        for f in as_completed(futs):
            inp, n, err = f.result()
            done[inp] = (n, err)
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
