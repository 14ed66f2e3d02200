"""Model cards: ship a trained checkpoint into ``models/`` with a Markdown card.

``python -m evfocus_live.train.card NAME RUN [CONFIG] [--report report.json] [--label LABEL] [--notes notes.md] [--int8]``
copies ``RUN/final.pt`` (or RUN itself, a .pt file) to ``models/NAME.pt`` — as int8 with
``--int8``, for the full-width models that would not fit in 20 MB otherwise; weights only
either way: a resumable ``last.pt`` ships without its optimiser and data state, as
``final.pt`` would, and a weights-only file is copied byte for byte — and writes
``models/NAME.md`` (config, data recipe, steps, wall time, hardware, held-out and
real-data metrics, sha256). CONFIG, the training config the card names, is optional (the
run's settings are in the checkpoint's meta either way); when given it must exist.
``models/`` is the registry's folder (``$EVFOCUS_MODELS_DIR`` overrides it). The card is
built in full before either file is replaced, so a card and its ``.pt`` always match.
Bad input (a missing RUN or CONFIG, a ``--label`` the report lacks, a NAME that is not a
plain file name, a ``models/`` that cannot be written) ends with one line and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shlex
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import torch

from ..errors import ConfigError, EvFocusError, InputError
from ..nn.registry import (configs_dir, load_checkpoint, models_dir, read_checkpoint, save_checkpoint, sha256_file,
                           shipped_models_dir)
from ..versions import VERSION_KEY, written_by
from .evaluate import REFERENCE, REFERENCES, niqe_cell, shown_splits


def _num(value: Any, spec: str) -> str:
    """A number for the card; "n/a" where the report has none (null: NaN or inf in the
    evaluation, which writes strict JSON) or the value is NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return format(value, spec)


def report_labels(report: dict[str, Any]) -> list[str]:
    """The model labels a report holds (ground-truth and real-data tables; not the references)."""
    labels: dict[str, None] = dict.fromkeys(report.get("labels") or {})
    for by_model in (report.get("ground_truth") or {}).get("splits", {}).values():
        labels.update(dict.fromkeys(by_model))
    for res in (report.get("real") or {}).values():
        if isinstance(res, dict) and "skipped" not in res:
            labels.update(dict.fromkeys(res))
    return [k for k in labels if k not in REFERENCES]


def _gt_table(report: dict[str, Any], label: str, shown: str) -> list[str]:
    """The model's rows (labelled ``label`` in the report, shown as ``shown``) beside the reference's."""
    splits = report.get("ground_truth", {}).get("splits", {})
    lines = ["| split | model | SSIM ↑ | MSE ↓ | PSNR ↑ | frames |", "|---|---|---|---|---|---|"]
    for split in shown_splits(splits):
        for name in (REFERENCE, label):
            r = splits[split].get(name)
            if r:
                lines.append(f"| {split} | {shown if name == label else name} | {_num(r.get('ssim'), '.4f')} "
                             f"| {_num(r.get('mse'), '.5f')} | {_num(r.get('psnr'), '.2f')} | {r.get('n')} |")
    return lines


def _defocus_table(report: dict[str, Any], label: str) -> list[str]:
    """EvFocus's defocus map and the viewer's readout against the simulator's sigma (empty
    for models without one)."""
    ba = report.get("ground_truth", {}).get("blur_aware") or {}
    rows = [(split, ba[split][label]) for split in shown_splits(ba) if "sigma_mae_px" in ba[split].get(label, {})]
    if not rows:
        return []
    lines = ["| split | defocus map MAE (px) ↓ | readout, true → read (px) | readout error (px) ↓ |", "|---|---|---|---|"]
    for split, r in rows:
        rd = (f"{_num(r.get('sigma_true_px'), '.2f')} → {_num(r['sigma_read_px'], '.2f')}"
              if "sigma_read_px" in r else "–")
        err = _num(r["sigma_read_err_px"], ".2f") if "sigma_read_err_px" in r else "–"
        lines.append(f"| {split} | {_num(r['sigma_mae_px'], '.2f')} | {rd} | {err} |")
    return lines


