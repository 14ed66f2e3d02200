"""EvFocus: sharp frames from out-of-focus event streams (reconstruction, see MODEL.md).

The paper's code is not public; this follows MODEL.md's proposal, which matches the
published facts (ConvLSTM temporal encoder, blur-aware dual-branch decoder with three
cross-fusion modules, a deblurring reconstruction module, a re-defocus module, ~12.1 M
parameters at base 32):

- encoder: E2VID's (head conv, 3 x [strided conv + ConvLSTM], residual blocks);
- blur decoder: predicts the defocused frame B^ (what a blurred APS frame would show);
- align decoder: same stages; after each one a CF module fuses the blur decoder's
  feature at that scale; then the deblurring module (residual blocks at full
  resolution) and a 1x1 conv + sigmoid give the sharp frame S^;
- re-defocus: per-pixel soft mixture of Gaussian blurs with weights regressed from the
  blur decoder's last feature; ``R(S^)`` must match B^ (self-supervised loss) and the
  expected sigma is the defocus map shown in the viewer. ``sigma_head`` > 0 gives that
  readout a small convolutional head (hidden channels) on the voxel grid itself, the blur
  decoder's last feature and the encoder's head feature (the voxel keeps the width of an
  edge's event band, which the 4-channel features of the light model blur away).

``base`` and ``kernel`` set the size: the full model (base 32, 5x5) for GPUs and a light
one (same topology, fewer channels, 3x3) for laptop CPUs. ``dual_decoder=False`` drops
the blur decoder, CF modules and re-defocus (the ablation). ``count_channel`` adds an input
channel after the bins, the window's signed event count per pixel (which the bins'
per-window normalisation drops; ``core.voxel.model_voxel``). Only the head conv reads it:
the defocus head keeps its ``num_bins`` voxel channels (it sees the count through the head
feature), so a count model differs from the plain one in the head conv's weight alone and
starts from shipped weights with that one tensor zero-padded (``train --init``).
``integrator`` (needs ``count_channel``) adds one more head-conv input, computed not given:
a per-pixel leaky integral of that count over windows, ``level = integrator_decay * level +
count``, carried in the state like the ConvLSTMs' (``RecurrentModel.integrate``). The count
says how far log intensity moved in one window; the level says, roughly, how far it moved
lately, which the 4-channel ConvLSTMs of the light model would have to learn to keep.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .base import RecurrentModel, pad_to_multiple
from .layers import ConvLayer, CrossFusion, ReDefocus, ResidualBlock, UpsampleConvLayer

DEFAULTS = dict(num_bins=5, base=32, num_encoders=3, num_residual_blocks=2, kernel=5, rec_kernel=3,
                cf_kernel=3, num_deblur_blocks=2, dual_decoder=True, sigmas_px=[0.0, 1.0, 2.0, 3.0, 4.5],
                sigma_head=0, sigma_dilations=[1, 2, 3], count_channel=False,
                integrator=False, integrator_decay=0.9)

#: the light model shipped as ``evfocus`` (CPU real time)
LIGHT = dict(base=4, kernel=3, rec_kernel=3, num_deblur_blocks=1, sigma_head=16, sigma_dilations=[1, 2, 3],
             sigmas_px=[0.0, 1.0, 2.0, 3.0, 4.5, 6.0, 7.5, 10.0])


class EvFocus(RecurrentModel):
    """Example: ``out = EvFocus(LIGHT)(voxel)``; ``out["image"]``, ``out["blur"]``, ``out["sigma"]``."""

    arch = "evfocus"
    integrator_option = True

    def __init__(self, config: dict | None = None):
        cfg = {**DEFAULTS, **(config or {})}
        cfg["sigmas_px"] = [float(s) for s in cfg["sigmas_px"]]
        super().__init__(cfg)
        b, k, n = cfg["base"], cfg["kernel"], cfg["num_encoders"]
        top = self.build_encoder(cfg)
        chans = [top // 2 ** (i + 1) for i in range(n)]
        self.align_dec = nn.ModuleList(UpsampleConvLayer(top // 2 ** i, chans[i], k) for i in range(n))
        if not isinstance(cfg["dual_decoder"], bool):  # "false" in a config would be truthy
            raise ValueError(f"dual_decoder must be true or false, got {cfg['dual_decoder']!r}")
        self.dual = cfg["dual_decoder"]
        if self.dual:
            self.blur_dec = nn.ModuleList(UpsampleConvLayer(top // 2 ** i, chans[i], k) for i in range(n))
            self.blur_pred = ConvLayer(b, 1, 1, relu=False)
            self.cf = nn.ModuleList(CrossFusion(c, cfg["cf_kernel"]) for c in chans)
            self.sigma_head = int(cfg["sigma_head"])
            self.redefocus = ReDefocus(cfg["num_bins"] + 2 * b if self.sigma_head else b, tuple(cfg["sigmas_px"]),
                                       self.sigma_head, tuple(cfg["sigma_dilations"]))
            if self.sigma_head:
                # the head's 4x4 / stride-4 conv needs a multiple of 4: with fewer than 2
                # encoders 2**n is not one (a frame under 4 px failed); from 2 on it is already
                self.pad_multiple = math.lcm(self.pad_multiple, 4)
        self.deblur = nn.ModuleList(ResidualBlock(b) for _ in range(cfg["num_deblur_blocks"]))
        self.pred = ConvLayer(b, 1, 1, relu=False)
        #: compute R(S^) also in eval mode (training always does)
        self.return_reblur = False

    def forward(self, voxel: torch.Tensor) -> dict[str, torch.Tensor]:
        x, head, blocks, (h, w) = self.encode(voxel)
        out: dict[str, torch.Tensor] = {}
        xa = x
        if self.dual:
            xb = x
            for i, (dec_b, dec_a, cf) in enumerate(zip(self.blur_dec, self.align_dec, self.cf)):
                skip = blocks[-1 - i]
                xb = dec_b(xb + skip)
                xa = cf(dec_a(xa + skip), xb)
            out["blur"] = torch.sigmoid(self.blur_pred(xb + head))
            bins = voxel[:, :self.config["num_bins"]] if self.count_channel else voxel
            wts = self.redefocus.weights([pad_to_multiple(bins, self.pad_multiple)[0], xb, head]
                                         if self.sigma_head else xb)
            out["sigma"] = self.redefocus.sigma_map(wts, xb.shape[-2:])
        else:
            for i, dec_a in enumerate(self.align_dec):
                xa = dec_a(xa + blocks[-1 - i])
        xa = xa + head
        for rb in self.deblur:
            xa = rb(xa)
        img = torch.sigmoid(self.pred(xa))
        out["image"] = img
        if self.dual and (self.training or self.return_reblur):
            out["reblur"] = self.redefocus(img, wts)
        return {key: v[..., :h, :w] for key, v in out.items()}
