"""With a downsample already on, the keep-up hint's ROI said only "(a 346x260 part of the
sensor)": at --downsample 4 of a 1280x720 sensor the model would see 87x65, which it did not
say. The model's size is now given beside it whenever a downsample is on."""

from __future__ import annotations

import numpy as np
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.gui.session import faster_hint
from evfocus_live.pipeline import Pipeline


def test_the_roi_says_what_the_model_sees_with_a_downsample_on():
    ev = np.zeros(10, EVENT_DTYPE)
    pipe = Pipeline(ArraySource(ev, 1280, 720, live=True), WindowConfig(downsample=4), model=SumModel(), post=NO_POST)
    assert faster_hint(pipe, viewer=False) == (
        "try --roi 467,230,346,260 (a 346x260 part of the sensor: the model sees 87x65 at downsample 4)")
