"""The recurrent-model contract every network here follows (event_cnn_minimal's shape).

``reset_states()``, a ``states`` property (the getter returns a shallow copy), and
``forward(voxel [B,bins,H,W]) -> dict`` with ``image`` [B,1,H,W] in [0,1] (``count_channel``:
[B,bins+1,H,W], the last channel the signed event count; ``integrator``: the states end
with that count's per-pixel leaky integral). Any H, W is
accepted: the input is padded to a multiple of ``pad_multiple`` and outputs cropped back.
Another rank, bin count or dtype is one ``ValueError``/``TypeError`` line (``check_voxel``).
"""

from __future__ import annotations

import copy
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .layers import ConvLayer, RecurrentConvLayer, ResidualBlock, pad_to_multiple


#: the integrator level reaches the head conv as ``S * tanh(level / S)``: linear over the few
#: scaled events a window brings (its range then that of the normalised bins), but bounded, so
#: a hot pixel's steady level (count / (1 - decay), ten windows' worth at 0.9) cannot swamp the
#: head conv
LEVEL_SCALE = 2.0


def squash_level(level: torch.Tensor) -> torch.Tensor:
    """The integrator level as the head conv reads it (see :data:`LEVEL_SCALE`)."""
    return LEVEL_SCALE * torch.tanh(level / LEVEL_SCALE)


class RecurrentModel(nn.Module):
    """Base class: holds the recurrent state between calls and the plain-dict config."""

    arch: str = "?"
    pad_multiple: int = 1
    #: whether the network takes ``integrator`` (``EvFocus``): built directly, another one took
    #: it and saved a checkpoint that no registry would load back
    integrator_option: bool = False

    def __init__(self, config: dict[str, Any]):
        super().__init__()
        self.config = dict(config)
        self._states: list[Any] | None = None
        #: the input carries one more channel after the bins: the window's signed event count
        #: per pixel, unnormalised (``core.voxel.model_voxel``); callers build it when set
        self.count_channel = bool(self.config.get("count_channel", False))
        #: a per-pixel leaky integrator of that count, carried across windows as the last
        #: entry of the state (``integrate``); the head conv reads it after the count
        self.integrator = bool(self.config.get("integrator", False))
        self.integrator_decay = float(self.config.get("integrator_decay", 0.9))
        if self.integrator and not type(self).integrator_option:
            raise ValueError(f"{type(self).__name__}: integrator is an option of evfocus only")
        if self.integrator and not self.count_channel:  # else it would integrate the last voxel bin
            raise ValueError(f"{type(self).__name__}: integrator = true needs count_channel = true "
                             "(it integrates the count channel over windows)")

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
        if 0 in voxel.shape[2:]:  # (torch: "Kernel size can't be greater than actual input size")
            raise ValueError(f"{name}: the voxel grid has no pixels, shape {tuple(voxel.shape)}: "
                             f"H and W must be at least 1")
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
        if self.integrator:
            # the level's own conv, added to the head conv's before its ReLU: the same sum as
            # one more input channel of ``head``, but zero weights here leave the head's
            # result bit for bit (a 7th input channel, even at zero, changes oneDNN's summation
            # order by an ulp), so ``train --init`` starts exactly where its weights were
            self.head_level = nn.Conv2d(1, b, k, padding=k // 2, bias=False)
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
        states = self._states or [None] * (len(self.encoders) + self.integrator)
        if self.integrator:
            level = self.integrate(x[:, -1:], states[-1])
            x = F.relu(self.head.conv(x) + self.head_level(squash_level(level)))
        else:
            x = self.head(x)
        head = x
        skips, new_states = [], []
        for enc, st in zip(self.encoders, states):
            x, st = enc(x, st)
            skips.append(x)
            new_states.append(st)
        for rb in self.resblocks:
            x = rb(x)
        if self.integrator:
            new_states.append(level)
        self._states = new_states
        return x, head, skips, size

    def integrate(self, count: torch.Tensor, level: torch.Tensor | None) -> torch.Tensor:
        """``level_t = decay * level_{t-1} + count_t`` per pixel: the running sum of the signed
        count (events x contrast ~ log-intensity change), which the tiny ConvLSTMs otherwise
        have to learn to keep. Like a ConvLSTM state it starts at zero, after a reset and when
        the batch or size changes, lives in ``states`` (so ``detach_states`` truncates it with
        them) and takes the input's device and dtype."""
        if level is None or level.shape != count.shape:
            return count.clone()
        return self.integrator_decay * level.to(count.device, count.dtype) + count

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
