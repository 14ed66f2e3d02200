"""Model cards: ship a trained checkpoint into ``models/`` with a Markdown card.

``python -m evfocus_live.train.card NAME RUN_DIR CONFIG [--report report.json] [--notes notes.md]``
copies ``RUN_DIR/final.pt`` to ``models/NAME.pt`` and writes ``models/NAME.md`` (config,
data recipe, steps, wall time, hardware, held-out and real-data metrics, sha256).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import shutil
from pathlib import Path
from typing import Any

import torch

from ..nn.registry import load_checkpoint, models_dir, read_checkpoint, sha256_file
from .evaluate import REFERENCE, SPLITS, niqe_cell


def _gt_table(report: dict[str, Any], label: str) -> list[str]:
    splits = report.get("ground_truth", {}).get("splits", {})
    lines = ["| split | model | SSIM ↑ | MSE ↓ | PSNR ↑ | frames |", "|---|---|---|---|---|---|"]
    for split in [s for s in (*SPLITS, "all") if s in splits]:
        for name in (REFERENCE, label):
            r = splits[split].get(name)
            if r:
                lines.append(f"| {split} | {name} | {r['ssim']:.4f} | {r['mse']:.5f} | {r['psnr']:.2f} | {r['n']} |")
    return lines


def _real_table(report: dict[str, Any], label: str) -> list[str]:
    real = report.get("real", {})
    lines = ["| recording | BRISQUE ↓ | NIQE ↓ | sharpness ↑ | contrast ↑ | noise ↓ | flicker ↓ | ms/window |",
             "|---|---|---|---|---|---|---|---|"]
    for fname, res in real.items():
        r = res.get(label)
        if r:
            lines.append(f"| {fname} | {r['brisque']:.1f} | {niqe_cell(r.get('niqe', math.nan))} | {r['sharpness']:.1f} | {r['contrast']:.1f} | "
                         f"{r['noise']:.2f} | {r['flicker']:.2f} | {r['ms_per_window']:.1f} |")
    return lines


def _bptt(data: dict[str, Any]) -> str:
    L, chunk = data.get("seq_len"), data.get("tbptt")
    text = (f"truncated BPTT in chunks of {chunk} windows (state carried between chunks)" if chunk and chunk < L
            else "back-propagated through the whole item (state from zero)")
    skip = data.get("loss_skip", 0)
    return text + (f", first {skip} windows after a reset not scored" if skip else "")


def write_card(name: str, run_dir: Path, config_path: Path, report: dict[str, Any] | None, label: str,
               notes: str = "") -> Path:
    src = run_dir / "final.pt"
    ck = read_checkpoint(src)
    load_checkpoint(src)  # must load strictly before it ships
    dst = models_dir() / f"{name}.pt"
    shutil.copyfile(src, dst)
    meta = ck["meta"]
    tc = meta.get("train_config", {})
    model = load_checkpoint(dst)
    lines = [
        f"# Model card: `{name}`", "",
        notes.strip(), "",
        "## Architecture", "",
        f"- arch `{ck['arch']}`, {model.num_parameters():,} parameters, file {dst.stat().st_size / 1e6:.2f} MB (float32)",
        f"- config: `{json.dumps(ck['config'])}`",
        "",
        "## Training", "",
        f"- config: `models/configs/{config_path.name}` (run: `evfocus train models/configs/{config_path.name}`)",
        f"- data: `{tc.get('data', {}).get('train')}` — {meta.get('dataset_sequences')} simulated sequences, "
        f"{meta.get('dataset_windows')} windows (recipe in the config's comment; simulator seeds = seed + i)",
        f"- seq_len {tc.get('data', {}).get('seq_len')}, batch {tc.get('data', {}).get('batch_size')}, "
        f"crop {tc.get('augment', {}).get('crop')} px, Adam lr {tc.get('train', {}).get('lr')} (cosine), "
        f"{_bptt(tc.get('data', {}))}, training seed {tc.get('train', {}).get('seed')}",
        f"- steps: {meta.get('step')}, wall time: {meta.get('wall_s', 0) / 60:.1f} min, last-batch training loss "
        f"{meta.get('loss', float('nan')):.4f}",
        f"- hardware: 2-core x86 CPU shared with other jobs, no GPU, "
        f"torch {torch.__version__}, {meta.get('torch_threads')} thread(s), Python {platform.python_version()}",
        "",
    ]
    if report:
        lines += ["## Held-out synthetic test set", "",
                  "12 sequences at 346x260, 1.5 s each, simulator seeds 100-102 (mild, sigma 0.5-2 px), "
                  "200-202 (moderate, 2-4), 300-302 (severe, 4-7), 400-402 (focus sweep, 0-7) — "
                  "disjoint from the training seeds. First "
                  f"{report.get('warmup_windows', 3)} windows after reset not scored. "
                  "'defocused GT' = the blurred ground-truth frame scored against the sharp one.", ""]
        lines += _gt_table(report, label) + [""]
        if report.get("real"):
            lines += ["## Real recordings (no reference; in focus, so they test generalisation, not deblurring)", ""]
            lines += _real_table(report, label)
            lines += ["", "Windows of 0.35 events/pixel, or smaller so that each recording gives >= 12 windows. "
                      "ms/window here comes from the evaluation run (1 thread, machine under load, first-call "
                      "overhead included); see the speed section / `bench/bench_models.py` for timings.", ""]
    lines += ["## File", "", f"- `models/{name}.pt`", f"- sha256: `{sha256_file(dst)}`", ""]
    card = models_dir() / f"{name}.md"
    card.write_text("\n".join(lines))
    return card


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("name")
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("config", type=Path)
    ap.add_argument("--report", type=Path, default=None)
    ap.add_argument("--label", default=None, help="model label in the report (default NAME)")
    ap.add_argument("--notes", type=Path, default=None)
    a = ap.parse_args(argv)
    report = json.loads(a.report.read_text()) if a.report else None
    notes = a.notes.read_text() if a.notes else ""
    print(write_card(a.name, a.run_dir, a.config, report, a.label or a.name, notes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
