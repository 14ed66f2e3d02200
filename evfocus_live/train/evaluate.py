"""Evaluation: models side by side on simulated ground truth and on real recordings.

Ground-truth data (``.h5`` with ``/frames``): every model runs each sequence from a reset
state, one window per GT frame interval; MSE/PSNR/SSIM against the sharp frame. The first
``warmup`` windows are not scored (the recurrent state starts empty; a sequence of no more
windows than that scores its last one, rather than vanish from the table). A reference row
"defocused GT" scores the blurred GT frame itself against the sharp one: beating it
means the model removed defocus, not just reconstructed intensity.

Blur levels: a sequence's level is set by the mean of its sigma maps (px):
``mild`` < 2, ``moderate`` 2-4, ``severe`` >= 4; sequences with the ``focus_sweep``
attribute form the ``focus sweep`` split whatever their mean.

Real recordings (any readable event file): windows of 0.35 events per pixel (E2VID), or
smaller for short recordings so that there are at least 12 windows (of >= 2000 events),
the first ``warmup`` windows not scored either, no-reference metrics on the outputs:
BRISQUE and NIQE (on the same few frames; they are slow), sharpness, contrast, noise,
temporal flicker. NIQE needs frames of at least 194 px a side
(:data:`.metrics.NIQE_MIN_SIDE`); smaller recordings get NaN ("–" in the report).
BRISQUE and NIQE are averaged over the frames where they are defined (not flat), "–" where none is;
flicker is "–" (NaN) where a recording has one scored window (no change to measure).
Real recordings with APS (grey-level) frames (a DAVIS) are also scored against those
frames, as the E2VID paper and the ECD dataset do (:func:`evaluate_aps`): one
reconstruction at each APS frame's time (the windows of ``evfocus reconstruct --at aps``),
SSIM / MSE / PSNR against that frame, both per-frame min-max normalised to [0, 1] first
(events carry no absolute brightness; the camera's exposure and gain set the frame's).
The first ``warmup`` APS frames are not scored, by the rule above; at most
``max_windows`` frames. With a defocused lens the APS frame is defocused too: this is
fidelity to the camera's frame, not sharpness.
Ctrl-C writes the report of the sequences and recordings finished so far, marked
interrupted, and ends in :class:`EvalInterrupted` (a KeyboardInterrupt: exit code 130).
Frames under :data:`.metrics.MIN_SIDE` px cannot be scored: a ground-truth sequence of
them is an InputError, a recording is skipped.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch

from .. import __version__
from ..errors import ConfigError, EvFocusError, InputError
from ..versions import VERSION_KEY
from . import metrics as M
from ..nn.registry import model_count_channel, model_num_bins
from .dataset import load_sequence, voxel_grid

log = logging.getLogger(__name__)

#: seconds between the progress lines a run without a progress bar logs (a log file, --no-progress)
PROGRESS_LOG_S = 30.0


def _said_now_and_then(bar, what: str):
    """The items of ``bar``; without a bar (``evfocus eval ... > log.txt``, --no-progress) a line
    every :data:`PROGRESS_LOG_S`: a long evaluation's log said nothing until the report."""
    said_at, n = time.monotonic(), len(bar.iterable)
    for i, item in enumerate(bar):
        if bar.disable and i and time.monotonic() - said_at >= PROGRESS_LOG_S:
            said_at = time.monotonic()
            log.info("%s: %d/%d done", what, i, n)
        yield item

MILD_MAX_PX = 2.0
MODERATE_MAX_PX = 4.0
SPLITS = ("mild", "moderate", "severe", "focus sweep")
REFERENCE = "defocused GT"
#: the classical bound: the defocused GT frame Wiener-deconvolved with its true mean sigma
DECONV_REFERENCE = "deconvolved GT"
DECONV_NSR = 0.01
REFERENCES = (REFERENCE, DECONV_REFERENCE)
#: per-frame scores averaged into the tables (mse_mm: MSE with the frame's mean matched)
FULL_REFERENCE_KEYS = ("mse", "psnr", "ssim", "mse_mm")
#: scores against a recording's own APS frames (both frames min-max normalised first)
APS_KEYS = ("ssim", "mse", "psnr")


#: what an eval run writes in its ``out_dir``: never recordings, in a --data folder too
OUTPUT_FILES = ("report.md", "report.json", "grid_synthetic.png", "grid_real.png")


def event_suffixes() -> list[str]:
    """The extensions of a folder's files evaluated as recordings (the others are ignored):
    the file readers' own, plugins' included, so a folder of .csv recordings is not passed over."""
    from ..sources import file_extensions

    return file_extensions()


class EvalInterrupted(KeyboardInterrupt):
    """Ctrl-C during an evaluation, with what was finished before it: ``result`` (an
    evaluation loop's return value, over the files done) or ``report`` (the whole report,
    written to ``out_dir`` already)."""

    def __init__(self, result: Any = None, report: dict[str, Any] | None = None):
        super().__init__()
        self.result, self.report = result, report


def shown_splits(table: dict[str, Any]) -> list[str]:
    """The splits of a per-split table, in order, and "all" only when it does not repeat a
    lone split (every report and table here shows splits this way)."""
    splits = [s for s in SPLITS if s in table]
    return splits + ["all"] if "all" in table and len(splits) != 1 else splits


def blur_level(mean_sigma_px: float, focus_sweep: bool) -> str:
    if focus_sweep:
        return "focus sweep"
    if mean_sigma_px < MILD_MAX_PX:
        return "mild"
    return "moderate" if mean_sigma_px < MODERATE_MAX_PX else "severe"


def has_ground_truth(path: Path) -> bool:
    if path.suffix.lower() not in (".h5", ".hdf5"):
        return False
    try:
        import h5py  # listing groups needs no compression filters

        with h5py.File(path, "r") as f:
            return "frames" in f and "sharp" in f["frames"]
    except OSError:
        return False


def _no_data_message(paths: list[str]) -> str:
    """What was looked for, and where the given folders have subfolders holding data (the
    folder above the simulated splits, given by mistake), which ones to pass instead."""
    suffixes = event_suffixes()
    msg = (f"no evaluable data in {', '.join(paths)}: no seq_*.h5 sequences or event files "
           f"({', '.join(suffixes)}) there")
    subs = [d for p in map(Path, paths) if p.is_dir() for d in sorted(p.iterdir())
            if d.is_dir() and any(f.is_file() and f.suffix.lower() in suffixes for f in d.iterdir())]
    if subs:
        msg += f"; subfolders are not searched: pass them, e.g. --data {' '.join(map(str, subs))}"
    return msg