def _real_table(report: dict[str, Any], label: str) -> list[str]:
    real = report.get("real", {})
    lines = ["| recording | BRISQUE ↓ | NIQE ↓ | sharpness ↑ | contrast ↑ | noise ↓ | flicker ↓ | ms/window |",
             "|---|---|---|---|---|---|---|---|"]
    for fname, res in real.items():
        r = res.get(label)
        if r:
            lines.append(f"| {fname} | {_num(r.get('brisque'), '.1f')} | {niqe_cell(r.get('niqe', math.nan))} "
                         f"| {_num(r.get('sharpness'), '.1f')} | {_num(r.get('contrast'), '.1f')} "
                         f"| {_num(r.get('noise'), '.2f')} | {_num(r.get('flicker'), '.2f')} "
                         f"| {_num(r.get('ms_per_window'), '.1f')} |")
    return lines


def _bptt(data: dict[str, Any]) -> str:
    L, chunk = data.get("seq_len"), data.get("tbptt")
    text = (f"truncated BPTT in chunks of {chunk} windows (state carried between chunks)" if chunk and chunk < L
            else "back-propagated through the whole item (state from zero)")
    skip = data.get("loss_skip", 0)
    return text + (f", first {skip} windows after a reset not scored" if skip else "")


def _storage(ck: dict[str, Any]) -> str:
    if ck.get("int8_scales"):
        return "weights int8 per output channel, the rest float16; dequantised to float32 on load"
    dtypes = {str(v.dtype).replace("torch.", "") for v in ck["state_dict"].values() if v.is_floating_point()}
    return "/".join(sorted(dtypes))


def _hardware(meta: dict[str, Any]) -> str:
    """The machine and the precision the run trained in: a CPU run is bf16 autocast too where
    the CPU has native bf16 (``[train] amp = "auto"``), so its thread count alone did not say."""
    hw = meta.get("hardware") or "2-core x86 CPU shared with other jobs, no GPU"
    amp = meta.get("amp")  # absent in a meta from before runs recorded it: fp32 then, on a CPU
    precision = "" if amp is None else ", fp32" if amp == "off" else f", {amp} autocast"
    if str(meta.get("device", "")).startswith("cuda"):  # ("off autocast" for amp = "off")
        return f"{hw}{precision or ', fp32 autocast'} (models/train_gpu.sh)"
    return f"{hw}, {meta.get('torch_threads')} thread(s){precision}"


def training_stages(meta: dict[str, Any], config_path: Path | None = None) -> list[dict[str, Any]]:
    """The training stages behind a checkpoint, first to last (``--init`` chains them:
    each run's meta records the one it started from under ``init``)."""
    chain, m = [], meta
    while m:
        chain.append({"step": m.get("step"), "wall_s": m.get("wall_s"), "hardware": m.get("hardware"),
                      "lr": m.get("lr", m.get("train_config", {}).get("train", {}).get("lr")),
                      "trainable": m.get("trainable", m.get("train_config", {}).get("train", {}).get("trainable")),
                      "average_of": m.get("average_of"), "grafted": m.get("grafted")})
        m = m.get("init") or None
    chain.reverse()
    # a first stage recorded before runs kept their rate: the config's (later stages of the same
    # config change only the rate, with --lr) — not that of a head trained on a frozen network,
    # which is another config and says nothing of the first stage
    own = not any(st["trainable"] for st in chain)
    if own and chain and chain[0]["lr"] is None and config_path is not None and config_path.is_file():
        from .trainer import load_config

        chain[0]["lr"] = load_config(config_path)["train"]["lr"]
    return chain


def _mean_text(srcs: list[dict[str, Any]]) -> str:
    """The sources of an ``average``: "the mean of the weights at the ends of stages 3, 4, 5",
    or, where a source was itself a mean, "the mean of: the mean of stages 3, 4, 5; stage 6's
    end; stage 7's end"."""
    if not any(s.get("average_of") for s in srcs):
        return "the mean of the weights at the ends of stages " + ", ".join(str(s.get("stages")) for s in srcs)
    parts = [("the mean of stages " + ", ".join(str(a.get("stages")) for a in s["average_of"]))
             if s.get("average_of") else f"stage {s.get('stages')}'s end" for s in srcs]
    return "the mean of: " + "; ".join(parts)


