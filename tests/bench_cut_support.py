"""A stand-in model for the bench tests that cut a stage with a Ctrl-C."""

from __future__ import annotations

import torch


class CtrlCNet(torch.nn.Module):
    """A stand-in model: a Ctrl-C at its ``stop_at``-th call (warm-up calls counted)."""

    def __init__(self, stop_at: int | None = None):
        super().__init__()
        self.calls, self.stop_at = 0, stop_at

    def reset_states(self) -> None:
        pass

    def forward(self, x):
        self.calls += 1
        if self.stop_at is not None and self.calls >= self.stop_at:
            raise KeyboardInterrupt
        return {"image": x[:, :1]}
