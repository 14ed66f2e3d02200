"""End-to-end pipeline speed on a GPU: read -> slice -> voxel grid -> model -> post -> frame.

    python bench/bench_gpu.py [--models e2vid-full evfocus-full] [--device cuda] [-o FILE.json]

The synchronous pipeline (``Pipeline.frames()``) over replay files at 346x260 and 1280x720
(``evfocus_live.benchmark.make_replays``: the real recordings in ../shared/data when present,
synthetic events otherwise), per model and per precision: ``fp16`` (the live default on CUDA,
``ModelConfig.half``) and ``fp32``. The first model named is the in-process baseline for the
ratios. Also reports how far the fp16 frames are from the fp32 ones (grey levels, 0-255), so
the live default's cost in quality is measured, not assumed. Then the viewer's threaded
pipeline replays the files at the sensor clock (``--no-live`` skips it): the share of windows
that become frames, the ones skipped, and the latency. Used by ``models/train_gpu.sh``.
"""
from __future__ import annotations

import json
import logging
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _options import Parser, fail, positive_float, positive_int  # noqa: E402
from evfocus_live.benchmark import bench_end_to_end, bench_live, make_replays  # noqa: E402

log = logging.getLogger("bench_gpu")


def frames_of(replay: dict, model_name: str, device: str, precision: str, window_ms: float,
              max_frames: int) -> list[np.ndarray]:
    """The pipeline's uint8 frames for one replay (for the fp16-vs-fp32 comparison)."""
    from evfocus_live.benchmark import _model_config, _model_list
    from evfocus_live.config import WindowConfig
    from evfocus_live.pipeline import Pipeline

    _, model = _model_list([model_name])[0]
    pipe = Pipeline(str(replay["path"]), WindowConfig(mode="duration", window_ms=window_ms),
                    _model_config(model_name, device, precision), model_obj=model)
    out = []
    for fr in pipe.frames():
        out.append(fr.image.copy())
        if len(out) >= max_frames:
            break
    pipe.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = Parser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", nargs="+", default=["e2vid-full", "evfocus-full"], help="names or checkpoint paths")
    ap.add_argument("--device", default="cuda", help="cuda, cuda:N (GPU N, from 0) or cpu")
    ap.add_argument("--precisions", nargs="+", default=None,
                    help="fp16 fp32 on CUDA (default both), auto fp32 bf16 on the CPU (default fp32)")
    ap.add_argument("--seconds", type=positive_float, default=3.0, help="replay length")
    ap.add_argument("--frames", type=positive_int, default=60, help="timed frames per run")
    ap.add_argument("--no-live", action="store_true", help="skip the threaded replay at the sensor clock")
    ap.add_argument("-o", "--out", type=Path, default=None, help="JSON results (its folder is created)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    import torch

    from evfocus_live.cli.options import check_device, check_output_file
    from evfocus_live.errors import CheckpointError, ConfigError, EvFocusError
    from evfocus_live.nn.registry import configs_dir, load_model, resolve_device

    try:  # cuda:N as cuda; a GPU number this machine lacks is one line (resolve_device's)
        args.device = check_device("--device", args.device)
        if args.device == "auto":
            raise ConfigError("--device auto: name the device to time (cuda, cuda:N or cpu)")
        dev = resolve_device(args.device)
    except EvFocusError as exc:
        return fail(ap.prog, exc)
    on_gpu = dev.type == "cuda"
    # before the replays are built: an unknown one was a ConfigError traceback after them, and
    # bf16 on CUDA ran fp32 under a bf16 label (benchmark._model_config knows fp16 / fp32 there)
    allowed = ("fp16", "fp32") if on_gpu else ("auto", "fp32", "bf16")
    bad = [p for p in args.precisions or () if p not in allowed]
    if bad:
        return fail(ap.prog, f"--precisions {bad[0]}: not one of {', '.join(allowed)} on --device {args.device}")
    try:  # up front, not after the whole run: a file we can write, models that load
        if args.out:
            check_output_file("-o", args.out)
        for name in args.models:
            try:
                load_model(name, "cpu")
            except CheckpointError:  # timed untrained when models/configs has it (benchmark._model_list)
                if not (configs_dir() / f"{name}.toml").is_file():
                    raise
    except EvFocusError as exc:
        return fail(ap.prog, exc)
    precisions = tuple(args.precisions or (("fp16", "fp32") if on_gpu else ("fp32",)))
    rows = []
    with tempfile.TemporaryDirectory(prefix="evfocus-bench-gpu-") as tmp:
        replays = make_replays(Path(tmp), seconds=args.seconds)
        for name in args.models:
            log.info("%s: end to end on %s (%s)", name, args.device, ", ".join(precisions))
            rows += [r.as_dict() for r in bench_end_to_end(replays, name, 33.0, args.frames, precisions, args.device)]
        live = []
        if not args.no_live:  # the viewer's threaded pipeline at the sensor clock, live default precision
            for name in args.models:
                live += [r.as_dict() for r in bench_live(replays, name, 33.0, precisions[0], args.device)]
        diffs = {}
        if len(precisions) > 1:
            for name in args.models:
                ref = frames_of(replays["346x260"], name, args.device, precisions[-1], 33.0, 30)
                low = frames_of(replays["346x260"], name, args.device, precisions[0], 33.0, 30)
                d = [np.abs(a.astype(np.int16) - b.astype(np.int16)) for a, b in zip(ref, low)]
                diffs[name] = {"frames": len(d), "compared": f"{precisions[0]} vs {precisions[-1]}",
                               "mean_abs_grey": round(float(np.mean([x.mean() for x in d])), 3),
                               "max_abs_grey": int(max(int(x.max()) for x in d))}
                log.info("%s: %s", name, diffs[name])
    # ratios against the first model at the same resolution and precision (same process)
    base = {(r["resolution"], r["precision"]): r["value"] for r in rows if r["model"] == args.models[0]}
    for r in rows:
        b = base.get((r["resolution"], r["precision"]))
        r["ratio_vs_baseline"] = round(r["value"] / b, 3) if b else None
    result = {"device": torch.cuda.get_device_name(dev) if on_gpu else "cpu", "baseline": args.models[0],
              "torch": torch.__version__, "rows": rows, "live": live, "fp16_vs_fp32": diffs}
    for r in rows:
        log.info("%s %s %s: %.1f frames/s (%.2f ms/frame, forward %.2f ms, real-time x%s)", r["model"], r["resolution"],
                 r["precision"], r["value"], r["ms_per_frame"], r["forward_ms"], r["realtime_factor"])
    for r in live:
        log.info("%s %s %s live at 1x: %d of %d windows shown (%s skipped after warm-up), latency p50 %s / p95 %s ms",
                 r["model"], r["resolution"], r["precision"], r["frames"], r["windows"], r["skipped_after_warmup"],
                 r["latency_ms_p50"], r["latency_ms_p95"])
    if args.out:  # after the summary: a failed write loses the file, not the numbers
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(result, indent=1))
        except OSError as exc:
            return fail(ap.prog, f"-o {args.out}: cannot write ({exc.strerror or exc}); the results are logged above")
        log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
