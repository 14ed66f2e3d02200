"""Leaky direct event integration as an evfocus-live model plugin (entry point ``integrator``).

Plugin contract (group ``evfocus_live.models``): the entry point is a factory called as
``factory(name, device)`` (``name``: the entry-point name, ``device``: ``"cpu"``,
``"cuda"`` or ``"cuda:N"``) that returns the model, moved to ``device``. The model has
``reset_states()`` (a new stream: forget the recurrent state) and is called as
``model(voxel)`` with a float32 voxel grid ``[1, bins, H, W]`` on that device, in the
pipeline's worker thread, under ``torch.inference_mode()``; it returns a dict with
``image``, a float tensor ``[1, 1, H, W]`` in 0..1 (any H, W). ``bins`` is 5 unless the
model has a ``config`` dict with ``num_bins``.

Example::

    model = make_model("integrator", "cpu")
    model.reset_states()
    out = model(torch.zeros(1, 5, 48, 64))   # out["image"]: [1, 1, 48, 64] in 0..1
"""

from __future__ import annotations

import torch

__all__ = ["LeakyIntegrator", "make_model"]


class LeakyIntegrator(torch.nn.Module):
    """Log-brightness = leak * previous + contrast * (ON - OFF events), shown through a sigmoid.

    Parameters:
        num_bins: voxel bins it takes (all are summed).
        contrast: log-brightness step per event (0.1-0.3 like a DVS contrast threshold).
        leak: fraction of the brightness kept per window (1 = never forget).
    """

    def __init__(self, num_bins: int = 5, contrast: float = 0.2, leak: float = 0.9):
        super().__init__()
        self.config = {"num_bins": int(num_bins)}  # read by the pipeline for the voxel grid
        self.contrast, self.leak = float(contrast), float(leak)
        self._state: torch.Tensor | None = None

    def reset_states(self) -> None:
        self._state = None

    def check_voxel(self, voxel) -> None:
        """Refuse what is not a ``[1, num_bins, H, W]`` tensor with one line: a numpy array was an
        AttributeError ('numpy.ndarray' has no attribute 'float'), and a 3-D ``[bins, H, W]`` grid
        was summed over H and gave a wrong image without a word. Copy this into your model."""
        if not torch.is_tensor(voxel):
            raise TypeError(f"integrator: voxel must be a torch tensor [1, bins, H, W], got {type(voxel).__name__}"
                            " (torch.from_numpy(grid)[None] makes one from a bins x H x W numpy grid)")
        bins = self.config["num_bins"]
        if voxel.ndim != 4 or voxel.shape[0] != 1 or voxel.shape[1] != bins or not voxel.is_floating_point():
            got = "x".join(map(str, voxel.shape)) or "a scalar"
            raise ValueError(f"integrator: voxel must be a float tensor [1, {bins}, H, W], got {voxel.dtype} of shape {got}")

    def forward(self, voxel: torch.Tensor) -> dict[str, torch.Tensor]:
        self.check_voxel(voxel)
        x = voxel.float().sum(dim=1, keepdim=True) * self.contrast
        if self._state is None or self._state.shape != x.shape:  # first window, or a new size
            self._state = torch.zeros_like(x)
        self._state = self._state * self.leak + x
        return {"image": torch.sigmoid(self._state)}


def make_model(name: str, device: str) -> LeakyIntegrator:
    """Entry-point factory: no checkpoint to load, so just build it on ``device``."""
    return LeakyIntegrator().to(device).eval()
