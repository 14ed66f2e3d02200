"""A RAW file's clock reset and damaged tail, found while it plays, reach ``Pipeline.on_warning``
(the viewer's status bar): the reader logged them on its thread only, so a viewer's user saw the
time jump back, or the replay end early, with no word (only the slicer's late events were passed on)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events
from evt_reference import encode_evt2, raw_file_bytes

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline


@pytest.mark.usefixtures("one_torch_thread")
def test_a_clock_reset_and_a_damaged_tail_reach_the_listener_once(tmp_path, tiny_model):
    first = make_events(4000, 64, 48, t0_us=5_000_000, duration_us=100_000, seed=1)
    after = make_events(4000, 64, 48, t0_us=20_000, duration_us=100_000, seed=2)  # the clock reset
    garbage = np.random.default_rng(3).integers(0, 256, 8192, dtype=np.uint8).tobytes()
    path = tmp_path / "reset_then_garbage.raw"
    path.write_bytes(raw_file_bytes(first, 2, width=64, height=48) + encode_evt2(after) + garbage)
    pipe = Pipeline(str(path), WindowConfig(mode="duration", window_ms=20), model_obj=tiny_model,
                    post=PostConfig(steps=()), speed=0)
    told: list[str] = []
    pipe.on_warning = told.append
    pipe.start(lambda fr: None)
    assert pipe.wait(60)
    pipe.close()
    resets = [t for t in told if "clock goes back" in t]
    damage = [t for t in told if "damaged or garbage" in t]
    assert len(resets) == 1 and len(damage) == 1, told  # (before: none)