def _not_events(f: Path) -> bool:
    """Whether ``f``, found in a --data folder, is a text file that is no event list (notes, a
    results table): the text reader claims any text .txt/.csv, to say what is wrong with a
    damaged recording, so these were scored as recordings and gave a "skipped" row each."""
    from ..sources import detect_format
    from ..sources.text_file import SNIFF_BYTES, TextFileSource, looks_like_events

    if f.suffix.lower() not in TextFileSource.extensions:
        return False
    try:
        with open(f, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
        return not head or (detect_format(f)[1] is TextFileSource and not looks_like_events(head))
    except (OSError, EvFocusError):  # (unreadable: its row says why)
        return False


def expand_data(paths: list[str]) -> tuple[list[Path], list[Path]]:
    """(ground-truth sequences, real recordings) from files and folders.

    In a folder, the events beside a ground-truth sequence (the simulator writes
    ``seq_X.aedat4`` next to ``seq_X.h5``: same stem) are not evaluated again as a
    recording, nor are an eval's own outputs (:data:`OUTPUT_FILES`: a report written into
    the folder) or text files that hold no events (:func:`_not_events`: notes, a results
    table; named in one info line); every other event file is. A file reached twice (a folder
    and a file in it, or a path given twice) is evaluated once: twice would weigh it double
    in every mean."""
    gt, real = [], []
    suffixes = event_suffixes()
    for p in map(Path, paths):
        if p.is_dir():
            files = sorted(x for x in p.iterdir() if x.is_file() and not x.name.startswith(".")
                           and x.name not in OUTPUT_FILES)
            h5 = [f for f in files if has_ground_truth(f)]
            gt += h5
            gt_stems = {f.stem for f in h5}
            picked = [f for f in files if f.suffix.lower() in suffixes and f not in h5 and f.stem not in gt_stems]
            others = [f for f in picked if _not_events(f)]
            if others:
                log.info("%s: not event files, left out: %s", p, ", ".join(f.name for f in others))
            real += [f for f in picked if f not in others]
        elif p.is_file():
            (gt if has_ground_truth(p) else real).append(p)
        elif any(c in str(p) for c in "*?["):  # the shell passes a pattern that matched nothing as it is
            raise InputError(f"data path not found: {p} (a pattern that matched nothing; the test sets "
                             "are made by the evfocus simulate commands at the top of models/EVALUATION.md)")
        else:
            raise InputError(f"data path not found: {p}")
    if not gt and not real:
        raise InputError(_no_data_message(paths))
    seen: set[Path] = set()

    def once(files: list[Path]) -> list[Path]:
        out = []
        for f in files:
            if f.resolve() not in seen:
                seen.add(f.resolve())
                out.append(f)
        return out

    return once(gt), once(real)


def file_labels(files: list[Path]) -> list[str]:
    """One distinct report label per file: its name, or ``folder/name`` where two files
    share a name (``test_mild/seq_00000.h5``, ``test_severe/seq_00000.h5``), else the whole
    path: a table keyed by name alone would keep only one of them."""
    from collections import Counter

    names = Counter(f.name for f in files)
    labels = [f.name if names[f.name] == 1 else f"{f.parent.name}/{f.name}" for f in files]
    counts = Counter(labels)
    return [lab if counts[lab] == 1 else str(f) for f, lab in zip(files, labels)]


def _defocus_errors(pred_px: np.ndarray, true_px: np.ndarray, voxel: np.ndarray) -> dict[str, float]:
    """The defocus map per pixel (MAE) and as the viewer reads it (``core.defocus``: the
    map weighted by the window's event activity; the true value weighted the same way),
    with the readout's absolute error."""
    from ..core.defocus import activity_weights, defocus_readout_px

    t = true_px.astype(np.float32)
    w = activity_weights(voxel)
    read, true = defocus_readout_px(pred_px, w), defocus_readout_px(t, w)
    return {"sigma_mae_px": float(np.abs(pred_px - t).mean()), "sigma_true_px": true, "sigma_read_px": read,
            "sigma_read_err_px": abs(read - true)}


def model_device(model: Any) -> torch.device:
    """Where a model's weights are (CPU for a model without parameters)."""
    try:
        return next(iter(model.parameters())).device
    except (AttributeError, StopIteration, TypeError):
        return torch.device("cpu")


@torch.inference_mode()
def run_model(model: torch.nn.Module, voxels: np.ndarray, extras: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """A model over a voxel sequence [N,bins,H,W], from reset: ``image`` and those of the
    ``extras`` (e.g. ``("blur", "sigma")``) that the model outputs, each [N,H,W] float32.
    Each voxel goes to the model's device; outputs come back to the CPU."""
    model.reset_states()
    dev = model_device(model)
    outs: dict[str, list[np.ndarray]] = defaultdict(list)
    for v in voxels:
        x = torch.from_numpy(np.asarray(v, np.float32))[None].to(dev)
        y = model(x)
        for key in ("image", *extras):
            if key in y:
                outs[key].append(y[key][0, 0].float().cpu().numpy())
    return {k: np.stack(v) for k, v in outs.items()}


def _to_u8(img: np.ndarray) -> np.ndarray:
    return np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _label(img: np.ndarray, text: str) -> np.ndarray:
    out = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) if img.ndim == 2 else img.copy()
    cv2.putText(out, text, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, text, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 255, 255), 1, cv2.LINE_AA)
    return out


def grid_title(label: str, max_chars: int = 28) -> str:
    """A recording's label shortened for a grid row's title in its middle (``session_20..cam1.aedat4``):
    cut at its end, names that differ only there (``cam1``/``cam2``) read alike."""
    if len(label) <= max_chars:
        return label
    head = (max_chars - 2) // 2
    return f"{label[:head]}..{label[-(max_chars - 2 - head):]}"


#: synthetic grid tiles narrower than this are enlarged by a whole factor: a 96-px tile cut
#: its labels ("focus sweep: eve") and a model's name
GRID_MIN_TILE_PX = 192


