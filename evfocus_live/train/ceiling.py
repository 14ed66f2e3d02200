"""How much sharpness can any model recover? Deblurring ceilings from the defocused GT frame.

An event camera behind a defocused lens sees the *blurred* scene: its events are
brightness changes of the defocused image, so they carry no more spatial detail than the
defocused frames themselves. Deblurring the defocused GT frame, knowing the true blur, is
therefore an optimistic bound for any event-based reconstruction trained on the same data:

- ``wiener``: Wiener deconvolution of the defocused GT frame with the *true* mean sigma
  (the classical non-blind bound), one row per noise-to-signal ratio in :data:`WIENER_NSR`;
- ``oracle``: a CNN (U-Net, 0.5 M parameters at base 16) trained on the training set to map the
  defocused GT frame and its true sigma map to the sharp frame — a learned prior, no
  events, no recurrence, so cheap to train on a CPU.

``python -m evfocus_live.train.ceiling --train data_sim/train_v3 --test data_sim/test_* --minutes 40``
(``--oracle OUT/oracle.pt`` instead of ``--train`` scores a saved one) prints and writes
(``--out``) SSIM / MSE per blur split, on the same frames ``evfocus eval`` scores (the
first ``warmup`` windows after a reset are skipped), next to the defocused GT frame.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..errors import ConfigError, EvFocusError, InputError
from . import metrics as M
from .evaluate import MILD_MAX_PX, MODERATE_MAX_PX, _strict_json, blur_level, shown_splits
from .dataset import list_sequences, read_frames
from .losses import recon_loss

log = logging.getLogger(__name__)

#: noise-to-signal ratios tried for the Wiener bound (best per split is reported)
WIENER_NSR = (1e-3, 3e-3, 1e-2, 3e-2)
SIGMA_SCALE_PX = 4.0


def _frames(path: Path) -> dict[str, np.ndarray]:
    """Sharp / blurred frames as float32 in [0,1], sigma maps (px) as float32."""
    d = read_frames(path)
    return {"sharp": M.as_float(d["sharp"]).astype(np.float32), "blurred": M.as_float(d["blurred"]).astype(np.float32),
            "sigma": d["sigma"].astype(np.float32), "focus_sweep": d["focus_sweep"]}


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True))


class OracleUNet(nn.Module):
    """(defocused frame, sigma map / 4 px) -> sharp frame, as a residual on the input."""

    def __init__(self, base: int = 16, levels: int = 3):
        super().__init__()
        ch = [base * 2 ** i for i in range(levels + 1)]
        self.inc = _block(2, ch[0])
        self.down = nn.ModuleList(_block(ch[i], ch[i + 1]) for i in range(levels))
        self.up = nn.ModuleList(_block(ch[i + 1] + ch[i], ch[i]) for i in reversed(range(levels)))
        self.out = nn.Conv2d(ch[0], 1, 1)
        self.levels = levels

    def forward(self, blurred: torch.Tensor, sigma_px: torch.Tensor) -> torch.Tensor:
        h, w = blurred.shape[-2:]
        m = 2 ** self.levels
        ph, pw = (-h) % m, (-w) % m
        x = F.pad(torch.cat([blurred, sigma_px / SIGMA_SCALE_PX], 1), (0, pw, 0, ph), mode="replicate")
        skips = [self.inc(x)]
        for d in self.down:
            skips.append(d(F.max_pool2d(skips[-1], 2)))
        y = skips.pop()
        for u in self.up:
            s = skips.pop()
            y = u(torch.cat([F.interpolate(y, size=s.shape[-2:], mode="bilinear", align_corners=False), s], 1))
        return (blurred + self.out(y)[..., :h, :w]).clamp(0, 1)


def train_oracle(train_files: list[Path], minutes: float, crop: int = 96, batch: int = 8,
                 lr: float = 1e-3, seed: int = 0, base: int = 16, progress: bool = True) -> tuple[OracleUNet, dict]:
    """Train :class:`OracleUNet` for ``minutes`` of wall time (cosine lr over that time).

    The ``crop`` is clipped to the smallest training frame's height and width (a batch needs
    one size; frames under 96 px used to fail in numpy). ConfigError for ``minutes`` <= 0:
    an untrained oracle would pass for a ceiling."""
    from tqdm import tqdm

    if not (isinstance(minutes, int | float) and math.isfinite(minutes) and minutes > 0):
        raise ConfigError(f"--minutes must be a finite number > 0 (the oracle's training time), got {minutes}")
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    data = [_frames(p) for p in tqdm(train_files, desc="read", disable=not progress, unit="seq")]
    index = [(i, j) for i, d in enumerate(data) for j in range(len(d["sharp"]))]
    if not index:
        raise InputError("the oracle's training sequences hold no frames")
    ch = min(crop, *(d["sharp"].shape[1] for d in data))
    cw = min(crop, *(d["sharp"].shape[2] for d in data))
    model = OracleUNet(base)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    budget_s = minutes * 60.0
    t0 = time.monotonic()
    step, losses = 0, []
    bar = tqdm(total=int(budget_s), desc="oracle", unit="s", disable=not progress)
    while (elapsed := time.monotonic() - t0) < budget_s:
        for g in opt.param_groups:
            g["lr"] = lr * 0.5 * (1 + math.cos(math.pi * min(1.0, elapsed / budget_s)))
        xs, ss, ys = [], [], []
        for k in rng.integers(len(index), size=batch):
            i, j = index[k]
            d = data[i]
            h, w = d["sharp"].shape[1:]
            y0, x0 = rng.integers(h - ch + 1), rng.integers(w - cw + 1)
            sl = (j, slice(y0, y0 + ch), slice(x0, x0 + cw))
            b, s, sg = d["blurred"][sl], d["sharp"][sl], d["sigma"][sl]
            if rng.random() < 0.5:
                b, s, sg = b[:, ::-1], s[:, ::-1], sg[:, ::-1]
            xs.append(b.copy()), ys.append(s.copy()), ss.append(sg.copy())
        b = torch.from_numpy(np.stack(xs))[:, None]
        sg = torch.from_numpy(np.stack(ss))[:, None]
        s = torch.from_numpy(np.stack(ys))[:, None]
        loss = recon_loss(model(b, sg), s)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        step += 1
        bar.set_postfix(step=step, loss=f"{np.mean(losses[-50:]):.4f}", refresh=False)
        bar.update(max(0, int(min(elapsed, budget_s)) - bar.n))  # redraws at tqdm's pace, not every step
    bar.close()
    model.eval()
    return model, {"base": base, "steps": step, "minutes": minutes, "crop": crop, "crop_hw": [ch, cw], "batch": batch, "lr": lr, "seed": seed,
                   "parameters": sum(p.numel() for p in model.parameters()),
                   "first_loss": float(np.mean(losses[:20])) if losses else float("nan"),
                   "final_loss": float(np.mean(losses[-100:])) if losses else float("nan")}


@torch.inference_mode()
def evaluate_ceilings(test_files: list[Path], oracle: OracleUNet | None = None, warmup: int = 3,
                      nsrs: tuple[float, ...] = WIENER_NSR,
                      progress: bool = True) -> dict[str, dict[str, dict[str, float]]]:
    """{split: {row: {ssim, mse, n}}} for "defocused GT", "wiener nsr=…" and "oracle"
    (a progress bar per sequence: a test set takes minutes)."""
    from tqdm import tqdm

    acc: dict[str, dict[str, dict[str, list[float]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for path in tqdm(test_files, desc="ceilings", unit="seq", disable=not progress):
        d = _frames(path)
        split = blur_level(float(np.mean(d["sigma"][1:])), d["focus_sweep"])
        # evaluate.py scores window i (ending at frame i + 1) for i >= warmup, and the last
        # window of a sequence of no more windows than that (else it would vanish here only)
        n_windows = len(d["sharp"]) - 1
        for j in range(1 + max(0, min(warmup, n_windows - 1)), len(d["sharp"])):
            s, b, sg = d["sharp"][j], d["blurred"][j], d["sigma"][j]
            rows = {"defocused GT": b}
            for nsr in nsrs:
                rows[f"wiener nsr={nsr:g}"] = M.wiener_deconvolve(b, float(sg.mean()), nsr)
            if oracle is not None:
                rows["oracle"] = oracle(torch.from_numpy(b)[None, None], torch.from_numpy(sg)[None, None])[0, 0].numpy()
            for name, img in rows.items():
                for sp in (split, "all"):
                    acc[sp][name]["ssim"].append(M.ssim(img, s))
                    acc[sp][name]["mse"].append(M.mse(img, s))
    return {sp: {name: {k: float(np.mean(v)) for k, v in m.items()} | {"n": len(m["ssim"])}
                 for name, m in acc[sp].items()} for sp in shown_splits(acc)}


def to_markdown(res: dict) -> str:
    lines = ["| split | reference | SSIM ↑ | MSE ↓ | frames |", "|---|---|---|---|---|"]
    for sp in shown_splits(res):
        for name, m in res[sp].items():
            lines.append(f"| {sp} | {name} | {m['ssim']:.4f} | {m['mse']:.5f} | {m['n']} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evfocus_live.train.ceiling", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", nargs="*", default=[], help="training folders/files (.h5); none: Wiener only")
    ap.add_argument("--test", nargs="+", required=True, help="test folders/files (.h5 with /frames)")
    ap.add_argument("--minutes", type=float, default=40.0, help="oracle training wall time")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--base", type=int, default=16, help="oracle U-Net width")
    ap.add_argument("--oracle", type=Path, help="score this saved oracle.pt (from --out) instead of training one")
    ap.add_argument("--out", type=Path, help="folder for ceiling.json / ceiling.md / oracle.pt")
    ap.add_argument("--no-progress", action="store_true")
    a = ap.parse_args(argv)
    from ..cli import EXIT_USER_ERROR

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    def files(paths):  # a sequence reached twice (a folder and a file in it) counts once
        return list({f.resolve(): f for p in paths for f in list_sequences(p)}.values())

    try:  # options first: a bad --out or --base used to end in a traceback after the training
        if a.base < 1:
            raise ConfigError(f"--base must be >= 1 (the oracle U-Net's width), got {a.base}")
        if a.out:
            from ..cli.options import check_output_dir

            check_output_dir("--out", a.out)
        test = files(a.test)
        oracle, info = None, {}
        if a.oracle:
            oracle = OracleUNet(a.base)
            try:
                oracle.load_state_dict(torch.load(a.oracle, map_location="cpu", weights_only=True))
            except Exception as exc:  # torch raises many types for a wrong or corrupt file
                raise InputError(f"{a.oracle}: not an oracle of base {a.base} ({exc})") from exc
            oracle.eval()
        elif a.train:
            train = files(a.train)
            oracle, info = train_oracle(train, a.minutes, seed=a.seed, base=a.base, progress=not a.no_progress)
            log.info("oracle: %d steps, final loss %.4f", info["steps"], info["final_loss"])
        res = evaluate_ceilings(test, oracle, progress=not a.no_progress)
    except EvFocusError as exc:
        log.error("%s", exc)
        return EXIT_USER_ERROR
    md = to_markdown(res)
    log.info("deblurring ceilings (sigma splits: mild < %g px, moderate < %g px):\n%s", MILD_MAX_PX, MODERATE_MAX_PX, md)
    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
        # NaN (no step within the budget) as null: ceiling.json stays JSON for every parser
        (a.out / "ceiling.json").write_text(json.dumps(_strict_json({"results": res, "oracle": info}), indent=1,
                                                       allow_nan=False))
        (a.out / "ceiling.md").write_text(md + "\n")
        if oracle is not None:
            torch.save(oracle.state_dict(), a.out / "oracle.pt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
