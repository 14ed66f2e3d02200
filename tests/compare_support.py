"""The ``reconstruct --compare`` tests' shared inputs: a short slice of a real recording and two
tiny checkpoints."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TINY

from evfocus_live.nn.registry import build_model, save_checkpoint


#: three 10 ms windows of a real recording: fast with tiny models
SLICE = ["--device", "cpu", "--window-ms", "10", "--end-s", "0.03", "--no-progress"]


@pytest.fixture(scope="module")
def ckpts(tmp_path_factory) -> tuple[Path, Path]:
    """A tiny EvFocus (the main model) and a tiny FireNet (the compare model)."""
    import torch

    d = tmp_path_factory.mktemp("ckpt")
    torch.manual_seed(0)
    main_ckpt = save_checkpoint(d / "evfocus_tiny.pt", build_model("evfocus", TINY))
    cmp_ckpt = save_checkpoint(d / "firenet_tiny.pt", build_model("firenet", {"base": 2}))
    return main_ckpt, cmp_ckpt