def _prefixes(grafted: dict[str, Any]) -> str:
    return ", ".join(f"`{p}`" for p in grafted["prefixes"])


def _source(stage: dict[str, Any], k: int) -> str:
    """What a stage started from: stage k's weights, the mean that ``average`` made of them,
    or stage k's weights with a part that ``graft`` took from an earlier stage."""
    avg, g = stage.get("average_of"), stage.get("grafted")
    if avg:
        return _mean_text(avg)
    if g:
        return f"stage {k}'s weights with {_prefixes(g)} from stage {g['stages']}'s end, `python -m evfocus_live.train.graft`"
    return f"stage {k}'s weights"


def total_steps(stages: list[dict[str, Any]]) -> int:
    """Steps over all of a checkpoint's training stages."""
    return sum(int(st.get("step") or 0) for st in stages)


def _config_line(config_path: Path | None, n_stages: int, name: str, dst: Path) -> str:
    """The card's config line. A later stage's config trains from the previous stage's weights:
    "run: evfocus train CONFIG" without --init started it from scratch, on data not there, and
    the card never said how to fine-tune the shipped weights."""
    if config_path is None:
        return "- config: not named (the run's settings: the checkpoint's meta, `train_config`)"
    shown = _shown_config(config_path)
    if n_stages <= 1:
        return f"- config: `{shown}` (run: `evfocus train {shown}`)"
    init = shlex.quote(str(dst)) if os.environ.get("EVFOCUS_MODELS_DIR") else name
    return (f"- config: `{shown}` (its last stage, run from the previous stage's weights: `evfocus train {shown} "
            f"--init PREVIOUS.pt`; to fine-tune these weights on your own data: `evfocus train my.toml --init {init}` "
            "with this config's `[model]`, README \"Fine-tuning a shipped model\")")


def write_card(name: str, src: Path, config_path: Path | None, report: dict[str, Any] | None, label: str,
               notes: str = "", int8: bool = False) -> Path:
    """Ship ``src`` as ``models/NAME.pt`` with its card ``models/NAME.md``; returns the card.

    Both files are written beside their targets first and put in place only once the
    card is complete: a failure leaves what was there before untouched."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) or name.endswith(".pt"):
        # the registry looks up models/NAME.pt: "a/b" failed with a traceback, "../x" wrote outside models/
        raise ConfigError(f"model name {name!r}: letters, digits, '.', '_' and '-' only, no folder and no .pt "
                          "(it becomes models/NAME.pt and NAME.md)")
    src = Path(src)
    if src.is_dir() and not (src / "final.pt").is_file() and (src / "last.pt").is_file():
        # an interrupted run has no final.pt yet: "checkpoint not found: RUN/final.pt" left the way on unsaid
        raise ConfigError(f"{src} holds no final.pt, only last.pt (a run stopped before its end): finish it with "
                          f"evfocus train CONFIG --resume, or ship it as it is: {src / 'last.pt'}")
    src = src / "final.pt" if src.is_dir() else src
    if config_path is not None and not Path(config_path).is_file():
        raise ConfigError(f"config {config_path} not found" + (" (a folder)" if Path(config_path).is_dir() else ""))
    if report is not None:
        present = report_labels(report)
        if label not in present:
            raise ConfigError(f"label {label!r} is not in the report (labels there: "
                              f"{', '.join(present) if present else 'none'}); pick one with --label")
    ck = read_checkpoint(src)
    loaded = load_checkpoint(src)  # must load strictly before it ships
    folder = models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    dst, card = folder / f"{name}.pt", folder / f"{name}.md"
    tmp_pt, tmp_card = dst.with_name(dst.name + ".part"), card.with_name(card.name + ".part")
    try:
        _ship_weights(src, tmp_pt, loaded, ck, int8)
        tmp_card.write_text(_card_text(name, dst, tmp_pt, ck, config_path, report, label, notes))
        os.replace(tmp_pt, dst)
        os.replace(tmp_card, card)
    finally:
        for t in (tmp_pt, tmp_card):
            t.unlink(missing_ok=True)
    return card


#: a shipped checkpoint's keys (``final.pt``'s layout; ``int8_scales`` with --int8)
WEIGHT_KEYS = ("arch", "config", "state_dict", "meta", "int8_scales", VERSION_KEY)


def _ship_weights(src: Path, tmp: Path, loaded: torch.nn.Module, ck: dict[str, Any], int8: bool) -> None:
    """The weights of ``src`` into ``tmp``. A last.pt's optimiser and data state (3x the
    weights) stay behind; a file that holds nothing else is copied byte for byte, so that a
    shipped sha256 is that of the run's file."""
    if int8:
        save_checkpoint(tmp, loaded, ck["meta"], int8=True)
    elif set(ck) <= set(WEIGHT_KEYS):
        shutil.copyfile(src, tmp)
    else:
        torch.save({k: ck[k] for k in WEIGHT_KEYS if k in ck}, tmp)


