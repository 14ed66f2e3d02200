"""Losses (MODEL.md): l = L1 + (1 - SSIM) on the sharp frame, a * l on the predicted
defocused frame, b * |R(S^) - B^|_1 re-defocus consistency, a small supervised term on
the defocus map, and a small temporal-consistency term.

Temporal consistency here has no optical flow: it asks the frame-to-frame change of the
output to match that of the ground truth, ``|(S^_t - S^_{t-1}) - (S_t - S_{t-1})|_1``,
which penalises flicker without smoothing real motion.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..core.defocus import activity_weights_torch


def _gauss_window(size: int = 11, sigma: float = 1.5, device=None) -> torch.Tensor:
    x = torch.arange(size, dtype=torch.float32, device=device) - size // 2
    g = torch.exp(-0.5 * (x / sigma) ** 2)
    g = g / g.sum()
    return g


def ssim(a: torch.Tensor, b: torch.Tensor, data_range: float = 1.0, size: int = 11) -> torch.Tensor:
    """Mean SSIM of [B,1,H,W] images (Gaussian window 11 / 1.5, as Wang et al. and skimage's
    ``gaussian_weights=True``); valid region only, so borders do not count twice.

    Images smaller than the window (a small ``[augment] crop``, tiny frames) use the largest
    odd window that fits, same sigma, rather than fail at the first step; from 1 px (window 1)
    SSIM is the luminance term alone. Images at least ``size`` px are scored as before."""
    fit = min(size, *a.shape[-2:])
    size = max(1, fit if fit % 2 else fit - 1)
    g = _gauss_window(size, device=a.device).to(a.dtype)
    gx, gy = g.view(1, 1, 1, -1), g.view(1, 1, -1, 1)

    def filt(x):
        return F.conv2d(F.conv2d(x, gx), gy)

    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mu_a, mu_b = filt(a), filt(b)
    saa = filt(a * a) - mu_a ** 2
    sbb = filt(b * b) - mu_b ** 2
    sab = filt(a * b) - mu_a * mu_b
    s = ((2 * mu_a * mu_b + c1) * (2 * sab + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (saa + sbb + c2))
    return s.mean()


def activity_weights(voxel: torch.Tensor, share: float) -> torch.Tensor:
    """Per-pixel loss weights [B,1,H,W] with mean 1 per sample: ``1 - share`` uniform plus
    ``share`` of the window's event activity (``core.defocus``, the viewer's readout weights).
    A window without events (a pause) gets weight 1 everywhere, as the readout falls back to
    the plain mean there; ``1 - share`` alone would shrink (share 1: drop) its sigma loss."""
    a = activity_weights_torch(voxel)
    mean = a.mean((-2, -1), keepdim=True)
    w = (1 - share) + share * a / mean.clamp_min(1e-12)
    return torch.where(mean > 0, w, torch.ones_like(w))


def recon_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """L1 + (1 - SSIM)."""
    return F.l1_loss(pred, target) + (1 - ssim(pred, target))


@dataclass
class LossWeights:
    blur: float = 0.5  # a: predicted defocused frame
    redefocus: float = 0.1  # b: |R(S^) - B^|
    sigma: float = 0.05  # defocus map vs GT sigma (px / sigma_scale)
    #: the map's mean over the crop vs the GT's: the viewer's readout. Per-pixel L1 alone
    #: leaves flat regions (no events, blur unobservable) at the prior, which swamps the mean
    sigma_mean: float = 0.0
    #: share (0..1) of the per-pixel sigma L1 weighted by event activity, as the viewer's
    #: readout is (core.defocus): where no event fires, blur is unobservable and the plain L1
    #: spends the head's capacity on the prior
    sigma_activity: float = 0.0
    temporal: float = 0.05
    sigma_scale_px: float = 4.0


def sequence_loss(outputs: list[dict[str, torch.Tensor]], batch: dict[str, torch.Tensor],
                  w: LossWeights, skip: int = 0, only_grad: bool = False, count_channel: bool = False
                  ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Average loss over the L windows of a batch, the first ``skip`` not scored (just after a
    reset nothing is known yet); returns (loss, detached components for logging: tensors,
    so that a GPU step does not wait for them unless they are logged). ``only_grad`` leaves
    out the terms whose output carries no gradient (a stage that trains a head on a frozen
    network: its image losses are constants, and SSIM on the full model costs real time).
    ``count_channel``: the voxels end with the event-count channel, which is not activity."""
    terms: dict[str, torch.Tensor] = {}

    def add(k, v):
        terms[k] = terms.get(k, 0.0) + v

    def scored(x: torch.Tensor) -> bool:
        return not only_grad or x.requires_grad

    L = len(outputs) - skip
    if L < 1:
        raise ValueError(f"skip={skip} leaves no window of {len(outputs)} to score")
    prev = None
    for t, out in enumerate(outputs):
        if t < skip:
            continue
        img = out["image"].float()
        s = batch["sharp"][:, t]
        if scored(img):
            add("sharp", recon_loss(img, s))
        if "blur" in out:
            bl = out["blur"].float()
            if w.blur and scored(bl):
                add("blur", w.blur * recon_loss(bl, batch["blurred"][:, t]))
            if "reblur" in out and w.redefocus and scored(out["reblur"]):
                add("redefocus", w.redefocus * F.l1_loss(out["reblur"].float(), bl))
            if "sigma" in out and w.sigma and scored(out["sigma"]):
                err = (out["sigma"].float() - batch["sigma"][:, t]).abs()
                if w.sigma_activity:
                    vox = batch["voxel"][:, t, :-1] if count_channel else batch["voxel"][:, t]
                    err = err * activity_weights(vox, w.sigma_activity)
                add("sigma", w.sigma * err.mean() / w.sigma_scale_px)
            if "sigma" in out and w.sigma_mean and scored(out["sigma"]):
                add("sigma_mean", w.sigma_mean * F.l1_loss(out["sigma"].float().mean((-2, -1)),
                                                           batch["sigma"][:, t].mean((-2, -1))) / w.sigma_scale_px)
        if prev is not None and w.temporal and scored(img):
            add("temporal", w.temporal * F.l1_loss(img - prev[0], s - prev[1]))
        prev = (img, s)
    terms = {k: v / L for k, v in terms.items()}
    total = sum(terms.values(), torch.zeros((), device=outputs[0]["image"].device))
    return total, {k: v.detach() for k, v in terms.items()}
