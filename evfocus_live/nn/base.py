"""The recurrent-model contract every network here follows (event_cnn_minimal's shape).

``reset_states()``, a ``states`` property (the getter returns a shallow copy), and
``forward(voxel [B,bins,H,W]) -> dict`` with ``image`` [B,1,H,W] in [0,1] (``count_channel``:
[B,bins+1,H,W], the last channel the signed event count). Any H, W is
accepted: the input is padded to a multiple of ``pad_multiple`` and outputs cropped back.
Another rank, bin count or dtype is one ``ValueError``/``TypeError`` line (``check_voxel``).
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from .layers import ConvLayer, RecurrentConvLayer, ResidualBlock, pad_to_multiple


class RecurrentModel(nn.Module):
    """Base class: holds the recurrent state between calls and the plain-dict config."""

    arch: str = "?"
    pad_multiple: int = 1

    def __init__(self, config: dict[str, Any]):
        super().__init__()
        self.config = dict(config)
        self._states: list[Any] | None = None
        #: the input carries one more channel after the bins: the window's signed event count
        #: per pixel, unnormalised (``core.voxel.model_voxel``); callers build it when set
        self.count_channel = bool(self.config.get("count_channel", False))

    @property
    def in_channels(self) -> int | None:
        """Input channels: the voxel bins, plus one with ``count_channel`` (None: no ``num_bins``)."""
        bins = self.config.get("num_bins")
        return None if bins is None else bins + self.count_channel

    def reset_states(self) -> None:
        """Forget the temporal state (on seek, source or resolution change, or on request)."""
        self._states = None

    @property
    def states(self) -> list[Any] | None:
        return None if self._states is None else list(self._states)

    @states.setter
    def states(self, value: list[Any] | None) -> None:
        self._states = None if value is None else list(value)

    def check_voxel(self, voxel) -> None:
        """Refuse an input the network cannot take, with one line that says what to pass:
        torch's own error (a channel count or dtype mismatch deep inside a conv, or a
        channels-last rank error) named neither the voxel grid nor the fix.
        ``TypeError``: not a tensor, or a dtype other than the weights'; ``ValueError``: not
        ``[B, bins, H, W]``."""
        if isinstance(voxel, torch.fx.Proxy):  # symbolic tracing (bench/bench_int8.py): no values
            return
        name = type(self).__name__
        if not isinstance(voxel, torch.Tensor):
            raise TypeError(f"{name}: the voxel grid must be a torch.Tensor [B, bins, H, W], "
                            f"got {type(voxel).__module__}.{type(voxel).__qualname__}")
        chans = self.in_channels
        if voxel.dim() != 4 or (chans is not None and voxel.shape[1] != chans):
            hint = " (add the batch axis: voxel[None])" if voxel.dim() == 3 else ""
            if self.count_channel and voxel.dim() == 4 and voxel.shape[1] == chans - 1:
                hint = " (bins plus the count channel: core.voxel.model_voxel(..., count_channel=True))"
            raise ValueError(f"{name}: the voxel grid must be [B, {chans if chans is not None else 'bins'}, H, W], "
                             f"got shape {tuple(voxel.shape)}{hint}")
        weight = next(self.parameters(), None)
        if weight is not None and voxel.dtype != weight.dtype:
            raise TypeError(f"{name}: the voxel grid is {str(voxel.dtype).removeprefix('torch.')}, the weights "
                            f"{str(weight.dtype).removeprefix('torch.')}: convert it "
                            f"(voxel.to({weight.dtype}))")

    def build_encoder(self, cfg: dict[str, Any]) -> int:
        """Create the shared encoder (``head``, ``encoders``, ``resblocks``); returns its channels."""
        b, k, n = cfg["base"], cfg["kernel"], cfg["num_encoders"]
        self.pad_multiple = 2 ** n
        self.head = ConvLayer(cfg["num_bins"] + self.count_channel, b, k)
        self.encoders = nn.ModuleList(
            RecurrentConvLayer(b * 2 ** i, b * 2 ** (i + 1), k, 2, cfg["rec_kernel"]) for i in range(n))
        top = b * 2 ** n
        self.resblocks = nn.ModuleList(ResidualBlock(top) for _ in range(cfg["num_residual_blocks"]))
        return top

    def encode(self, voxel: torch.Tensor):
        """The shared E2VID-style encoder: pad, head conv, recurrent encoders, residual blocks.

        Needs ``head``, ``encoders`` and ``resblocks`` modules. Stores the new recurrent
        state and returns ``(x, head, skips, (h, w))``: the bottleneck features, the head
        features, each encoder's output (for the decoders' skips) and the size to crop to.
        """
        self.check_voxel(voxel)
        x, size = pad_to_multiple(voxel, self.pad_multiple)
        states = self._states or [None] * len(self.encoders)
        x = self.head(x)
        head = x
        skips, new_states = [], []
        for enc, st in zip(self.encoders, states):
            x, st = enc(x, st)
            skips.append(x)
            new_states.append(st)
        for rb in self.resblocks:
            x = rb(x)
        self._states = new_states
        return x, head, skips, size

    def detach_states(self) -> None:
        """Cut the autograd graph at the current state (truncated BPTT)."""
        if self._states is None:
            return

        def _d(s):
            if s is None:
                return None
            if isinstance(s, torch.Tensor):
                return s.detach()
            return type(s)(_d(v) for v in s)

        self._states = [_d(s) for s in self._states]

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def extra_repr(self) -> str:
        return f"arch={self.arch}, config={copy.deepcopy(self.config)}"
