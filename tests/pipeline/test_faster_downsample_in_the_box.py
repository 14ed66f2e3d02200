"""The keep-up hint suggested twice the current downsample: from --downsample 3 that was 6,
which the viewer's downsample box (off, 2x2, 4x4, 8x8 and the size it started with) does not
hold ("the Window group's downsample box at 6x6"). It now suggests the next power of two."""

from __future__ import annotations

import numpy as np
import pytest
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import Pipeline


@pytest.mark.parametrize("downsample, suggested", [(1, 2), (2, 4), (3, 4), (4, None)])
def test_the_suggested_downsample_is_one_the_box_holds(downsample, suggested):
    ev = np.zeros(10, EVENT_DTYPE)
    pipe = Pipeline(ArraySource(ev, 1280, 720), WindowConfig(downsample=downsample), model=SumModel(), post=NO_POST)
    assert pipe.faster_settings()[0] == suggested  # (4: 8 leaves 160x90, under 160x120)