def _card_text(name: str, dst: Path, shipped: Path, ck: dict[str, Any], config_path: Path | None,
               report: dict[str, Any] | None, label: str, notes: str) -> str:
    """The card's Markdown for the weights in ``shipped`` (that will be ``dst``)."""
    meta = ck["meta"]
    tc = meta.get("train_config", {})
    model = load_checkpoint(shipped)
    stages = training_stages(meta, config_path)
    steps = [f"steps: {meta.get('step')}, wall time: {(meta.get('wall_s') or 0) / 60:.1f} min, last-batch training loss "
             f"{_num(meta.get('loss'), '.4f')}"]
    lr_text = f"Adam lr {tc.get('train', {}).get('lr')} (cosine)"
    if len(stages) > 1:
        lr_text = "Adam, a cosine schedule per stage"
        steps = [f"stage {k}: {st.get('step')} steps, {(st.get('wall_s') or 0) / 60:.1f} min on "
                 f"{st.get('hardware') or 'the 2-core CPU'}, peak lr {st.get('lr') or '?'}"
                 + (f" (from {_source(stages[k - 2], k - 1)}, fresh optimiser)" if k > 1 else "")
                 + (f"; only {', '.join(f'`{p}`' for p in st['trainable'])} trained, the rest frozen"
                    if st.get("trainable") else "")
                 for k, st in enumerate(stages, 1)]
        steps[-1] += f"; last-batch training loss {_num(meta.get('loss'), '.4f')}"
        steps.append(f"total: {total_steps(stages)} steps")
    if meta.get("average_of"):  # evfocus_live.train.average
        srcs = meta["average_of"]
        steps.append(f"weights: {_mean_text(srcs)} ("
                     + ", ".join(str(s.get("steps")) for s in srcs) + " steps; stochastic weight averaging, "
                     "`python -m evfocus_live.train.average`)")
    if meta.get("grafted"):  # evfocus_live.train.graft
        g = meta["grafted"]
        steps.append(f"weights: {_prefixes(g)} ({g['params']:,} parameters) from stage "
                     f"{g['stages']}'s end ({g['steps']} steps), the rest from the last stage's end "
                     "(`python -m evfocus_live.train.graft`)")
    lines = [
        f"# Model card: `{name}`", "",
        notes.strip(), "",
        "## Architecture", "",
        f"- arch `{ck['arch']}`, {model.num_parameters():,} parameters, file {shipped.stat().st_size / 1e6:.2f} MB "
        f"({_storage(read_checkpoint(shipped))})",
        f"- config: `{json.dumps(ck['config'])}`",
        "",
        "## Training", "",
        _config_line(config_path, len(stages), name, dst),
        f"- data{f' (stage {len(stages)})' if len(stages) > 1 else ''}: `{tc.get('data', {}).get('train')}` — "
        f"{meta.get('dataset_sequences')} simulated sequences, "
        f"{meta.get('dataset_windows')} windows ({_train_data_text(meta)})",
        f"- {'last stage: ' if len(stages) > 1 else ''}seq_len {tc.get('data', {}).get('seq_len')}, batch {tc.get('data', {}).get('batch_size')}, "
        f"crop {tc.get('augment', {}).get('crop')} px, {lr_text}, "
        f"{_bptt(tc.get('data', {}))}, training seed {tc.get('train', {}).get('seed')}",
        *[f"- {s}" for s in steps],
        f"- hardware: {_hardware(meta)}; torch {meta.get('torch_version', torch.__version__)}",
        # (weights from before the version was recorded, the shipped ones too: no line)
        *([f"- written by {written_by(ck[VERSION_KEY])}"] if ck.get(VERSION_KEY) else []),
        "",
    ]
    if report:
        lines += ["## Held-out synthetic test set", "",
                  f"{_test_set_text(report)} First "
                  f"{report.get('warmup_windows', 3)} windows after reset not scored. "
                  "'defocused GT' = the blurred ground-truth frame scored against the sharp one.", ""]
        lines += _gt_table(report, label, name) + [""]
        defocus = _defocus_table(report, label)
        if defocus:
            lines += ["Defocus map against the simulator's per-pixel sigma, and the viewer's readout (the map "
                      "weighted by event activity, `evfocus_live.core.defocus`; the truth weighted alike):", ""]
            lines += defocus + [""]
        if report.get("real"):
            lines += ["## Real recordings (no reference; in focus, so they test generalisation, not deblurring)", ""]
            lines += _real_table(report, label)
            lines += ["", "Windows of 0.35 events/pixel, or smaller so that each recording gives >= 12 windows. "
                      "ms/window here comes from the evaluation run (1 thread, machine under load, first-call "
                      "overhead included); see the speed section / `bench/bench_models.py` for timings.", ""]
    lines += ["## File", "", f"- `{_shown_weights(dst)}`", f"- sha256: `{sha256_file(shipped)}`", ""]
    return "\n".join(lines)


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().parent == folder.resolve()
    except OSError:
        return False


