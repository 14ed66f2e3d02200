"""``evfocus bench``: every stage alone and end to end, with baselines in the same process.

Speed is reported as rates *and* as ratios against a baseline measured in the same run
(bare library reader, naive ``np.add.at`` voxel grid, the E2VID baseline network, the
model forward alone), so the numbers mean something on a noisy shared machine.

Inputs are built from the real DAVIS346 recording in ``../shared/data`` when present
(tiled in time to a few seconds of replay) and from simulated events otherwise; the
1280x720 case tiles the real Gen4.1 EVT3 recording.
"""

from __future__ import annotations

import functools
import logging
import os
import resource
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from . import __version__
from .events import EVENT_DTYPE
from .versions import VERSION_KEY
from .nn.registry import model_count_channel, model_in_channels

log = logging.getLogger(__name__)

#: the real recordings the replays are built from (../shared/data beside the checkout, or
#: $EVFOCUS_SHARED_DATA); synthetic events stand in for a missing file
SHARED_DATA = Path(os.environ.get("EVFOCUS_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
DAVIS_FILE = SHARED_DATA / "davis346_pegboard_aestream.aedat4"
EVT3_FILE = SHARED_DATA / "prophesee_gen41_evk3_street_evt3.raw"


@dataclass
class Row:
    """One benchmark line: a stage at a resolution, its rate and its ratio to a baseline."""

    stage: str
    resolution: str
    value: float
    unit: str
    baseline: str = ""
    ratio: float | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("stage", "resolution", "value", "unit", "baseline", "ratio")}
        d.update(self.extra)
        return d


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class RepeatsCut(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) in :func:`best_of` after ``done`` of its ``of`` repeats: ``best_s``
    is the best of those, for a row marked partial rather than none."""

    def __init__(self, best_s: float, done: int, of: int):
        super().__init__()
        self.best_s, self.done, self.of = best_s, done, of

    @property
    def note(self) -> str:
        return f"{self.done} of {self.of} repeats"


class StageCut(KeyboardInterrupt):
    """Ctrl-C in a stage: ``rows``, those it had made (the last one partial where its timing
    was cut after a repeat; see :func:`_keeps_rows`)."""

    def __init__(self, rows: list[Row]):
        super().__init__()
        self.rows = rows


def best_of(fn: Callable[[], object], repeats: int, warmup: bool = False) -> float:
    """Best wall time in seconds over ``repeats`` runs (the least disturbed by neighbours).
    Cut by Ctrl-C after one run or more: :class:`RepeatsCut` with the best so far."""
    if warmup:
        fn()  # numba compile, allocator
    best, done = float("inf"), 0
    try:
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
            done += 1
    except RepeatsCut:
        raise
    except KeyboardInterrupt as exc:
        if not done:
            raise
        raise RepeatsCut(best, done, repeats) from exc
    return best


#: the rows of the stages running now, innermost last (see :func:`_keeps_rows`)
_open_rows: list[list[Row]] = []


def _keeps_rows(stage: Callable[..., list[Row]]) -> Callable[..., list[Row]]:
    """A stage whose rows made before a Ctrl-C are kept: it appends them to
    :func:`_stage_rows` as it goes, and a Ctrl-C comes out as :class:`StageCut` with them
    (minutes of a stage's timing were dropped with its unfinished row)."""
    @functools.wraps(stage)
    def timed(*args, **kwargs):
        _open_rows.append([])
        try:
            return stage(*args, **kwargs)
        except StageCut:
            raise
        except KeyboardInterrupt as exc:
            raise StageCut(list(_open_rows[-1])) from exc
        finally:
            _open_rows.pop()
    return timed


def _stage_rows() -> list[Row]:
    """The row list of the stage running now (:func:`_keeps_rows`); a new one outside it."""
    return _open_rows[-1] if _open_rows else []


def _best_or_cut(fn: Callable[[], object], repeats: int) -> tuple[float, RepeatsCut | None]:
    """:func:`best_of`, or the best of the repeats done before a Ctrl-C and the cut."""
    try:
        return best_of(fn, repeats), None
    except RepeatsCut as cut:
        return cut.best_s, cut


def _add(rows: list[Row], row: Row, cut: RepeatsCut | None, what: str = "") -> None:
    """Append ``row``; where its timing was cut, mark it partial and stop the stage."""
    if cut is not None:
        row.extra["partial"] = f"{what}{cut.note}"
    rows.append(row)
    if cut is not None:
        raise cut


def tile_events(ev: np.ndarray, copies: int) -> np.ndarray:
    """Repeat a recording back to back in time (keeps its real spatial statistics)."""
    span = int(ev["t"].max() - ev["t"].min()) + 1
    out = np.concatenate([ev] * copies)
    n = len(ev)
    for k in range(copies):
        out["t"][k * n:(k + 1) * n] += k * span
    order = np.argsort(out["t"], kind="stable")
    return out[order]


def _read_all(path: Path) -> tuple[np.ndarray, int, int]:
    from .sources import open_file

    with open_file(path) as src:
        ev = np.concatenate(list(src))
        return ev, src.width, src.height


def _fallback_events(width: int, height: int, duration_s: float, rate_ev_s: float, seed: int = 0) -> np.ndarray:
    """Moving-edge events (when the real recordings are absent)."""
    rng = np.random.default_rng(seed)
    n = int(duration_s * rate_ev_s)
    ev = np.empty(n, dtype=EVENT_DTYPE)
    ev["t"] = np.sort(rng.integers(0, int(duration_s * 1e6), n))
    phase = (ev["t"] / 1e6 * 80.0) % width
    ev["x"] = np.clip(phase + rng.normal(0, 2, n), 0, width - 1).astype(np.uint16)
    ev["y"] = rng.integers(0, height, n)
    ev["p"] = rng.integers(0, 2, n)
    return ev


def make_replays(tmp: Path, seconds: float = 3.0) -> dict[str, dict]:
    """Replay files at 346x260 (.aedat4) and 1280x720 (.h5) plus their events."""
    from .writers.aedat4 import Aedat4Writer
    from .writers.hdf5 import Hdf5Writer

    out = {}
    if DAVIS_FILE.is_file():
        ev, w, h = _read_all(DAVIS_FILE)
        ev = tile_events(ev, max(1, int(np.ceil(seconds / 0.13))))
    else:
        w, h = 346, 260
        ev = _fallback_events(w, h, seconds, 0.9e6)
    path = tmp / "replay_346x260.aedat4"
    try:  # dv writes LZ4 (what the reader is timed on); without the lz4 package, uncompressed
        import lz4.frame  # noqa: F401
        compression = "lz4"
    except ImportError:
        compression = "none"
    with Aedat4Writer(path, w, h, sensor="DAVIS346-bench", compression=compression) as wr:
        step = 10_000
        t0 = int(ev["t"][0])
        edges = np.searchsorted(ev["t"], np.arange(t0, int(ev["t"][-1]) + step + 1, step))
        for a, b in zip(edges[:-1], edges[1:]):
            if b > a:
                wr.write(ev[a:b])
    out["346x260"] = dict(path=path, events=ev, width=w, height=h)

    if EVT3_FILE.is_file():
        ev, w, h = _read_all(EVT3_FILE)
        ev = ev[np.argsort(ev["t"], kind="stable")]
        ev = tile_events(ev, max(1, int(np.ceil(seconds / 4 / 0.0088))))
    else:
        w, h = 1280, 720
        ev = _fallback_events(w, h, seconds / 4, 20e6)
    path = tmp / "replay_1280x720.h5"
    with Hdf5Writer(path, w, h, sensor="Gen4.1-bench") as wr:
        wr.write(ev)
    out["1280x720"] = dict(path=path, events=ev, width=w, height=h)
    return out


# --- stages -----------------------------------------------------------------------------

def _bare_reader(path: Path) -> tuple[str, Callable[[], None]]:
    """The bare library loop our reader is compared with (replays are .aedat4 or .h5)."""
    if path.suffix == ".aedat4":
        import dv_processing as dv

        def dv_loop():
            rec = dv.io.MonoCameraRecording(str(path))
            while rec.isRunning():
                b = rec.getNextEventBatch()
                if b is not None:
                    b.numpy()
        return "dv-processing loop", dv_loop
    import h5py

    def h5_columns():
        with h5py.File(path, "r") as f:
            for k in ("t", "x", "y", "p"):
                f["events"][k][...]
    return "bare h5py read", h5_columns


@_keeps_rows
def bench_read(replays: dict, repeats: int) -> list[Row]:
    from .sources import open_file

    rows = _stage_rows()
    for res, r in replays.items():
        path, n = r["path"], len(r["events"])

        def ours():
            with open_file(path) as src:
                for _ in src:
                    pass

        base_name, base = _bare_reader(path)
        t_ours, cut = _best_or_cut(ours, repeats)
        if cut is not None:  # (no baseline timed: no ratio)
            _add(rows, Row("read", res, n / t_ours / 1e6, "Mev/s"), cut)
        t_base, cut = _best_or_cut(base, repeats)
        _add(rows, Row("read", res, n / t_ours / 1e6, "Mev/s", base_name, t_base / t_ours,
                       {"overhead_pct": round(100 * (t_ours / t_base - 1), 1)}), cut, "baseline ")
    # E2VID / ECD-style text (seconds from the start, 9 decimals): ours vs np.loadtxt
    ev = replays["346x260"]["events"][:300_000]
    path = Path(replays["346x260"]["path"]).with_name("replay_346x260.txt")
    t0 = int(ev["t"][0])
    with open(path, "w") as fh:
        fh.write("346 260\n")
        fh.writelines(f"{(t - t0) / 1e6:.9f} {x} {y} {p}\n" for t, x, y, p in ev.tolist())

    def ours_text():
        with open_file(path) as src:
            for _ in src:
                pass

    ours_text()  # the parser's one-off compile / cache load, outside the clock
    t_ours = best_of(ours_text, repeats)
    t_base = best_of(lambda: np.loadtxt(path, skiprows=1, ndmin=2), max(1, repeats // 2))
    rows.append(Row("read text (.txt)", "346x260", len(ev) / t_ours / 1e6, "Mev/s", "np.loadtxt", t_base / t_ours,
                    {"events": len(ev)}))
    return rows


def naive_voxel(ev: np.ndarray, bins: int, w: int, h: int) -> np.ndarray:
    """The textbook numpy voxel grid (np.add.at, as in many research repos): the baseline."""
    vox = np.zeros((bins, h, w), np.float32)
    t = ev["t"].astype(np.float64)
    ts = (t - t[0]) / max(t[-1] - t[0], 1) * (bins - 1)
    ti = ts.astype(np.int64)
    dt = (ts - ti).astype(np.float32)
    pol = ev["p"].astype(np.float32) * 2 - 1
    x, y = ev["x"].astype(np.int64), ev["y"].astype(np.int64)
    np.add.at(vox, (ti, y, x), pol * (1 - dt))
    nxt = np.minimum(ti + 1, bins - 1)
    np.add.at(vox, (nxt, y, x), pol * dt)
    return vox


@_keeps_rows
def bench_voxel(replays: dict, repeats: int) -> list[Row]:
    from .core.slicing import CountSlicer, default_window_events
    from .core.voxel import voxel_grid
    from .events import concat

    rows = _stage_rows()
    for res, r in replays.items():
        ev, w, h = r["events"], r["width"], r["height"]
        n_win = default_window_events(w, h)
        windows = [ev[i:i + n_win] for i in range(0, min(len(ev), 40 * n_win), n_win)]
        n = sum(len(x) for x in windows)

        def ours():
            sl = CountSlicer(n_win)
            for win in sl.push(ev[:n]):
                voxel_grid(win.events, 5, w, h)

        def naive():
            for win in windows:
                naive_voxel(win, 5, w, h)

        extra = {"windows": len(windows), "events_per_window": n_win}
        t_ours, cut = _best_or_cut(ours, repeats)
        if cut is not None:
            _add(rows, Row("slice+voxel", res, n / t_ours / 1e6, "Mev/s", extra=extra), cut)
        t_naive, cut = _best_or_cut(naive, max(1, repeats // 2))
        _add(rows, Row("slice+voxel", res, n / t_ours / 1e6, "Mev/s", "numpy np.add.at", t_naive / t_ours, extra),
             cut, "baseline ")
        # the slicer joins a window's read batches: as raw bytes vs numpy's field-wise copy
        parts = np.array_split(ev[:n], max(2, len(windows)))
        t_join = best_of(lambda: concat(parts), repeats * 3)
        t_np = best_of(lambda: np.concatenate(parts), repeats * 3)
        rows.append(Row("join event batches", res, n / t_join / 1e6, "Mev/s", "np.concatenate (field-wise)",
                        t_np / t_join, {"batches": len(parts)}))
    return rows


def _model_list(names: list[str] | None) -> list[tuple[str, torch.nn.Module]]:
    from .errors import CheckpointError
    from .nn.registry import SHIPPED, build_model, configs_dir, load_model

    out = []
    for name in names or list(SHIPPED):
        try:
            out.append((name, load_model(name, "cpu")))
        except CheckpointError:
            # a built-in name without weights here: time the architecture, untrained
            cfg_path = configs_dir() / f"{name}.toml"  # the checkout's or the installed package's
            if cfg_path.is_file():
                import tomllib

                cfg = tomllib.loads(cfg_path.read_text())["model"]
                arch = cfg.pop("arch")
                out.append((f"{name} (untrained)", build_model(arch, cfg).eval()))
            else:
                log.warning("model %s unavailable; skipped", name)
    return out


@_keeps_rows
def bench_models(resolutions: list[tuple[int, int]], repeats: int, names: list[str] | None) -> list[Row]:
    """Model forward per model, as a ratio to ``e2vid`` timed in the same run (added to
    ``names`` when missing: a row without its baseline says nothing)."""
    rows = _stage_rows()
    if names is not None and "e2vid" not in names:
        names = ["e2vid", *names]
    models = _model_list(names)
    for w, h in resolutions:
        times: dict[str, float] = {}
        stop: KeyboardInterrupt | None = None
        for name, model in models:
            if "full" in name and w * h > 346 * 260 and names is None:
                continue  # 10-15 s per CPU frame: only when asked for by name (--models)
            vox = torch.randn(1, model_in_channels(model), h, w)
            model.reset_states()
            try:
                with torch.inference_mode():
                    for _ in range(2):
                        model(vox)
                    times[name], stop = _best_or_cut(lambda: model(vox), repeats)
            except KeyboardInterrupt as exc:  # (in the warm-up, or before a repeat was done)
                stop = exc
            if stop is not None:  # the rows of this resolution so far, the cut one partial
                break
        base = times.get("e2vid")
        # the baseline itself cut (it is timed after the models listed before it): their ratios
        # are against its best of fewer repeats, so they are partial too, not full measurements
        base_cut = stop if isinstance(stop, RepeatsCut) and list(times)[-1:] == ["e2vid"] else None
        for i, (name, t) in enumerate(times.items()):
            last_cut = stop if isinstance(stop, RepeatsCut) and i == len(times) - 1 else None
            row = Row("model forward", f"{w}x{h}", 1.0 / t, "frames/s", "e2vid" if base else "",
                      (base / t) if base else None, {"model": name, "ms_per_frame": round(1e3 * t, 2)})
            if base_cut is not None and last_cut is None:
                row.extra["partial"] = f"baseline {base_cut.note}"
            _add(rows, row, last_cut)
        if stop is not None:
            raise stop
    return rows


def _precisions_here(precisions: tuple[str, ...]) -> list[str]:
    """The requested inference precisions this CPU can run as asked (bf16 needs native bf16)."""
    from .nn.runtime import _bf16_fast

    return [p for p in precisions if p != "bf16" or _bf16_fast()]


@_keeps_rows
def bench_runtime(resolutions: list[tuple[int, int]], repeats: int, model_name: str = "evfocus",
                  backend: str = "auto", precisions: tuple[str, ...] = ("fp32",)) -> list[Row]:
    """The plain forward vs the ``nn.runtime`` one (what the pipeline runs), interleaved.

    Both carry their recurrent state over the same voxel sequence; the row also gives the
    largest output difference (must stay below 1e-5 in fp32) and the one-off build time.
    A ``bf16`` precision is benched only where the CPU has native bf16.
    """
    import copy

    from .nn.runtime import InferenceModel

    rows = _stage_rows()
    name, model = _model_list([model_name])[0]
    for precision in _precisions_here(precisions):
        for w, h in resolutions:
            g = torch.Generator().manual_seed(0)
            voxels = [torch.randn(1, model_in_channels(model), h, w, generator=g) for _ in range(3)]
            plain = copy.deepcopy(model).eval()
            plain.reset_states()
            fast_model = copy.deepcopy(model).eval()
            fast_model.reset_states()
            t0 = time.perf_counter()
            runner = InferenceModel(fast_model, backend, precision=precision)
            diff = 0.0
            with torch.inference_mode():
                for v in voxels:  # the reset frame, the build, then compiled frames
                    a, b = plain(v), runner(v)
                    diff = max(diff, max(float((a[k] - b[k]).abs().max()) for k in a))
            build_s = time.perf_counter() - t0
            n = max(3, repeats * (3 if w * h <= 400 * 300 else 1))
            t_plain = t_fast = float("inf")
            cut = None
            with torch.inference_mode():
                for i in range(n):  # interleaved: a neighbour's load spike hits both
                    v = voxels[i % len(voxels)]
                    try:
                        t1 = time.perf_counter()
                        plain(v)
                        t2 = time.perf_counter()
                        runner(v)
                        t3 = time.perf_counter()
                    except KeyboardInterrupt as exc:
                        if not i:
                            raise
                        cut = RepeatsCut(t_fast, i, n)
                        cut.__cause__ = exc
                        break
                    t_plain, t_fast = min(t_plain, t2 - t1), min(t_fast, t3 - t2)
            _add(rows, Row("model forward, optimised", f"{w}x{h}", 1.0 / t_fast, "frames/s", "plain forward",
                            t_plain / t_fast, {"model": name, "backend": runner.label,
                                               "ms_per_frame": round(1e3 * t_fast, 2),
                                               "plain_ms_per_frame": round(1e3 * t_plain, 2),
                                               "max_abs_diff": float(f"{diff:.2g}"), "build_s": round(build_s, 1)}),
                 cut)
    return rows


def bench_train_step(repeats: int, windows: int = 10, config: str = "evfocus-stage4", init: str = "evfocus",
                     tmp: Path | None = None) -> list[Row]:
    """One training step under bf16 autocast (what ``[train] amp = "auto"`` runs on a CPU with
    native bf16) against the same step in fp32, interleaved in this process: the forward of
    a ``windows``-window truncated-BPTT chunk, the loss, backward and Adam
    (``trainer.chunk_loss`` and ``trainer.optimiser_step``, the training loop's own), of the
    model ``init`` (``--init evfocus``: the shipped light model) with ``config``'s crop, batch,
    loss weights and lr (the stage-4 recipe: 128 px, batch 2), on simulated sequences. The row gives both losses
    of the first step (same weights, same batch): bf16's cost in the number trained on. No
    row where the CPU has no native bf16 ("auto" trains fp32 there)."""
    import copy
    import tomllib

    from .nn.registry import configs_dir
    from .train.dataset import SequenceDataset
    from .train.losses import LossWeights
    from .train.synth import simulate_minimal
    from .train.trainer import Unroll, chunk_loss, normalize_config, optimiser_step

    if not _precisions_here(("bf16",)):
        return []
    cfg = tomllib.loads((configs_dir() / f"{config}.toml").read_text())
    cfg["data"]["train"] = "-"  # (the recipe's data is not needed: sequences are simulated here)
    cfg = normalize_config(cfg, config)
    dc, crop = cfg["data"], int(cfg["augment"]["crop"])
    name, model = _model_list([init])[0]  # its own [model] (evfocus-stage4.toml's predates the wider sigmas)
    with tempfile.TemporaryDirectory(prefix="evfocus-bench-train-", dir=tmp) as d:
        for k in range(int(dc["batch_size"])):
            simulate_minimal(Path(d) / f"seq_{k:05d}.h5", width=crop, height=crop, n_frames=windows + 1, seed=k)
        ds = SequenceDataset.from_dir(d, num_bins=dc["num_bins"], progress=False, seq_len=windows, augment=None,
                                      count_channel=model_count_channel(model))
        batch = {key: torch.stack([ds[i][key] for i in range(len(ds))]) for key in ds[0]}
    weights = LossWeights(**cfg["loss"])
    variants = {}
    for dtype in (None, torch.bfloat16):
        net = Unroll(copy.deepcopy(model).train())
        params = list(net.parameters())
        variants[dtype] = (net, params, torch.optim.Adam(params, lr=float(cfg["train"]["lr"])))
    scaler = torch.amp.GradScaler("cuda", enabled=False)
    first_loss, best = {}, {dtype: float("inf") for dtype in variants}
    for i in range(1 + max(2, repeats)):  # the first round (allocator, oneDNN's kernels) is not timed
        for dtype, (net, params, opt) in variants.items():  # interleaved: a neighbour's load hits both
            t0 = time.perf_counter()
            loss, _ = chunk_loss(net, batch, weights, dtype, True, dc["loss_skip"], only_grad=False)
            optimiser_step(loss, opt, scaler, params, cfg["train"]["grad_clip"])
            if i:
                best[dtype] = min(best[dtype], time.perf_counter() - t0)
            else:
                first_loss[dtype] = float(loss.detach())
    t32, t16 = best[None], best[torch.bfloat16]
    return [Row("training step, bf16 autocast", f"{crop}x{crop}", 1.0 / t16, "steps/s", "fp32 training step",
                t32 / t16, {"model": name, "config": config, "batch": len(ds), "windows": windows,
                            "ms_per_step": round(1e3 * t16, 1), "fp32_ms_per_step": round(1e3 * t32, 1),
                            "loss_bf16": round(first_loss[torch.bfloat16], 4),
                            "loss_fp32": round(first_loss[None], 4)})]


@_keeps_rows
def bench_post_and_display(replays: dict, repeats: int) -> list[Row]:
    from .core.postprocess import AutoHdr, UnsharpMask
    from .core.render import EventAccumulator, event_image

    rows = _stage_rows()
    for res, r in replays.items():
        w, h, ev = r["width"], r["height"], r["events"]
        rng = np.random.default_rng(0)
        frame = rng.integers(0, 256, (h, w), dtype=np.uint8)
        hdr, usm = AutoHdr(), UnsharpMask()
        t_post, cut = _best_or_cut(lambda: usm(hdr(frame, 0), 0), repeats * 5)
        _add(rows, Row("post-processing (auto-HDR + unsharp)", res, 1e3 * t_post, "ms/frame"), cut)
        win = ev[: max(1, int(0.35 * w * h))]
        event_image(win, w, h)  # compiles the numba pass once, outside the clock
        t_img, cut = _best_or_cut(lambda: event_image(win, w, h), repeats * 5)
        if cut is not None:
            _add(rows, Row("event image (polarity, per frame)", res, 1e3 * t_img, "ms/frame",
                           extra={"events": len(win)}), cut)
        t_np, cut = _best_or_cut(lambda: event_image(win, w, h, backend="numpy"), repeats * 5)
        _add(rows, Row("event image (polarity, per frame)", res, 1e3 * t_img, "ms/frame", "numpy bincount",
                       t_np / t_img, {"events": len(win)}), cut, "baseline ")
        acc = EventAccumulator(w, h)

        def display():
            event_image(win, w, h)
            acc.update(win)
            acc.render()

        t_display, cut = _best_or_cut(display, repeats * 5)
        _add(rows, Row("display conversion", res, 1e3 * t_display, "ms/frame"), cut)
    return rows


class _TimedRunner:
    """The pipeline's model runner, timed: the forward's share of the very same frames."""

    def __init__(self, inner):
        self.inner, self.seconds = inner, 0.0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __call__(self, voxel):
        t0 = time.perf_counter()
        try:
            out = self.inner(voxel)
            if voxel.is_cuda:  # CUDA runs ahead: without this the forward's time would land
                torch.cuda.synchronize(voxel.device)  # in whatever first reads its output
            return out
        finally:
            self.seconds += time.perf_counter() - t0


def _model_config(model_name: str, device: str, precision: str, threads: int = 0):
    """The pipeline's model settings for one benchmarked precision: on CUDA ``fp16`` is the
    live default (``ModelConfig.half``), ``fp32`` the reference; on the CPU see ``nn.runtime``.
    ``threads``: torch CPU threads (0: the pipeline's default, which it sets)."""
    from .config import ModelConfig

    if str(device).startswith("cuda"):  # cuda or cuda:N
        return ModelConfig(name=model_name, device=str(device), half=precision == "fp16", precision="fp32", threads=threads)
    return ModelConfig(name=model_name, device="cpu", precision=precision, threads=threads)


def bench_end_to_end(replays: dict, model_name: str, window_ms: float, max_frames: int,
                     precisions: tuple[str, ...] = ("auto",), device: str = "cpu", threads: int = 0,
                     downsample: int = 1, roi: tuple[int, int, int, int] | None = None) -> list[Row]:
    """The synchronous pipeline (``frames()``) over each replay, per inference precision
    (``auto`` is the CPU's live default: bf16 where the CPU has it; on CUDA ``fp16`` / ``fp32``),
    with ``threads`` torch threads (0: the pipeline's default), events binned by ``downsample``
    (``--downsample``: its rows are "end to end (replay), --downsample N") and cropped to
    ``roi`` first (``--roi``: "end to end (replay), --roi X,Y,W,H")."""
    from .config import WindowConfig
    from .pipeline import Pipeline

    rows = []
    model_name, model = _model_list([model_name])[0]
    if device == "cpu":
        precisions = tuple(_precisions_here(precisions))
    runs = [(res, r, prec) for prec in precisions for res, r in replays.items()]
    for res, r, precision in runs:
        ev = r["events"]
        pipe = Pipeline(str(r["path"]), WindowConfig(mode="duration", window_ms=window_ms, downsample=downsample,
                                                         roi=roi),
                        _model_config(model_name, device, precision, threads), model_obj=model)
        # steady state: the clock starts after the first frames (the reset frame runs the plain
        # model, the next one builds the optimised step: a one-off start-up cost, reported apart)
        warm = 3
        timed = pipe.runner = _TimedRunner(pipe.runner)
        t_start = time.perf_counter()
        t0 = startup_s = None
        infer_ms, frames, t_first, t_last = 0.0, 0, None, None
        for fr in pipe.frames():
            if t0 is None:
                if fr.index + 1 >= warm:
                    t0 = time.perf_counter()
                    startup_s = t0 - t_start
                    timed.seconds = 0.0
                continue
            frames += 1
            infer_ms += fr.infer_ms
            t_first = fr.t_start_us if t_first is None else t_first
            t_last = fr.t_us
            if frames >= max_frames:
                break
        wall = time.perf_counter() - (t0 if t0 is not None else t_start)
        pipe.close()
        if not frames:  # a replay shorter than the warm-up: no rate to report (not "0 fps")
            log.warning("end to end %s %s: the replay ended within the %d warm-up frames; no row "
                        "(give a longer replay)", res, precision, warm)
            continue
        sensor_s = (t_last - t_first) / 1e6
        # the events of the timed frames' span (not the whole replay's: the warm-up frames and
        # the rest after max_frames are outside the clock)
        n_timed = int(np.searchsorted(ev["t"], t_last, "left") - np.searchsorted(ev["t"], t_first, "left"))
        # the model forward's time inside this run (same frames, same neighbours' load): the
        # rest is reading, slicing, voxel grid, conversions, post-processing, event image
        frame_s = wall / max(frames, 1)
        t_fwd = timed.seconds / max(frames, 1)
        stage = ("end to end (replay)" + (f", --roi {','.join(map(str, roi))}" if roi is not None else "")
                 + (f", --downsample {downsample}" if downsample > 1 else ""))
        rows.append(Row(stage, res, frames / wall, "frames/s", "model forward in the run",
                        t_fwd / frame_s,
                        {"model": model_name, "device": device, "precision": precision,
                         **({"model_size": f"{pipe.width}x{pipe.height}"} if downsample > 1 or roi else {}),
                         **({"threads": pipe.stats.threads} if device == "cpu" else {}),
                         "window_ms": window_ms, "frames": frames,
                         "backend": pipe.stats.backend, "startup_s": round(startup_s or 0.0, 2),
                         "ms_per_frame": round(1e3 * frame_s, 2), "forward_ms": round(1e3 * t_fwd, 2),
                         "realtime_factor": round(sensor_s / wall, 3) if wall > 0 else None,
                         "outside_model_pct": round(100 * (1 - t_fwd / frame_s), 1),
                         "mev_per_s": round(n_timed / 1e6 / wall, 2) if sensor_s else None}))
    return rows


def bench_live(replays: dict, model_name: str, window_ms: float, precision: str = "auto",
               device: str = "cpu", warm_frames: int = 3, timeout_s: float = 300.0) -> list[Row]:
    """The threaded pipeline (reader + worker, as in the viewer) replaying each file at the
    sensor clock, as a camera would deliver it: the share of the recording's windows that
    became frames (1.0 = it keeps up), the windows skipped after the first ``warm_frames``
    (the model's one-off build lands there) and the latency from a window's last event to
    its frame."""
    from .config import WindowConfig
    from .pipeline import Pipeline

    rows = []
    model_name, model = _model_list([model_name])[0]
    for res, r in replays.items():
        ev = r["events"]
        pipe = Pipeline(str(r["path"]), WindowConfig(mode="duration", window_ms=window_ms),
                        _model_config(model_name, device, precision), model_obj=model, speed=1.0)
        lat_ms: list[float] = []
        skipped_at_warm = [None]

        def on_frame(fr, pipe=pipe, lat_ms=lat_ms, skipped_at_warm=skipped_at_warm):
            if fr.index + 1 == warm_frames:
                skipped_at_warm[0] = pipe.stats.skipped_windows
            elif fr.index + 1 > warm_frames:
                lat_ms.append(fr.latency_ms)

        t0 = time.perf_counter()
        pipe.start(on_frame)
        while pipe.running and time.perf_counter() - t0 < timeout_s:
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        pipe.close()
        sensor_s = (int(ev["t"][-1]) - int(ev["t"][0])) / 1e6
        windows = max(1, int(np.ceil(sensor_s * 1e3 / window_ms)))
        st = pipe.stats
        # None: the run ended before the warm-up did (too slow for this replay to say)
        steady_skips = None if skipped_at_warm[0] is None or not lat_ms else st.skipped_windows - skipped_at_warm[0]
        rows.append(Row("live replay (threaded, 1x sensor clock)", res, st.frames / windows, "of windows shown",
                        "every window of the recording", st.frames / windows,
                        {"model": model_name, "device": device, "precision": precision, "window_ms": window_ms,
                         "windows": windows, "frames": st.frames, "skipped_windows": st.skipped_windows,
                         "skipped_after_warmup": steady_skips, "dropped_events": st.dropped_events,
                         "latency_ms_p50": round(float(np.percentile(lat_ms, 50)), 1) if lat_ms else None,
                         "latency_ms_p95": round(float(np.percentile(lat_ms, 95)), 1) if lat_ms else None,
                         "wall_s": round(wall, 2), "sensor_s": round(sensor_s, 3)}))
    return rows


def run(quick: bool = False, models: list[str] | None = None, threads: int | None = None,
        progress: Callable[[str], None] | None = None) -> dict:
    """Run every stage; returns ``{"machine": ..., "rows": [...]}``, with ``"interrupted":
    True`` and the rows done so far after Ctrl-C, the cut stage's included (a row whose
    repeats were cut after one or more says ``"partial": "n of N repeats"``); minutes of
    timing are not thrown away; KeyboardInterrupt again when no row was done."""
    from .nn.runtime import set_threads

    threads = set_threads(threads)  # None: the pipeline's default (nn.runtime.default_threads)
    say = progress or (lambda s: None)
    repeats = 2 if quick else 5
    rows: list[Row] = []
    try:
        _run_stages(rows, quick, models, repeats, say, threads)
        interrupted = False
    except KeyboardInterrupt as exc:
        rows += getattr(exc, "rows", [])  # a cut stage's rows (StageCut), its last one maybe partial
        if not rows:
            raise
        interrupted = True
    machine = {"cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
               "torch": torch.__version__, "cuda": torch.cuda.is_available(),
               "peak_rss_mb": round(peak_rss_mb(), 1)}
    return {VERSION_KEY: __version__, "machine": machine, "rows": [r.as_dict() for r in rows],
            **({"interrupted": True} if interrupted else {})}


def _run_stages(rows: list[Row], quick: bool, models: list[str] | None, repeats: int,
                say: Callable[[str], None], threads: int) -> None:
    """The stages of :func:`run`, each appending its rows to ``rows`` when it is done."""
    with tempfile.TemporaryDirectory(prefix="evfocus-bench-") as tmp:
        say("building replay files")
        replays = make_replays(Path(tmp), seconds=1.5 if quick else 3.0)
        say("read")
        rows += bench_read(replays, repeats)
        say("slice + voxel grid")
        rows += bench_voxel(replays, repeats)
        say("model forward")
        rows += bench_models([(346, 260), (1280, 720)], repeats, models)
        # the model the user named times the runtime and end-to-end rows too: they timed the
        # shipped evfocus whatever --models said (a student's runs/my/final.pt among them)
        main = _main_model(models)
        say("model forward: plain vs optimised runtime")
        rows += bench_runtime([(346, 260), (1280, 720)], repeats, model_name=main, precisions=("fp32", "bf16"))
        say("training step: fp32 vs bf16 autocast")
        rows += bench_train_step(repeats, windows=4 if quick else 10, tmp=Path(tmp))
        say("post-processing and display")
        rows += bench_post_and_display(replays, repeats)
        say("end to end")
        # the threads asked for, not the pipeline's default (it would set 1 for this stage and after)
        rows += bench_end_to_end(replays, main, 33.0, 30 if quick else 90, precisions=("fp32", "bf16"),
                                 threads=threads)
        if "1280x720" in replays:
            say("end to end, --downsample 2")
            rows += downsample_rows(rows, replays["1280x720"], 30 if quick else 90, threads, main)
            say("end to end, --roi (346x260 of 1280x720)")
            rows += roi_rows(rows, replays["1280x720"], 30 if quick else 90, threads, model_name=main)


def _main_model(models: list[str] | None) -> str:
    """The model of the runtime and end-to-end rows: the first of ``--models`` with weights
    here (a built-in without them is timed untrained in the forward rows only), else ``evfocus``."""
    from .errors import CheckpointError
    from .nn.registry import load_model

    for name in models or []:
        try:
            load_model(name, "cpu")
        except CheckpointError:
            continue
        return name
    return "evfocus"


def downsample_rows(rows: list[Row], replay: dict, max_frames: int, threads: int,
                    model_name: str = "evfocus") -> list[Row]:
    """``--downsample 2`` end to end at 1280x720 (fp32), against the full-size fp32 row of
    the same process (``rows``): the speed-up a high-rate sensor's user gets."""
    full = next((r for r in rows if r.stage == "end to end (replay)" and r.resolution == "1280x720"
                 and r.extra.get("precision") == "fp32"), None)
    small = bench_end_to_end({"1280x720": replay}, model_name, 33.0, max_frames, precisions=("fp32",),
                             threads=threads, downsample=2)
    for r in small:
        r.baseline, r.ratio = "full size, fp32, this run", (r.value / full.value if full and full.value else None)
    return small


def centred_roi(width: int, height: int, roi_w: int = 346, roi_h: int = 260) -> tuple[int, int, int, int]:
    """A ``roi_w`` x ``roi_h`` rectangle (at most the sensor) in the middle of a ``width`` x ``height`` sensor."""
    w, h = min(roi_w, width), min(roi_h, height)
    return (width - w) // 2, (height - h) // 2, w, h


def roi_rows(rows: list[Row], replay: dict, max_frames: int, threads: int,
             roi_wh: tuple[int, int] = (346, 260), model_name: str = "evfocus") -> list[Row]:
    """``--roi`` end to end (fp32): a centred ``roi_wh`` part (a DAVIS346's size) of the
    replay's sensor (``replay["width"]``, ``["height"]``: 1280x720), against the full-sensor
    fp32 row of the same process (``rows``): the speed-up of looking at part of a big sensor
    (the whole stream is still read and sliced)."""
    full = next((r for r in rows if r.stage == "end to end (replay)" and r.resolution == "1280x720"
                 and r.extra.get("precision") == "fp32"), None)
    roi = centred_roi(replay["width"], replay["height"], *roi_wh)
    small = bench_end_to_end({"1280x720": replay}, model_name, 33.0, max_frames, precisions=("fp32",),
                             threads=threads, roi=roi)
    for r in small:
        r.baseline, r.ratio = "full sensor, fp32, this run", (r.value / full.value if full and full.value else None)
    return small


def format_table(result: dict) -> str:
    lines = ["| stage | resolution | model | value | unit | baseline | ratio | notes |",
             "|---|---|---|---|---|---|---|---|"]
    skip = {"stage", "resolution", "value", "unit", "baseline", "ratio", "model"}
    for r in result["rows"]:
        notes = ", ".join(f"{k}={v}" for k, v in r.items() if k not in skip)
        ratio = f"{r['ratio']:.2f}x" if r.get("ratio") is not None else ""
        lines.append(f"| {r['stage']} | {r['resolution']} | {r.get('model', '')} | {r['value']:.2f} | {r['unit']} "
                     f"| {r['baseline']} | {ratio} | {notes} |")
    m = result["machine"]
    lines.append("")
    lines.append(f"evfocus-live {result.get(VERSION_KEY, '(version not recorded)')}; "
                 f"machine: {m['cpu_count']} CPU cores, torch {m['torch']} ({m['torch_threads']} threads), "
                 f"CUDA {'yes' if m['cuda'] else 'no'}; peak RSS {m['peak_rss_mb']} MB")
    if result.get("interrupted"):
        partial = [r for r in result["rows"] if r.get("partial")]
        lines.append("interrupted: the stages after these were not measured" + "".join(
            f"; {r['stage']} at {r['resolution']}{' (' + r['model'] + ')' if r.get('model') else ''} "
            f"is partial ({r['partial']})" for r in partial))
    return "\n".join(lines)
