"""E2VID (Rebecq et al. 2019), the recurrent UNet baseline, re-implemented.

Same layers as rpg_e2vid's ``UNetRecurrent``: head conv 5x5, ``num_encoders`` x
[strided conv 5x5 + ConvLSTM 3x3], residual blocks, upsample-conv decoders with summed
skips, 1x1 prediction + sigmoid. With 3 encoders and base 32 it has exactly 10,710,401
parameters. ``base`` (and the conv ``kernel``) are configurable so a reduced-width
baseline trains on a CPU. ``count_channel`` adds an input channel after the bins: the
window's signed event count per pixel, which the per-window normalisation of the bins
drops (``core.voxel.model_voxel``); only the head conv sees it directly.
"""

from __future__ import annotations

import torch
from torch import nn

from .base import RecurrentModel
from .layers import ConvLayer, UpsampleConvLayer

DEFAULTS = dict(num_bins=5, base=32, num_encoders=3, num_residual_blocks=2, kernel=5, rec_kernel=3,
                count_channel=False)


class E2VID(RecurrentModel):
    """Recurrent UNet. Example: ``E2VID({"base": 8})(torch.zeros(1, 5, 260, 346))["image"]``."""

    arch = "e2vid"

    def __init__(self, config: dict | None = None):
        cfg = {**DEFAULTS, **(config or {})}
        super().__init__(cfg)
        b, k, n = cfg["base"], cfg["kernel"], cfg["num_encoders"]
        top = self.build_encoder(cfg)
        self.decoders = nn.ModuleList(UpsampleConvLayer(top // 2 ** i, top // 2 ** (i + 1), k) for i in range(n))
        self.pred = ConvLayer(b, 1, 1, relu=False)

    def forward(self, voxel: torch.Tensor) -> dict[str, torch.Tensor]:
        x, head, blocks, (h, w) = self.encode(voxel)
        for i, dec in enumerate(self.decoders):
            x = dec(x + blocks[-1 - i])
        img = torch.sigmoid(self.pred(x + head))
        return {"image": img[..., :h, :w]}
