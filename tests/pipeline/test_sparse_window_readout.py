"""A looped short file's leftover window (1,881 of 107,520 events) gave a defocus readout as
confident as a full window's, and the meter's curve spiked every pass: a window under
``MIN_READOUT_EVENTS_PER_PX`` gets ``defocus_px`` None; full windows keep their number."""

from __future__ import annotations

import numpy as np
from conftest import make_events
from pipeline_support import NO_POST, ArraySource

from evfocus_live.config import ModelConfig, WindowConfig
from evfocus_live.pipeline import Pipeline

W, H = 48, 40


def test_the_leftover_window_has_no_readout(tiny_ckpt):
    per_window = 700  # 0.36 events per pixel
    ev = make_events(3 * per_window + 5, W, H, duration_us=60_000)
    pipe = Pipeline(ArraySource(ev, W, H), WindowConfig(window_events=per_window),
                    model=ModelConfig(name=str(tiny_ckpt), device="cpu"), post=NO_POST)
    frames = list(pipe.frames())
    assert [f.n_events for f in frames] == [per_window] * 3 + [5]
    assert all(f.sigma is not None for f in frames)
    assert all(np.isfinite(f.defocus_px) for f in frames[:3])
    assert frames[-1].defocus_px is None