def grid_scale(width_px: int) -> int:
    """The whole factor (1..8) a synthetic grid tile of ``width_px`` is enlarged by."""
    return max(1, min(8, -(-GRID_MIN_TILE_PX // max(1, width_px))))


def _voxel_view(v: np.ndarray) -> np.ndarray:
    s = np.asarray(v, np.float32).sum(0)
    return np.clip(128 + 40 * s, 0, 255).astype(np.uint8)


def _score_sequence(f: Path, label: str, models: dict[str, torch.nn.Module], bins_of: dict[str, tuple[int, bool]],
                    first_bins: tuple[int, bool], warmup: int, acc: dict, aux: dict, per_seq: list,
                    rows: dict) -> None:
    """One ground-truth sequence of :func:`evaluate_ground_truth`, added to its tables.
    ``bins_of``: each model's (voxel bins, event-count channel)."""
    seqs = {b: load_sequence(f, b[0], count_channel=b[1]) for b in dict.fromkeys([first_bins, *bins_of.values()])}
    seq_aux: dict[str, list[dict[str, float]]] = defaultdict(list)
    seq_acc: dict[str, list[dict[str, float]]] = {}
    seq = seqs[first_bins]  # frames, sigma and timing are the same whatever the bins
    if min(seq.sharp.shape[-2:]) < M.MIN_SIDE:  # before the models run: skimage's error otherwise
        h, w = seq.sharp.shape[-2:]
        raise InputError(f"{f}: frames of {w}x{h} px are too small to score "
                         f"(SSIM needs at least {M.MIN_SIDE}x{M.MIN_SIDE})")
    level = blur_level(float(seq.sigma.astype(np.float32).mean()), seq.focus_sweep)
    idx = range(max(0, min(warmup, len(seq.voxels) - 1)), len(seq.voxels))
    outs = {name: run_model(m, seqs[bins_of[name]].voxels, extras=("blur", "sigma")) for name, m in models.items()}
    preds = {name: o["image"] for name, o in outs.items()}
    for name, o in outs.items():  # EvFocus's blur-aware outputs against what they estimate
        if "blur" in o:
            vox = seqs[bins_of[name]].voxels[:, :bins_of[name][0]]  # the bins, not the count channel
            seq_aux[name].extend(
                {"blur_ssim": M.ssim(o["blur"][i], seq.blurred[i]), "blur_mse": M.mse(o["blur"][i], seq.blurred[i]),
                 **(_defocus_errors(o["sigma"][i], seq.sigma[i], vox[i]) if "sigma" in o else {})}
                for i in idx)
    rec = {"sequence": label, "split": level, "mean_sigma_px": float(seq.sigma.astype(np.float32).mean()),
           "frames_scored": len(idx)}
    refs = [(REFERENCE, lambda i: seq.blurred[i]),
            (DECONV_REFERENCE, lambda i: M.wiener_deconvolve(seq.blurred[i], float(seq.sigma[i].astype(np.float32).mean()), DECONV_NSR))]
    for name, img_fn in refs + [(n, (lambda p: lambda i: p[i])(p)) for n, p in preds.items()]:
        vals = [M.full_reference(img_fn(i), seq.sharp[i]) for i in idx]
        mean = {k: float(np.mean([v[k] for v in vals])) for k in FULL_REFERENCE_KEYS}
        rec[name] = mean
        seq_acc[name] = vals
    # into the tables only now: a Ctrl-C above leaves no part of this sequence there
    for name, vals in seq_aux.items():
        aux[level][name].extend(vals)
    for name, vals in seq_acc.items():
        acc[level][name].extend(vals)
    per_seq.append(rec)
    if level not in rows:  # (tiles laid out by synthetic_grid_rows)
        i = len(seq.voxels) - 1
        tiles = [(_voxel_view(seq.voxels[i][:first_bins[0]]), f"{level}: events"),
                 (seq.blurred[i], "defocused GT"), (seq.sharp[i], "sharp GT")]
        tiles += [(_to_u8(p[i]), n) for n, p in preds.items()]
        rows[level] = {"tiles": tiles, "sequence": label, "t_us": int(seq.t_us[i])}


def synthetic_grid_rows(rows: list[list[tuple[np.ndarray, str]]]) -> list[np.ndarray]:
    """The synthetic grid's rows (one per split) from their (image, label) tiles, every tile
    of one width: the largest sensor's, enlarged by :func:`grid_scale` (small frames
    enlarged by a whole factor, pixels kept sharp, so labels fit). Splits drawn from data of
    other resolutions (--data test_96px test_128px) gave columns of other widths that did
    not line up under one another."""
    if not rows:
        return []
    wmax = max(tiles[0][0].shape[1] for tiles in rows)
    tw = wmax * grid_scale(wmax)
    return [_tile_row(tiles, tw) for tiles in rows]


def _tile_row(tiles: list[tuple[np.ndarray, str]], tw: int) -> np.ndarray:
    """One grid row: each (image, label) tile resized to ``tw`` px wide (aspect kept; enlarged
    with sharp pixels), then labelled (a label drawn before a shrink is a smudge)."""
    row = []
    for img, text in tiles:
        h, w = img.shape[:2]
        if w != tw:
            img = cv2.resize(img, (tw, max(1, round(h * tw / w))),
                             interpolation=cv2.INTER_NEAREST if tw > w else cv2.INTER_AREA)
        row.append(_label(img, text))
    return np.concatenate(row, 1)


def evaluate_ground_truth(models: dict[str, torch.nn.Module], files: list[Path], num_bins: int = 5,
                          warmup: int = 3, progress: bool = True) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Per-split mean metrics {split: {model: {mse, psnr, ssim, n}}}, per-sequence means, the
    first model's paired differences to each other one, and one grid row per split.

    Each model gets voxel grids of its own ``num_bins`` (its config's; ``num_bins`` for a
    model without one), with the event-count channel if it takes one."""
    from tqdm import tqdm

    bins_of = {name: (model_num_bins(m, num_bins), model_count_channel(m)) for name, m in models.items()}
    first_bins = next(iter(bins_of.values()), (num_bins, False))

    acc: dict[str, dict[str, list[dict[str, float]]]] = defaultdict(lambda: defaultdict(list))
    aux: dict[str, dict[str, list[dict[str, float]]]] = defaultdict(lambda: defaultdict(list))
    per_seq = []
    rows: dict[str, dict[str, Any]] = {}
    bar = tqdm(files, desc="eval (ground truth)", unit="seq", disable=not progress)
    try:
        for f, label in zip(_said_now_and_then(bar, "eval (ground truth)"), file_labels(files)):
            _score_sequence(f, label, models, bins_of, first_bins, warmup, acc, aux, per_seq, rows)
    except KeyboardInterrupt:  # Ctrl-C: the tables of the sequences finished so far
        interrupted = True
        bar.close()
    else:
        interrupted = False
    table = {split: {name: {**{k: float(np.mean([v[k] for v in vals])) for k in FULL_REFERENCE_KEYS}, "n": len(vals)}
                     for name, vals in by_model.items()}
             for split, by_model in acc.items()}
    allrows = defaultdict(list)
    for by_model in acc.values():
        for name, vals in by_model.items():
            allrows[name].extend(vals)
    table["all"] = {name: {**{k: float(np.mean([v[k] for v in vals])) for k in FULL_REFERENCE_KEYS}, "n": len(vals)}
                    for name, vals in allrows.items()}
    blur_aware = {split: {name: _means(vals) for name, vals in by_model.items()} for split, by_model in aux.items()}
    if aux:
        everything = defaultdict(list)
        for by_model in aux.values():
            for name, vals in by_model.items():
                everything[name].extend(vals)
        blur_aware["all"] = {name: _means(vals) for name, vals in everything.items()}
    names = list(models)
    paired = {other: {m: paired_differences(per_seq, names[0], other, m) for m in ("ssim", "mse", "mse_mm")} for other in names[1:]}
    shown = [rows[s] for s in SPLITS if s in rows]
    grid = [{"split": s, "sequence": rows[s]["sequence"], "t_us": rows[s]["t_us"]} for s in SPLITS if s in rows]
    result = ({"splits": table, "blur_aware": blur_aware, "sequences": per_seq, "paired": paired, "grid": grid},
              synthetic_grid_rows([r["tiles"] for r in shown]))
    if interrupted:
        raise EvalInterrupted(result)
    return result


#: bootstrap resamples for the paired comparison's interval
N_BOOTSTRAP = 4000
#: below this many sequences the bootstrap interval is shown marked: resampling 2 to 4
#: values gives an interval that reflects those values, not the spread of scenes
FEW_SEQUENCES = 5


def paired_differences(sequences: list[dict[str, Any]], a: str, b: str, metric: str = "ssim",
                       seed: int = 0) -> dict[str, dict[str, float]]:
    """Is model ``a`` better than ``b``, or is it noise? Per split (and "all"): the mean over
    sequences of the per-sequence difference ``a - b`` in ``metric``, that difference
    relative to ``b``'s mean, and a 95 % bootstrap interval over sequences (the unit that
    varies: scenes, blur, contrast thresholds). Frames of one sequence are not independent,
    so resampling frames would give intervals far too narrow. "all" only when there are
    several splits. One sequence has no interval (NaN: its resamples are all the same
    value, a zero-width "interval" that would read as a certain difference). Under
    :data:`FEW_SEQUENCES` sequences ``few_sequences`` is true: the interval is kept but the
    report marks it as meaning little."""
    rng = np.random.default_rng(seed)
    by_split: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for rec in sequences:
        if a in rec and b in rec:
            pair = (rec[a][metric], rec[b][metric])
            by_split[rec["split"]].append(pair)
            by_split["all"].append(pair)
    out = {}
    for split in shown_splits(by_split):
        va, vb = np.array(by_split[split]).T
        d = va - vb
        boot = d[rng.integers(len(d), size=(N_BOOTSTRAP, len(d)))].mean(1)
        lo, hi = np.percentile(boot, [2.5, 97.5]) if len(d) > 1 else (math.nan, math.nan)
        out[split] = {"mean": float(d.mean()), "relative": float(d.mean() / vb.mean()) if vb.mean() else math.nan,
                      "lo": float(lo), "hi": float(hi), "sequences": len(d),
                      "few_sequences": len(d) < FEW_SEQUENCES}
    return out


def _means(vals: list[dict[str, float]]) -> dict[str, float]:
    return {**{k: float(np.mean([v[k] for v in vals])) for k in vals[0]}, "n": len(vals)}


def _read_events(path: Path, max_windows: int = 0):
    """Events, width, height. With ``max_windows``: only as many events as that many
    windows of 0.35 events per pixel hold, enough for :func:`evaluate_real`'s windows (an
    hour-long recording read whole filled the memory for windows of its first seconds)."""
    return _read_recording(path, max_windows)[:3]


def _read_recording(path: Path, max_windows: int = 0, max_aps: int = 0):
    """:func:`_read_events`, and the first ``max_aps`` APS frames (:func:`_first_aps_frames`,
    [] without any) from the same opening of the file. Warnings of the frames' read are
    left to :func:`evaluate_aps`, which reads them again to score them and says them once."""
    from ..events import concat
    from ..sources import open_file
    from ..sources.base import read_named, readers_quiet

    src = open_file(path)
    try:
        w, h = int(src.width), int(src.height)
        limit = max_windows * max(1, int(round(0.35 * w * h))) if max_windows else None
        batches, n = [], 0
        while (limit is None or n < limit) and (b := read_named(src)) is not None:  # (a plugin reader's fault named)
            batches.append(b)
            n += len(b)
        aps = []
        if max_aps:
            try:
                with readers_quiet():
                    aps = _first_aps_frames(src, max_aps)
            except EvFocusError as exc:  # (an APS stream past repair: no tile; the APS table says why)
                log.debug("no APS frame for the grid of %s: %s", path, exc)
        return concat(batches)[:limit], w, h, aps
    finally:
        src.close()


def evaluate_real(models: dict[str, torch.nn.Module], files: list[Path], num_bins: int = 5, max_windows: int = 60,
                  brisque_frames: int = 3, progress: bool = True, min_windows: int = 12,
                  warmup: int = 3) -> tuple[dict[str, Any], list[np.ndarray]]:
    """No-reference metrics {file: {model: {...}}} (files labelled by :func:`file_labels`)
    and one grid row per file (the last window's events, the recording's APS frame where it
    has them (:func:`_shown_aps_frame`), then each model on voxel grids of its own ``num_bins``, as in
    :func:`evaluate_ground_truth`); the first ``warmup`` windows are not scored, as there."""
    from tqdm import tqdm

    table, specs = {}, []
    left_out = M.unavailable_scores() if files else []
    if left_out:
        log.warning("%s %s the 'metrics' extra (pip install -e '.[metrics]'): left out (–)",
                    " and ".join(left_out), "needs" if len(left_out) == 1 else "need")
    bar = tqdm(files, desc="eval (real)", unit="file", disable=not progress)
    try:
        for f, label in zip(_said_now_and_then(bar, "eval (real)"), file_labels(files)):
            _score_recording(f, label, models, num_bins, max_windows, brisque_frames, min_windows, warmup,
                             table, specs, left_out, progress)
    except KeyboardInterrupt:  # Ctrl-C: the recordings finished so far
        bar.close()
        raise EvalInterrupted((table, real_grid_rows(specs))) from None
    return table, real_grid_rows(specs)


#: the real-recording grid's rows are at most this wide (tiles shrunk to fit)
REAL_GRID_MAX_PX = 1600


def real_grid_rows(specs: list[dict[str, Any]]) -> list[np.ndarray]:
    """The real-recording grid's rows from :func:`_score_recording`'s ``{"tiles": [(img, text)],
    "aps": bool}``, in aligned columns: a row without an APS frame gets a blank "no APS frame"
    tile where the others have theirs, and every tile is brought to one width (the widest
    sensor's, shrunk so a row fits in :data:`REAL_GRID_MAX_PX`). A DAVIS row beside Prophesee
    rows put its models one column to the right of theirs, under another model's name, and
    sensors of other widths gave columns of other widths."""
    if not specs:
        return []
    any_aps = any(s["aps"] for s in specs)
    rows_tiles = []
    for s in specs:
        tiles = list(s["tiles"])
        if any_aps and not s["aps"]:
            h, w = tiles[0][0].shape[:2]
            tiles.insert(1, (np.full((h, w), 32, np.uint8), "no APS frame"))
        rows_tiles.append(tiles)
    n = max(len(t) for t in rows_tiles)
    tw = max(1, min(max(t[0][0].shape[1] for t in rows_tiles), REAL_GRID_MAX_PX // n))
    return [_tile_row(tiles, tw) for tiles in rows_tiles]


def _score_recording(f: Path, label: str, models: dict[str, torch.nn.Module], num_bins: int, max_windows: int,
                     brisque_frames: int, min_windows: int, warmup: int, table: dict, rows: list,
                     left_out: list[str] = (), progress: bool = False) -> None:
    """One recording of :func:`evaluate_real`, added to its table (whole or not at all), and
    its grid row's tiles to ``rows`` (:func:`real_grid_rows` lays them out); the scores named in
    ``left_out`` (:func:`metrics.unavailable_scores`) are NaN. ``progress``: a bar per model over
    its windows (60 windows of a 1280x720 recording take a CPU model a minute or more, with the
    recordings' bar standing still)."""
    from tqdm import tqdm

    from ..core.render import event_image

    try:
        # the first max(min_windows, max_windows) full windows give the same windows below
        ev, w, h, aps_frames = _read_recording(f, max(min_windows, max_windows), max_windows)
    except EvFocusError as exc:
        log.warning("skipping %s: %s", f, exc)
        table[label] = {"skipped": str(exc)}
        return
    if min(w, h) < M.MIN_SIDE:  # BRISQUE's window does not fit: skipped, as an unreadable file is
        msg = f"{w}x{h} px frames are too small to score (at least {M.MIN_SIDE}x{M.MIN_SIDE})"
        log.warning("skipping %s: %s", f, msg)
        table[label] = {"skipped": msg}
        return
    # E2VID's 0.35 events/pixel, but at least `min_windows` windows (of >= 2000 events)
    # so short recordings still give a sequence to score and a flicker value
    n_win = max(1, min(int(round(0.35 * w * h)), max(2000, len(ev) // min_windows)))
    k = max(1, min(max_windows, len(ev) // n_win))
    wins = [ev[i * n_win:(i + 1) * n_win] for i in range(k)]
    voxels: dict[tuple[int, bool], np.ndarray] = {}
    shown_t_us = int(wins[-1]["t"][-1]) if len(wins[-1]) else 0
    aps = _shown_aps_frame(aps_frames, shown_t_us, w, h, warmup)
    res, tiles = {}, [(event_image(wins[-1], w, h), f"{grid_title(label)}: events")]
    if aps is not None:  # (what the APS table scores against, beside the frames scored)
        tiles.append((aps, "APS frame"))
    for name, m in models.items():
        bins, count = model_num_bins(m, num_bins), model_count_channel(m)
        key = (bins, count)
        if key not in voxels:
            voxels[key] = np.stack([voxel_grid(wv, bins, w, h, count) for wv in wins])
        t0 = time.perf_counter()
        wins_bar = tqdm(voxels[key], desc=f"{name} on {grid_title(label)}", unit="window", leave=False,
                        disable=not progress)
        # (a line now and then without a bar: one slow model on one large recording said nothing for minutes)
        out = run_model(m, _said_now_and_then(wins_bar, f"{name} on {grid_title(label)}"))["image"]
        ms = (time.perf_counter() - t0) * 1000 / len(out)
        frames = [_to_u8(o) for o in out]
        scored = frames[min(warmup, len(frames) - 1):]
        pick = scored[:: max(1, math.ceil(len(scored) / brisque_frames))][:brisque_frames]
        r = {key: float(np.mean([M.no_reference(fr, with_brisque=False)[key] for fr in scored]))
             for key in ("sharpness", "contrast", "noise")}
        r["brisque"] = (math.nan if "BRISQUE" in left_out  # NaN: undefined (flat frames)
                        else _nanmean([M.brisque(fr) for fr in pick]))
        r["niqe"] = (_nanmean([M.niqe(fr) for fr in pick])
                     if min(pick[0].shape[:2]) >= M.NIQE_MIN_SIDE and "NIQE" not in left_out else math.nan)
        r["flicker"] = M.temporal_flicker(scored)
        r["windows"] = len(frames)
        r["ms_per_window"] = ms
        res[name] = r
        tiles.append((frames[-1], name))
    table[label] = res
    rows.append({"tiles": tiles, "aps": aps is not None})


def minmax_normalised(img: np.ndarray) -> np.ndarray:
    """``img`` (uint8, or float in [0, 1]) as float64 stretched to [0, 1] by its own min and
    max: how a reconstruction and a camera frame are brought to one range before they are
    compared (a flat frame: all zeros, it has no structure to stretch)."""
    x = M.as_float(img)
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def _first_aps_frames(src, n: int) -> list:
    """The first ``n`` APS frames of ``src``, read alone where its ``aps_frames`` takes a
    ``limit`` (an .aedat4 file: not up to 512 MiB of frames for the few scored), else all
    of them, cut (a plugin's source that predates ``limit``)."""
    try:
        takes_limit = "limit" in inspect.signature(src.aps_frames).parameters
    except (TypeError, ValueError):  # (no signature to read: call it as every source allows)
        takes_limit = False
    return list(src.aps_frames(limit=n) if takes_limit else src.aps_frames())[:n]


def _shown_aps_frame(frames: list, t_us: int, w: int, h: int, warmup: int) -> np.ndarray | None:
    """The APS frame the real-recording grid shows beside a recording's reconstructions: of
    ``frames`` (those :func:`evaluate_aps` reads) the ones it scores (past ``warmup``), the
    one nearest ``t_us`` (the shown window's end); None without APS frames of the sensor's size."""
    scored = frames[min(warmup, len(frames) - 1):] if frames else []
    near = min(scored, key=lambda f: abs(int(f[0]) - t_us), default=None)
    if near is None or near[1].shape[:2] != (h, w):
        return None
    img = np.asarray(near[1])  # (a plugin's 16-bit frames: stretched, as they are scored)
    return np.ascontiguousarray(img) if img.dtype == np.uint8 else _to_u8(minmax_normalised(img))


def _aps_region(src, t_us: int, w: int, h: int) -> tuple[int, int, int, int]:
    """(x, y, w, h): the part of the ``w`` x ``h`` sensor the APS frame at ``t_us`` covers
    (``EventSource.aps_region``: DV's APS region of interest), the whole sensor by default."""
    fn = getattr(src, "aps_region", None)
    region = fn(t_us) if fn is not None else None
    return tuple(int(v) for v in region) if region is not None else (0, 0, w, h)


def _aps_windows(path: Path, max_frames: int):
    """(APS frames, their windows, width, height, whether the file has an APS stream, the
    sensor region each frame covers) of the first ``max_frames`` APS frames: one window per
    frame, cut as ``--at aps`` cuts them (:class:`~evfocus_live.core.slicing.TimestampSlicer`);
    events are read only up to the last of those frames. No APS stream: (None, None, w, h,
    False, None)."""
    from ..core.slicing import TimestampSlicer
    from ..sources import open_file
    from ..sources.base import read_named

    src = open_file(path)
    try:
        w, h = int(src.width), int(src.height)
        frames = _first_aps_frames(src, max_frames)
        has = bool(getattr(src, "has_aps", False)) or bool(frames)
        if not frames:
            return None, None, w, h, has, None
        regions = [_aps_region(src, t, w, h) for t, _ in frames]
        slicer = TimestampSlicer([t for t, _ in frames])
        windows = []
        while slicer.remaining and (b := read_named(src)) is not None:
            windows += slicer.push(b)
        return frames, windows + slicer.flush(), w, h, True, regions
    finally:
        src.close()


def evaluate_aps(models: dict[str, torch.nn.Module], files: list[Path], num_bins: int = 5, max_windows: int = 60,
                 warmup: int = 3, progress: bool = True) -> dict[str, Any]:
    """Scores against the camera's own APS frames: {file: {"frames": APS frames read,
    "scored": frames scored, "models": {model: {ssim, mse, psnr}}}} for the recordings that
    have an APS stream (others, and unreadable ones, are left out; one whose frames cannot be
    scored: {"skipped": why}).

    Each model runs the recording's APS windows from reset (voxel grids of its own
    ``num_bins``); its frame at each APS time and that APS frame are min-max normalised
    (:func:`minmax_normalised`) and compared, on the part of the sensor the APS frame covers
    (all of it, or DV's APS region of interest: ``EventSource.aps_region``). The first
    ``warmup`` frames are not scored, as in :func:`evaluate_real`; where no frame is scored
    (an APS stream whose frames could not be read) the scores are NaN ("–" in the report)."""
    from tqdm import tqdm

    table: dict[str, Any] = {}
    bar = tqdm(files, desc="eval (APS frames)", unit="file", disable=not progress)
    try:
        for f, label in zip(_said_now_and_then(bar, "eval (APS frames)"), file_labels(files)):
            _score_aps(f, label, models, num_bins, max_windows, warmup, table)
    except KeyboardInterrupt:  # Ctrl-C: the recordings finished so far
        bar.close()
        raise EvalInterrupted(table) from None
    return table


def _score_aps(f: Path, label: str, models: dict[str, torch.nn.Module], num_bins: int, max_windows: int,
               warmup: int, table: dict) -> None:
    """One recording of :func:`evaluate_aps`, added to its table (whole or not at all)."""
    try:
        frames, windows, w, h, has, regions = _aps_windows(f, max_windows)
    except EvFocusError:  # (unreadable: the no-reference table says why; this one lists APS recordings)
        return
    if not has:
        return
    if frames and frames[0][1].shape != (h, w):  # (a plugin's frames of another size: placed where?)
        fh, fw = frames[0][1].shape[:2]
        table[label] = {"skipped": f"APS frames of {fw}x{fh} px, events of {w}x{h}"}
        return
    if frames:  # (the part of the sensor the frames cover: all of it, or DV's APS region of interest)
        small = min(regions, key=lambda r: min(r[2], r[3]))
        if min(small[2], small[3]) < M.MIN_SIDE:
            where = f" (APS region at {small[0]},{small[1]})" if small[2:] != (w, h) else ""
            table[label] = {"skipped": f"{small[2]}x{small[3]} px frames{where} are too small to score "
                                       f"(at least {M.MIN_SIDE}x{M.MIN_SIDE})"}
            return
    # (an APS stream none of whose frames could be read: none)
    frames, windows, regions = frames or [], windows or [], regions or []
    n = len(frames)
    idx = range(min(warmup, n - 1), n) if n else range(0)  # none scored: NaN, "–" in the report
    # each frame is scored on the part of the sensor it covers only (outside: APS_FILL, no image)
    refs = [minmax_normalised(img[y:y + rh, x:x + rw]) for (_, img), (x, y, rw, rh) in zip(frames, regions)]
    res = {}
    for name, m in models.items():
        bins, count = model_num_bins(m, num_bins), model_count_channel(m)
        out = run_model(m, (voxel_grid(win.events, bins, w, h, count) for win in windows))["image"] if n else []
        out = [o for o, win in zip(out, windows) if win.frame]  # (a cut-off part of a window: state only)
        vals = []
        for i in idx:
            x, y, rw, rh = regions[i]
            rec = minmax_normalised(np.clip(out[i][y:y + rh, x:x + rw], 0.0, 1.0))
            vals.append({"ssim": M.ssim(rec, refs[i]), "mse": M.mse(rec, refs[i]), "psnr": M.psnr(rec, refs[i])})
        res[name] = {k: float(np.mean([v[k] for v in vals])) if vals else math.nan for k in APS_KEYS}
    table[label] = {"frames": n, "scored": len(idx), "models": res}


def _stack_rows(rows: list[np.ndarray]) -> np.ndarray:
    wmax = max(r.shape[1] for r in rows)
    return np.concatenate([np.pad(r, ((0, 4), (0, wmax - r.shape[1]), (0, 0)), constant_values=255) for r in rows], 0)


def niqe_cell(value: float | None) -> str:
    """NIQE for a Markdown table: "–" where it was not computed (NaN, or null in the JSON:
    frames too small)."""
    return "–" if value is None or math.isnan(value) else f"{value:.2f}"


def brisque_cell(value: float | None) -> str:
    """BRISQUE for a Markdown table: "–" where it is undefined (NaN, or null in the JSON:
    every scored frame flat), as :func:`niqe_cell` shows NIQE."""
    return "–" if value is None or math.isnan(value) else f"{value:.1f}"


def flicker_cell(value: float | None) -> str:
    """Flicker for a Markdown table: "–" where a recording had one scored window (NaN, or
    null in the JSON): 0.00 would read as no flicker at all."""
    return "–" if value is None or math.isnan(value) else f"{value:.2f}"


def _nanmean(values: list[float]) -> float:
    """The mean of the defined values; NaN (no warning) when none is."""
    ok = [v for v in values if not math.isnan(v)]
    return float(np.mean(ok)) if ok else math.nan


def _strict_json(obj: Any) -> Any:
    """NaN / inf -> null, so that report.json is JSON for every parser, not only Python's."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _strict_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_strict_json(v) for v in obj]
    return obj


def aps_cell(value: float | None, fmt: str) -> str:
    """An APS-frame score for a Markdown table: "–" where no frame was scored (NaN, or null
    in the JSON)."""
    return "–" if value is None or math.isnan(value) else format(value, fmt)


def _ran_on(models: dict[str, Any]) -> dict[str, str]:
    """``device`` and ``precision`` of the torch models scored (called as they are: fp32, no
    autocast), for the report; {} when none is a torch module (a plugin runs its own way)."""
    nets = [m for m in models.values() if isinstance(m, torch.nn.Module)]
    return {"device": str(model_device(nets[0])), "precision": "fp32"} if nets else {}


def markdown_report(gt: dict[str, Any] | None, real: dict[str, Any] | None, model_names: list[str],
                    interrupted: str | None = None, aps: dict[str, Any] | None = None,
                    device: str | None = None) -> str:
    # (where and in what precision: the viewer's default on a CPU with native bf16 is bf16, and
    # a student comparing its frames with these scores did not know which ran here)
    # (on a GPU reconstruct and the viewer run fp16 by default: "as reconstruct does" was wrong there)
    same = ("as `evfocus reconstruct` does; the viewer's `--precision auto` is bf16 on a CPU with native bf16"
            if device == "cpu" else "`evfocus reconstruct` and the viewer run fp16 on a GPU by default; "
            "`--precision fp32` runs as scored here")
    ran = f" The models ran in fp32 on {device} ({same})." if device else ""
    lines = ["# Evaluation report", "", f"Written by evfocus-live {__version__}.{ran}", ""]
    if interrupted:
        lines += [f"**Interrupted (Ctrl-C): {interrupted}.**", ""]
    if gt:
        lines += ["## Synthetic ground truth", "",
                  f"Blur level by the sequence's mean sigma: mild < {MILD_MAX_PX:g} px, moderate < {MODERATE_MAX_PX:g} px, "
                  "severe otherwise; focus-sweep sequences apart. MSE on [0,1] intensities; SSIM: scikit-image defaults. "
                  f"PSNR: the mean over frames of each frame's PSNR, capped at {M.PSNR_MAX_DB:g} dB (a frame equal to its "
                  "reference), so not 10·log10(1/MSE) of the MSE column: capped frames (an in-focus sequence's "
                  "defocused GT) lift a split's mean. "
                  f"References: the {REFERENCE} frame itself, and that frame Wiener-deconvolved with its true mean sigma "
                  f"(noise-to-signal {DECONV_NSR:g}; {DECONV_REFERENCE}): what a perfect defocused frame and a known blur allow. "
                  "MSE, mean matched: each frame's mean set to the ground truth's first — events record brightness "
                  "changes, not the scene's overall level, so this is the part of the MSE a reconstruction can be "
                  "held to.", ""]
        lines += ["| split | model | SSIM ↑ | MSE ↓ | PSNR ↑ | MSE, mean matched ↓ | frames |", "|---|---|---|---|---|---|---|"]
        for split in shown_splits(gt["splits"]):
            for name in [*REFERENCES, *model_names]:
                r = gt["splits"][split].get(name)
                if r:
                    mm = f"{r['mse_mm']:.5f}" if "mse_mm" in r else "–"
                    lines.append(f"| {split} | {name} | {r['ssim']:.4f} | {r['mse']:.5f} | {r['psnr']:.2f} | {mm} | {r['n']} |")
        lines.append("")
        if gt.get("grid"):  # (which frames the PNG shows: a figure needs its source)
            lines += ["grid_synthetic.png (with --out), a row per split: the last frame of "
                      + ", ".join(f"{g['split']}: {g['sequence']} (t = {g['t_us'] / 1e6:g} s)" for g in gt["grid"])
                      + ".", ""]
        ba = gt.get("blur_aware") or {}
        if ba:
            lines += ["Blur-aware outputs (EvFocus): the blur branch's defocused-frame estimate scored against "
                      "the defocused GT frame, and the defocus map's mean absolute error against the "
                      "simulator's per-pixel sigma; the readout is the map as one number, as the viewer "
                      "shows it (weighted by the window's event activity, the truth weighted alike; "
                      "true → read, mean over frames) and its mean absolute error.", "",
                      "| split | model | blur branch SSIM ↑ | blur branch MSE ↓ | defocus map MAE (px) ↓ "
                      "| readout, true → read (px) | readout error (px) ↓ |",
                      "|---|---|---|---|---|---|---|"]
            for split in shown_splits(ba):
                for name, r in ba[split].items():
                    if "sigma_mae_px" in r:
                        mae, rd, err = (f"{r['sigma_mae_px']:.2f}", f"{r['sigma_true_px']:.2f} → {r['sigma_read_px']:.2f}",
                                        f"{r['sigma_read_err_px']:.2f}")
                    else:
                        mae = rd = err = "–"
                    lines.append(f"| {split} | {name} | {r['blur_ssim']:.4f} | {r['blur_mse']:.5f} | {mae} | {rd} | {err} |")
            lines.append("")
        if gt.get("paired"):
            first = model_names[0]
            lines += [f"Paired differences, {first} minus each other model: mean over sequences of the per-sequence "
                      "difference, relative to the other model, and a 95 % bootstrap interval over sequences "
                      "(an interval that contains 0: no measurable difference on this data).", "",
                      "| split | comparison | SSIM diff | SSIM relative | 95 % interval | MSE relative | MSE mean matched, relative | sequences |",
                      "|---|---|---|---|---|---|---|---|"]
            few = False
            for other, diff in gt["paired"].items():
                ds, dm, dmm = diff["ssim"], diff["mse"], diff.get("mse_mm", {})
                for split, r in ds.items():
                    mm = f"{100 * dmm[split]['relative']:+.1f} %" if split in dmm else "–"
                    ci = "–" if r["lo"] is None or math.isnan(r["lo"]) else f"[{r['lo']:+.4f}, {r['hi']:+.4f}]"
                    if ci != "–" and r["sequences"] < FEW_SEQUENCES:  # (a report.json of before: no flag)
                        ci, few = f"{ci} (few)", True
                    lines.append(f"| {split} | {first} − {other} | {r['mean']:+.4f} | {100 * r['relative']:+.1f} % | "
                                 f"{ci} | {100 * dm[split]['relative']:+.1f} % | {mm} | {r['sequences']} |")
            lines.append("")
            if few:
                lines += [f"(few): fewer than {FEW_SEQUENCES} sequences; a bootstrap interval over so few "
                          "means little (evaluate on more sequences to tell a difference from noise).", ""]
    if real:
        lines += ["## Real recordings (no reference)", "",
                  "BRISQUE ↓ and NIQE ↓ (means over the same few frames; – for flat frames, NIQE – for frames under "
                  f"{M.NIQE_MIN_SIDE} px, both – without the 'metrics' extra installed), sharpness = variance of Laplacian ↑ (noise raises it too: a flat, "
                  "noisy frame scores sharp, so read it beside contrast and noise), contrast = std ↑, "
                  "noise = Immerkaer sigma ↓, flicker = mean |Δ mean intensity| between windows ↓ (– for one "
                  "scored window; all on 0-255).", "",
                  "| recording | model | BRISQUE | NIQE | sharpness | contrast | noise | flicker | ms/window |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for fname, res in real.items():
            if "skipped" in res:
                lines.append(f"| {fname} | (skipped: {res['skipped']}) | | | | | | | |")
                continue
            for name, r in res.items():
                lines.append(f"| {fname} | {name} | {brisque_cell(r['brisque'])} | {niqe_cell(r['niqe'])} | {r['sharpness']:.1f} | {r['contrast']:.1f} | "
                             f"{r['noise']:.2f} | {flicker_cell(r['flicker'])} | {r['ms_per_window']:.1f} |")
        lines.append("")
    if aps:
        lines += ["## Real recordings with APS frames", "",
                  "Reconstructions at the times of the camera's own grey-level (APS) frames (the windows of "
                  "`evfocus reconstruct --at aps`) scored against those frames: SSIM (scikit-image defaults), "
                  "MSE and PSNR, with the reconstruction and the APS frame each min-max normalised to [0, 1] "
                  "first (events carry no absolute brightness), on the part of the sensor the APS frame "
                  "covers (DV's APS region of interest, if one was set). The first warm-up frames are not scored "
                  "(a recording with no more frames than that scores its last). Fidelity to the camera's "
                  "frame, not sharpness: with a defocused lens the APS frame is defocused too. "
                  "– : no frame scored.", "",
                  "| recording | model | SSIM ↑ | MSE ↓ | PSNR ↑ | APS frames scored / read |",
                  "|---|---|---|---|---|---|"]
        for fname, res in aps.items():
            if "skipped" in res:
                lines.append(f"| {fname} | (skipped: {res['skipped']}) | | | | |")
                continue
            for name, r in res["models"].items():
                lines.append(f"| {fname} | {name} | {aps_cell(r['ssim'], '.4f')} | {aps_cell(r['mse'], '.5f')} | "
                             f"{aps_cell(r['psnr'], '.2f')} | {res['scored']} / {res['frames']} |")
        lines.append("")
    return "\n".join(lines)


def _short_label(spec: str) -> str:
    p = Path(spec)
    if p.suffix.lower() not in (".pt", ".pth"):
        return spec
    return p.parent.name if p.stem in ("final", "last") and p.parent.name else p.stem


def model_labels(specs: list[str]) -> list[str]:
    """One distinct report label per model given, in order: a name as given; a checkpoint
    by its run folder (``run1/final.pt`` -> ``run1``) or its stem (``x/evfocus.pt`` ->
    ``evfocus``). Where two would read the same, each such checkpoint is labelled by its
    folder and file name (``run1/final.pt``), and what still repeats gets ``#2``, ``#3``..."""
    from collections import Counter

    labels = [_short_label(s) for s in specs]
    counts = Counter(labels)
    labels = [f"{Path(s).parent.name}/{Path(s).name}".lstrip("/") if counts[lab] > 1 and Path(s).suffix.lower() in (".pt", ".pth")
              else lab for s, lab in zip(specs, labels)]
    out: list[str] = []
    for lab in labels:
        new, k = lab, 1
        while new in out or (new != lab and new in labels):
            k += 1
            new = f"{lab} #{k}"
        out.append(new)
    return out


def describe_gt_data(gt_files: list[Path]) -> list[dict[str, Any]]:
    """What the ground-truth sequences are, per folder: their count and size, length, seeds and
    blur range, from each sequence's own seed and config (the simulator's attributes; one entry
    per config where a folder holds sequences of several), else from the folder's
    ``dataset.json``; the model card says it (it described the shipped test set whatever the
    report held). ``dataset.json`` alone named the seeds and options of whatever run wrote it,
    so sequences copied into a folder from other runs were described as that run's."""
    out: list[dict[str, Any]] = []
    by_folder: dict[Path, list[Path]] = {}
    for f in gt_files:
        by_folder.setdefault(f.parent, []).append(f)
    for folder, files in by_folder.items():
        own = {f: _sim_seed_config(f) for f in files}
        groups: dict[str, list[Path]] = {}
        for f in files:
            if own[f] is not None:
                groups.setdefault(json.dumps(own[f][1], sort_keys=True), []).append(f)
        for group in groups.values():
            entry = {"folder": str(folder), "sequences": len(group), **_config_entry(own[group[0]][1]),
                     "seeds": sorted(own[f][0] for f in group)}
            out.append(entry)
        rest = [f for f in files if own[f] is None]
        if not rest:
            continue
        entry = {"folder": str(folder), "sequences": len(rest)}
        try:
            ds = json.loads((folder / "dataset.json").read_text())
            seeds = {s.get("h5"): s.get("seed") for s in ds.get("sequences") or []}
            entry.update({**_config_entry(ds.get("config") or {}),
                          "seeds": sorted(seeds[f.name] for f in rest if seeds.get(f.name) is not None)})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # not the simulator's folder (or an older one): the count alone
        out.append(entry)
    return out


def _config_entry(cfg: dict[str, Any]) -> dict[str, Any]:
    """The parts of a simulator config :func:`describe_gt_data` records (KeyError without a size)."""
    entry = {"resolution": f"{cfg['width']}x{cfg['height']}", "duration_s": cfg.get("duration_s"),
             "sigma_range": cfg.get("sigma_range"), "focus_sweep": bool(cfg.get("focus_sweep"))}
    if cfg.get("images"):  # (simulate --images: the user's pictures, not the bundled ones)
        entry["images"] = len(cfg["images"])
    return entry


def _sim_seed_config(path: Path) -> tuple[int, dict[str, Any]] | None:
    """(seed, config) the simulator recorded in sequence ``path``; None for a file without them."""
    from ..sources.hdf5_file import _H5_ERRORS, import_h5py

    try:
        with import_h5py().File(path, "r") as f:
            seed, cfg = int(f.attrs["seed"]), json.loads(f.attrs["sim_config"])
        return (seed, cfg) if isinstance(cfg, dict) and "width" in cfg and "height" in cfg else None
    except (*_H5_ERRORS, json.JSONDecodeError):
        return None


def _warn_training_data(specs: dict[str, str], gt_files: list[Path]) -> None:
    """Warn where a checkpoint's recorded ``[data] train`` folder holds sequences being scored:
    there a score measures fitting, not generalisation. The folders as the run resolved them
    (``train_data_abs``); a checkpoint from before it records them as written, relative paths
    taken as from here (from another folder they missed the training data, or named another)."""
    from ..nn.registry import read_checkpoint

    for label, spec in specs.items():
        if Path(spec).suffix.lower() not in (".pt", ".pth") or not Path(spec).is_file():
            continue
        try:
            meta = read_checkpoint(spec).get("meta") or {}
            train = (meta.get("train_config") or {}).get("data", {}).get("train")
            resolved = meta.get("train_data_abs")
        except Exception:  # noqa: BLE001 - a hint only; loading the model reports a bad file
            continue
        folders = [train] if isinstance(train, str) else list(train or [])
        if isinstance(resolved, list) and len(resolved) == len(folders):
            pairs = list(zip(folders, resolved))
        else:
            pairs = [(f, f) for f in folders]
        for folder, where in pairs:
            if not isinstance(where, str) or not Path(where).exists():
                continue
            root = Path(where).resolve()
            seen = [f for f in gt_files if f.resolve() == root or f.resolve().parent == root]
            if seen:
                log.warning("%s was trained on %s: %d of the sequences scored are from there (its training data; "
                            "its scores on them measure fitting, not generalisation)", label, folder, len(seen))
            _warn_same_simulation(label, folder, root, [f for f in gt_files if f not in seen])


def _warn_repeated_sequences(gt_files: list[Path]) -> None:
    """Warn where two sequences scored were simulated with the same seed and options (test sets
    made with overlapping seeds, --seed 100 and --seed 101, each --sequences 3): one scene
    scored twice weighs double in every mean and in the paired comparison, as a file given
    twice would (that one is scored once)."""
    first: dict[str, Path] = {}
    pairs = []
    for f in gt_files:
        key = sim_identity(f)
        if key is None:
            continue
        if key in first:
            pairs.append((first[key], f))
        else:
            first[key] = f
    if pairs:
        shown = ", ".join(f"{a.parent.name}/{a.name} = {b.parent.name}/{b.name}" for a, b in pairs[:3])
        log.warning("%d of the sequences scored repeat another one (same seed and options: the same scene, "
                    "weighing double in every mean): %s%s; give each test set seeds the others do not cover",
                    len(pairs), shown, ", ..." if len(pairs) > 3 else "")


def sim_identity(path: Path) -> str | None:
    """The simulator's seed and options of sequence ``path`` as one string (None for a file
    the simulator did not write): two sequences with the same one hold the same scene, the
    simulator being deterministic per seed, whatever their folders or names."""
    got = _sim_seed_config(path)
    return None if got is None else json.dumps(list(got), sort_keys=True)


def scene_fingerprint(path: Path) -> str | None:
    """A digest of sequence ``path``'s first sharp frame (None for a file without one, or a
    flat one): two sequences with the same one show the same scene. The simulator draws a
    scene's textures and layout from the seed and size before the blur range, length or
    speed are used, so a test set made with training's seeds and another --sigma-range or
    --duration shows training's scenes: comparing seeds and every option missed it."""
    import hashlib

    from ..sources.hdf5_file import _H5_ERRORS, import_h5py

    try:
        with import_h5py().File(path, "r") as f:
            first = np.asarray(f["frames/sharp"][0])
    except _H5_ERRORS:
        return None
    if first.size == 0 or first.min() == first.max():  # (flat frames alike are no same scene)
        return None
    return hashlib.sha1(repr(first.shape).encode() + first.tobytes()).hexdigest()


def _warn_same_simulation(label: str, folder: str, root: Path, gt_files: list[Path]) -> None:
    """Warn where sequences scored from another folder show the scenes of training sequences
    (:func:`scene_fingerprint`): sequence i gets seed SEED+i, so a test set made with --seed 2
    beside a training set made with --seed 0 shares all but two of its scenes with it, whatever
    its blur range or length, and scored them as held-out data with no word said."""
    from .dataset import list_sequences

    if not gt_files or root.is_file():
        return
    try:
        train_ids = {i for f in list_sequences(root) if (i := scene_fingerprint(f)) is not None}
    except (EvFocusError, OSError):  # (a hint only: a training folder that went away or changed)
        return
    same = [f for f in gt_files if (i := scene_fingerprint(f)) is not None and i in train_ids]
    if same:
        names = ", ".join(f"{f.parent.name}/{f.name}" for f in same[:3]) + (", ..." if len(same) > 3 else "")
        log.warning("%s was trained on %s: %d of the sequences scored (%s) show the same scenes as sequences there "
                    "(simulated with their seeds and size, whatever the blur range or length), so they are its "
                    "training scenes under other names (sequence i gets seed SEED+i: give a test set seeds that "
                    "training's SEED..SEED+N-1 does not cover)", label, folder, len(same), names)


def unique_models(specs: list[str]) -> list[str]:
    """The models given, each once (a name, or a file by any path to it), in order: the same
    model twice would run twice and be compared with itself; a warning names each repeat.
    A checkpoint whose bytes are another's given before (a copy: the same sha256; a shipped
    name's weights too) is that model again, evaluated once with a warning naming both:
    its rows would repeat the other's (they were labelled ``final.pt`` and ``final.pt #2``
    without a word that they were one model)."""
    seen: set[str] = set()
    kept: dict[int, list[tuple[str, Path]]] = {}  # file size -> (spec, file) of the models kept
    digests: dict[Path, str] = {}
    out = []
    for s in specs:
        file = _weights_file(s)
        key = str(file.resolve()) if file is not None and Path(s).suffix.lower() in (".pt", ".pth") else s
        if key in seen:
            log.warning("model %s given twice: evaluated once", s)
            continue
        if file is not None:
            try:
                size = file.stat().st_size
                same = next((o for o, f in kept.get(size, []) if _sha256(f, digests) == _sha256(file, digests)), None)
            except OSError:  # (unreadable: its loader says so)
                size, same = -1, None
            if same is not None:
                log.warning("model %s holds the same bytes as %s (sha256 %s...): one model, evaluated once", s, same,
                            digests[file][:12])
                continue
            kept.setdefault(size, []).append((s, file))
        seen.add(key)
        out.append(s)
    return out


def _weights_file(spec: str) -> Path | None:
    """The file a model spec loads its weights from (a checkpoint path, a shipped name's file),
    None for a plugin, a missing file or anything else (its loader says what is wrong)."""
    from ..nn.registry import SHIPPED, shipped_path

    try:
        if Path(spec).suffix.lower() in (".pt", ".pth"):
            return Path(spec).expanduser() if Path(spec).expanduser().is_file() else None
        return shipped_path(spec) if SHIPPED.get(spec) else None
    except (EvFocusError, OSError):
        return None


def _sha256(path: Path, digests: dict[Path, str]) -> str:
    """``path``'s sha256, read once (``digests`` keeps it)."""
    from ..nn.registry import sha256_file

    if path not in digests:
        digests[path] = sha256_file(path)
    return digests[path]


def _names(value) -> list[str]:
    """``evaluate``'s models or data as a list of str: one name or path alone is taken as a list
    of it (a bare string was iterated letter by letter: "unknown model 'f'" for "firenet")."""
    if isinstance(value, str | os.PathLike):
        value = [value]
    return [os.fspath(v) if isinstance(v, os.PathLike) else v for v in value]


def _write_report(out: Path, report: dict[str, Any], grids: dict[str, np.ndarray]) -> None:
    """``report.md``, ``report.json`` and the grids into ``out``, the earlier report moved aside;
    a Ctrl-C or SIGTERM meanwhile waits for the end (it cut a file short, or left the earlier
    report moved and none in its place)."""
    import signal

    from ..cli.signals import held_signals

    out.mkdir(parents=True, exist_ok=True)
    body = _strict_json({k: v for k, v in report.items() if k != "markdown"})
    with held_signals((signal.SIGINT, signal.SIGTERM)):
        _move_earlier_report(out)
        (out / "report.md").write_text(report["markdown"])
        (out / "report.json").write_text(json.dumps(body, indent=2, allow_nan=False))
        for name, img in grids.items():
            cv2.imwrite(str(out / name), img)
        for name in {n for n in OUTPUT_FILES if n.startswith("grid_")} - set(grids):  # a previous run's grid beside
            (out / name).unlink(missing_ok=True)  # this report would pass for this run's


def _refuse_no_event_file(real_files: list[Path], data: list[str]) -> None:
    """One error line, before any scoring, where no recording is an event file by its content
    (``--data final.pt``): a "skipping" warning, then the error saying it again, came after."""
    from ..sources import detect_format

    first = None
    for f in real_files:
        try:
            detect_format(f)
            return
        except EvFocusError as exc:
            first = first or exc
    if first is not None:
        raise InputError(str(first) if len(real_files) == 1 else
                         f"no readable event file in {', '.join(map(str, data))} (first: {first})")


def _move_earlier_report(out: Path) -> None:
    """An earlier eval's report in ``out`` goes aside as ``report.prev.md``, ``report.prev.json``, ...
    (one generation, as ``evfocus train`` keeps a used folder's logs): a second run with other
    models or data replaced it without a word, hours of scoring ``evfocus-full`` lost. A grid with
    no report beside it is not one: it is removed after the writing, as before."""
    if not any((out / n).is_file() for n in ("report.md", "report.json")):
        return
    prev = [out / f"{Path(n).stem}.prev{Path(n).suffix}" for n in OUTPUT_FILES]
    older = [p for p in prev if p.is_file()]
    for p in older:  # (the run before the earlier one: a grid it left would pass for the earlier report's)
        p.unlink()
    earlier = [out / n for n in OUTPUT_FILES if (out / n).is_file()]
    for f in earlier:
        f.replace(f.with_name(f"{f.stem}.prev{f.suffix}"))
    if earlier:
        log.info("moved the earlier report aside: %s%s", ", ".join(f"{f.stem}.prev{f.suffix}" for f in earlier),
                 " (replacing the older one there)" if older else "")


def evaluate(model_specs: list[str], data: list[str], out_dir: str | Path | None = None, num_bins: int = 5,
             warmup: int = 3, max_windows: int = 60, device: str = "cpu", progress: bool = True) -> dict[str, Any]:
    """Load models by name/path, evaluate on ``data``, write report.md/.json and PNG grids.

    ``model_specs`` and ``data`` are lists of names / paths (``str`` or ``Path``), or one alone.

    Every model given (a repeat once: :func:`unique_models`) gets its own rows (labels:
    :func:`model_labels`) and voxel grids of its config's ``num_bins`` (``num_bins`` is the
    fallback for models without one).
    Ctrl-C while sequences or recordings are scored: the report of those finished, with
    ``interrupted`` saying how far it got, is written all the same, then
    :class:`EvalInterrupted` carries it (``.report``)."""
    from ..nn.registry import load_model

    if warmup < 0:
        raise ConfigError(f"warmup must be >= 0 windows, got {warmup}")
    if max_windows < 1:
        raise ConfigError(f"max_windows must be >= 1, got {max_windows}")
    model_specs, data = unique_models(_names(model_specs)), _names(data)
    models = {}
    labels = model_labels(model_specs)
    for spec, label in zip(model_specs, labels):
        models[label] = load_model(spec, device)
    gt_files, real_files = expand_data(data)
    if not gt_files:
        _refuse_no_event_file(real_files, data)
    _warn_training_data(dict(zip(labels, model_specs)), gt_files)
    _warn_repeated_sequences(gt_files)
    report: dict[str, Any] = {VERSION_KEY: __version__,  # (which evfocus-live scored it: metrics change between versions)
                              "models": model_specs, "labels": dict(zip(labels, model_specs)), "warmup_windows": warmup,
                              **_ran_on(models),
                              "thresholds_px": {"mild_max": MILD_MAX_PX, "moderate_max": MODERATE_MAX_PX}}
    if gt_files:
        report["gt_data"] = describe_gt_data(gt_files)
    gt = real = aps = None
    grids = {}
    stopped = None  # Ctrl-C: what was finished goes in the report, marked
    if gt_files:
        try:
            gt, rows = evaluate_ground_truth(models, gt_files, num_bins, warmup, progress)
        except EvalInterrupted as stop:
            gt, rows = stop.result
            stopped = f"{len(gt['sequences'])} of {len(gt_files)} ground-truth sequences scored" + (
                f", none of {len(real_files)} recordings" if real_files else "")
        report["ground_truth"] = gt
        if rows:
            grids["grid_synthetic.png"] = _stack_rows(rows)
    if real_files and stopped is None:
        try:
            real, rows = evaluate_real(models, real_files, num_bins, max_windows, progress=progress, warmup=warmup)
        except EvalInterrupted as stop:
            real, rows = stop.result
            stopped = (f"{'all ground-truth sequences, ' if gt_files else ''}"
                       f"{len(real)} of {len(real_files)} recordings evaluated")
        if stopped is None and not gt_files and all("skipped" in r for r in real.values()):  # nothing was evaluated
            raise InputError(f"no readable event file in {', '.join(map(str, data))} "
                             f"(first: {next(iter(real.values()))['skipped']})")
        report["real"] = real
        if rows:
            grids["grid_real.png"] = _stack_rows(rows)
    if real_files and stopped is None:
        try:
            aps = evaluate_aps(models, real_files, num_bins, max_windows, warmup, progress)
        except EvalInterrupted as stop:
            aps = stop.result
            stopped = (f"{'all ground-truth sequences, ' if gt_files else ''}all {len(real_files)} recordings, "
                       f"APS frames of {len(aps)} of them")
        if aps:
            report["real_aps"] = aps
    if stopped is not None:
        report["interrupted"] = stopped
    report["markdown"] = markdown_report(gt, real, list(models), stopped, aps, device=report.get("device"))
    if out_dir is not None:
        _write_report(Path(out_dir), report, grids)
    if stopped is not None:
        raise EvalInterrupted(report=report)
    return report