def _shown_config(config_path: Path) -> str:
    """A shipped recipe as ``models/configs/NAME``; any other config as given (a student's
    ``my.toml`` was named ``models/configs/my.toml``, a file that does not exist)."""
    return f"models/configs/{config_path.name}" if _inside(config_path, configs_dir()) else str(config_path)


def _shown_weights(dst: Path) -> str:
    """The card's weight file: ``models/NAME.pt`` in the shipped folder, else where it was written."""
    return f"models/{dst.name}" if _inside(dst, shipped_models_dir()) else str(dst)


def _train_data_text(meta: dict[str, Any]) -> str:
    """What the run trained on, from its folders' ``dataset.json`` where the run recorded them
    (``train_data_abs``) and they are still there; else where the recipe is (the shipped
    configs say it in a comment; a student's own config did not, and the card pointed there)."""
    from .evaluate import describe_gt_data

    folders = meta.get("train_data_abs")
    found = []
    for folder in folders if isinstance(folders, list) else []:
        files = sorted(Path(folder).glob("seq_*.h5")) if Path(folder).is_dir() else []
        found += [d for d in describe_gt_data(files) if d.get("resolution")]
    if not found:
        return "recipe in the config's comment; simulator seeds = seed + i"
    return "; ".join(f"{d['resolution']}, {d.get('duration_s')} s each{_seeds(d.get('seeds') or [])}"
                     + (f", sigma {d['sigma_range'][0]:g}-{d['sigma_range'][1]:g} px"
                        if isinstance(d.get("sigma_range"), list) and len(d["sigma_range"]) == 2 else "")
                     + (", focus sweep" if d.get("focus_sweep") else "") for d in found)


def _seeds(seeds: list[int]) -> str:
    if not seeds:
        return ""
    run = seeds == list(range(seeds[0], seeds[0] + len(seeds)))
    return (f", simulator seed{'s' if len(seeds) > 1 else ''} "
            + (f"{seeds[0]}-{seeds[-1]}" if run and len(seeds) > 1 else ", ".join(map(str, seeds))))


