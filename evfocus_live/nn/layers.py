"""Building blocks shared by EvFocus, E2VID and FireNet.

They follow the rpg_e2vid / event_cnn_minimal definitions closely (same layer order, same
parameter counts), so that an E2VID with 3 encoders and base 32 has exactly 10,710,401
parameters (the number MODEL.md quotes), and EvFocus shares that encoder.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def pad_to_multiple(x: torch.Tensor, multiple: int) -> tuple[torch.Tensor, tuple[int, int]]:
    """Zero-pad ``x`` [B,C,H,W] at the bottom/right to a multiple; returns it and (H, W).

    On CPU the result is channels-last: oneDNN runs the small-channel convolutions of the
    light models 1.5-3x faster that way (measured: 77 -> 47 ms for EvFocus base 8 at 346x260).
    """
    h, w = x.shape[-2:]
    ph = (-h) % multiple
    pw = (-w) % multiple
    if ph or pw:
        x = F.pad(x, (0, pw, 0, ph))
    if x.device.type == "cpu":
        x = x.contiguous(memory_format=torch.channels_last)
    return x, (h, w)


class ConvLayer(nn.Module):
    """Conv2d + optional ReLU (E2VID's ``ConvLayer``)."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, relu: bool = True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2)
        self.relu = relu

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        return F.relu(x) if self.relu else x


class UpsampleConvLayer(nn.Module):
    """Bilinear x2 upsampling, then conv + ReLU (E2VID's ``UpsampleConvLayer``)."""

    def __init__(self, cin: int, cout: int, kernel: int):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, padding=kernel // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        return F.relu(self.conv(x))


class ResidualBlock(nn.Module):
    """Two 3x3 convs with a skip (no normalisation, as E2VID)."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        return F.relu(x + y)


class ConvLSTM(nn.Module):
    """Convolutional LSTM cell: one conv computes the four gates from [input, hidden].

    ``state`` is ``(hidden, cell)`` or ``None`` (zeros of the right size are made).
    """

    def __init__(self, cin: int, hidden: int, kernel: int = 3):
        super().__init__()
        self.hidden = hidden
        self.gates = nn.Conv2d(cin + hidden, 4 * hidden, kernel, padding=kernel // 2)

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None):
        if state is None or state[0].shape[-2:] != x.shape[-2:] or state[0].shape[0] != x.shape[0]:
            z = x.new_zeros(x.shape[0], self.hidden, *x.shape[-2:])
            state = (z, z)
        h, c = state
        i, f, o, g = self.gates(torch.cat([x, h], 1)).chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, (h, c)


class ConvGRU(nn.Module):
    """Convolutional GRU cell (FireNet's recurrent unit); ``state`` is the hidden map or ``None``."""

    def __init__(self, cin: int, hidden: int, kernel: int = 3):
        super().__init__()
        self.hidden = hidden
        p = kernel // 2
        self.reset_gate = nn.Conv2d(cin + hidden, hidden, kernel, padding=p)
        self.update_gate = nn.Conv2d(cin + hidden, hidden, kernel, padding=p)
        self.out_gate = nn.Conv2d(cin + hidden, hidden, kernel, padding=p)

    def forward(self, x: torch.Tensor, state: torch.Tensor | None):
        if state is None or state.shape[-2:] != x.shape[-2:] or state.shape[0] != x.shape[0]:
            state = x.new_zeros(x.shape[0], self.hidden, *x.shape[-2:])
        xh = torch.cat([x, state], 1)
        r = torch.sigmoid(self.reset_gate(xh))
        u = torch.sigmoid(self.update_gate(xh))
        n = torch.tanh(self.out_gate(torch.cat([x, state * r], 1)))
        h = state * (1 - u) + n * u
        return h, h


class RecurrentConvLayer(nn.Module):
    """Strided conv + ReLU followed by a ConvLSTM (one E2VID encoder stage)."""

    def __init__(self, cin: int, cout: int, kernel: int = 5, stride: int = 2, rec_kernel: int = 3):
        super().__init__()
        self.conv = ConvLayer(cin, cout, kernel, stride=stride)
        self.rec = ConvLSTM(cout, cout, rec_kernel)

    def forward(self, x, state):
        return self.rec(self.conv(x), state)


class CrossFusion(nn.Module):
    """CF module: brings a blur-decoder feature ``b`` into the align path ``a``.

    concat -> 3x3 conv + ReLU -> sigmoid gate (1x1) -> gated residual add. The gate lets
    the align path take blur cues only where they help (MODEL.md's proposal).
    """

    def __init__(self, channels: int, kernel: int = 3):
        super().__init__()
        self.fuse = nn.Conv2d(2 * channels, channels, kernel, padding=kernel // 2)
        self.gate = nn.Conv2d(channels, channels, 1)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.fuse(torch.cat([a, b], 1)))
        return a + torch.sigmoid(self.gate(h)) * h


def gaussian_kernel1d(sigma: float, radius: int) -> torch.Tensor:
    """Normalised 1-D Gaussian taps of length 2*radius+1 (a delta for sigma <= 0)."""
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    if sigma <= 0:
        k = (x == 0).float()
    else:
        k = torch.exp(-0.5 * (x / sigma) ** 2)
    return k / k.sum()


class ReDefocus(nn.Module):
    """Differentiable re-defocus R(S; sigma): a per-pixel soft mixture of Gaussian blurs.

    ``sigmas_px`` are the mixture's fixed blur levels (0 = identity). A 1x1 conv on the
    blur-decoder feature gives per-pixel logits over them; the re-blurred image is the
    softmax-weighted sum of the blurred copies, and the expected sigma is the defocus map.
    ``hidden`` > 0 replaces the 1x1 conv by a small head at quarter resolution with that
    many channels — a 4x4 conv with stride 4, then one 3x3 conv per entry of ``dilations``
    (1, 2, 3: about 50 px of context) — whose logits are upsampled: how wide an edge's
    events spread is a neighbourhood property, which a per-pixel readout of a few channels
    cannot see (the light model's map hardly moved with the true blur). Blur varies
    slowly; at full resolution such a head would cost as much as the light network.
    Dilations that share a factor (the eighth session's 2, 4) see only every other
    quarter-resolution pixel and print an 8 px checkerboard on the map; 1, 2, 3 do not.
    """

    def __init__(self, channels: int, sigmas_px: tuple[float, ...] = (0.0, 1.0, 2.0, 3.0, 4.5), hidden: int = 0,
                 dilations: tuple[int, ...] = (1, 2, 3)):
        super().__init__()
        k = len(sigmas_px)
        if hidden:
            if any(int(d) != d or d < 1 for d in dilations):
                raise ValueError(f"sigma_dilations must be whole numbers >= 1, got {list(dilations)}")
            layers: list[nn.Module] = [nn.Conv2d(channels, hidden, 4, stride=4), nn.ReLU(inplace=True)]
            for d in dilations:
                layers += [nn.Conv2d(hidden, hidden, 3, padding=int(d), dilation=int(d)), nn.ReLU(inplace=True)]
            self.logits: nn.Module = nn.Sequential(*layers, nn.Conv2d(hidden, k, 1))
        else:
            self.logits = nn.Conv2d(channels, k, 1)
        self.register_buffer("sigmas", torch.tensor(sigmas_px, dtype=torch.float32), persistent=False)
        self.radius = max(1, int(math.ceil(3 * max(sigmas_px))))
        kernels = torch.stack([gaussian_kernel1d(s, self.radius) for s in sigmas_px])  # [K, L]
        self.register_buffer("kernels", kernels, persistent=False)

        self.hidden = hidden

    def weights(self, feat: torch.Tensor | list[torch.Tensor]) -> torch.Tensor:
        """Mixture weights [B,K,h,w]: at the feature's resolution, or a quarter of it with
        ``hidden``. With the head, ``feat`` may be a list of same-size maps read as their
        channel concatenation without building it (a full-resolution copy costs as much as
        the head's first conv)."""
        if isinstance(feat, list | tuple) and not self.hidden:
            feat = torch.cat(list(feat), 1)
        if isinstance(feat, list | tuple):
            first = self.logits[0]
            z, c0 = None, 0
            for f in feat:
                c1 = c0 + f.shape[1]
                y = F.conv2d(f, first.weight[:, c0:c1], first.bias if z is None else None, stride=first.stride)
                z, c0 = (y if z is None else z + y), c1
            return torch.softmax(self.logits[1:](z), 1)
        return torch.softmax(self.logits(feat), 1)

    @staticmethod
    def _to(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        # bilinear: convex weights stay convex, and the sigma map of upsampled weights is the upsampled map
        return x if tuple(x.shape[-2:]) == tuple(size) else F.interpolate(x, size=size, mode="bilinear", align_corners=False)

    def sigma_map(self, w: torch.Tensor, size: tuple[int, int] | None = None) -> torch.Tensor:
        s = (w * self.sigmas.view(1, -1, 1, 1)).sum(1, keepdim=True)
        return self._to(s, size) if size else s

    def blur_stack(self, img: torch.Tensor) -> torch.Tensor:
        """All K blurred copies of a 1-channel image [B,1,H,W] -> [B,K,H,W] (separable, reflect pad)."""
        k = self.kernels.shape[0]
        r = self.radius
        x = F.pad(img, (r, r, r, r), mode="replicate").expand(-1, k, -1, -1)
        x = F.conv2d(x, self.kernels.view(k, 1, 1, -1), groups=k)
        x = F.conv2d(x, self.kernels.view(k, 1, -1, 1), groups=k)
        return x

    def forward(self, img: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return (self.blur_stack(img) * self._to(w, img.shape[-2:])).sum(1, keepdim=True)
