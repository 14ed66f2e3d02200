"""FireNet (Scheerlinck et al. 2020): tiny, no downsampling, very fast.

head conv 3x3 (bins->16) -> ConvGRU -> residual block -> ConvGRU -> residual block ->
1x1 conv (+ sigmoid so the output is in [0,1] like the other models). ~38 k parameters.
"""

from __future__ import annotations

import torch

from .base import RecurrentModel
from .layers import ConvGRU, ConvLayer, ResidualBlock, pad_to_multiple

DEFAULTS = dict(num_bins=5, base=16, kernel=3)


class FireNet(RecurrentModel):
    """Example: ``FireNet()(torch.zeros(1, 5, 260, 346))["image"].shape == (1, 1, 260, 346)``."""

    arch = "firenet"

    def __init__(self, config: dict | None = None):
        cfg = {**DEFAULTS, **(config or {})}
        super().__init__(cfg)
        b, k = cfg["base"], cfg["kernel"]
        self.head = ConvLayer(cfg["num_bins"], b, k)
        self.g1 = ConvGRU(b, b, k)
        self.r1 = ResidualBlock(b)
        self.g2 = ConvGRU(b, b, k)
        self.r2 = ResidualBlock(b)
        self.pred = ConvLayer(b, 1, 1, relu=False)

    def forward(self, voxel: torch.Tensor) -> dict[str, torch.Tensor]:
        self.check_voxel(voxel)
        s1, s2 = self._states or (None, None)
        x, _ = pad_to_multiple(voxel, 1)
        x = self.head(x)
        x, s1 = self.g1(x, s1)
        x = self.r1(x)
        x, s2 = self.g2(x, s2)
        x = self.r2(x)
        self._states = [s1, s2]
        return {"image": torch.sigmoid(self.pred(x))}