#: the held-out set every shipped card's report scored (models/EVALUATION.md's recipe)
SHIPPED_TEST_SET_TEXT = ("12 sequences at 346x260, 1.5 s each, simulator seeds 100-102 (mild, sigma 0.5-2 px), "
                         "200-202 (moderate, 2-4), 300-302 (severe, 4-7), 400-402 (focus sweep, 0-7) — "
                         "disjoint from the training seeds.")
_SHIPPED_TEST_FOLDERS = {"test_mild", "test_moderate", "test_severe", "test_sweep"}


def _is_shipped_test_set(seqs: list) -> bool:
    """A report from before ``gt_data`` that scored the shipped test set (its 12 sequences
    labelled ``test_<split>/seq_*.h5``, three a split): regenerating a shipped card keeps its
    recipe line."""
    folders = [str(s.get("sequence", "")).split("/")[0] for s in seqs if isinstance(s, dict)]
    return len(seqs) == 12 and Counter(folders) == dict.fromkeys(_SHIPPED_TEST_FOLDERS, 3)  # 3 seeds a split


def _test_set_text(report: dict[str, Any]) -> str:
    """The sequences the report scored, from its ``gt_data`` (folders, sizes, seeds, blur):
    the card said the shipped test set's recipe whatever the report held."""
    data = report.get("gt_data")
    if not isinstance(data, list) or not data:  # a report from before eval recorded it
        seqs = (report.get("ground_truth") or {}).get("sequences")
        if isinstance(seqs, list) and _is_shipped_test_set(seqs):
            return SHIPPED_TEST_SET_TEXT
        return (f"{len(seqs)} sequences" if isinstance(seqs, list) else "The sequences") + \
            " of the report (it does not record which; `evfocus eval` does since 2026-11-28)."
    parts = []
    for d in data:
        text = f"`{d.get('folder')}`: {d.get('sequences')} sequence{'s' if d.get('sequences') != 1 else ''}"
        if d.get("resolution"):
            text += f" at {d['resolution']}, {d.get('duration_s')} s each"
        text += _seeds(d.get("seeds") or [])
        sigma = d.get("sigma_range")
        if isinstance(sigma, list) and len(sigma) == 2:
            text += f" (sigma {sigma[0]:g}-{sigma[1]:g} px{', focus sweep' if d.get('focus_sweep') else ''})"
        parts.append(text)
    return "; ".join(parts) + "."


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{what} {path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from exc


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evfocus_live.train.card", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("name")
    ap.add_argument("run", type=Path, help="run folder (its final.pt) or a .pt checkpoint")
    ap.add_argument("config", type=Path, nargs="?", default=None,
                    help="the training config the card names (optional; must exist when given)")
    ap.add_argument("--report", type=Path, default=None, help="report.json of evfocus eval")
    ap.add_argument("--label", default=None, help="model label in the report (default NAME)")
    ap.add_argument("--notes", type=Path, default=None)
    ap.add_argument("--int8", action="store_true", help="ship int8 weights (full-width models)")
    a = ap.parse_args(argv)
    try:
        report = None
        if a.report:
            try:
                report = json.loads(_read_text(a.report, "--report"))
            except json.JSONDecodeError as exc:
                raise InputError(f"--report {a.report}: not JSON ({exc})") from exc
            if not isinstance(report, dict):
                raise InputError(f"--report {a.report}: not an evfocus eval report")
        notes = _read_text(a.notes, "--notes") if a.notes else ""
        card = write_card(a.name, a.run, a.config, report, a.label or a.name, notes, int8=a.int8)
    except EvFocusError as exc:
        print(f"{ap.prog}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # models/ a file, not writable, a full disk: one line, not a traceback
        print(f"{ap.prog}: error: cannot write the model: {exc.strerror or exc} ({exc.filename})", file=sys.stderr)
        return 2
    # the card's path alone left one to guess how to use the model: not by NAME (the registry
    # knows only the shipped names and plugins), by its path
    print(f"{card}: model card of {card.with_suffix('.pt')}; use it with --model {card.with_suffix('.pt')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
