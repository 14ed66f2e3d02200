"""A Python user of ``Pipeline`` learnt what ``device="auto"`` and ``precision="auto"`` chose from
the library's INFO lines ("device auto -> cpu", "inference backend eager under bf16 autocast");
s29-logdepth made them DEBUG, each command saying one "running ... on ... in ..." line of its
own, which left the API user with none. ``pipe.what_runs`` is that line."""

from __future__ import annotations

import numpy as np
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.events import EVENT_DTYPE
from evfocus_live.gui.precision import effective_precision
from evfocus_live.pipeline import Pipeline


def test_what_runs_names_the_model_device_and_precision():
    with Pipeline(ArraySource(np.zeros(3, EVENT_DTYPE), 64, 48), model=SumModel(), post=NO_POST) as pipe:
        line = pipe.what_runs
        assert line == f"running {pipe.model_cfg.name} on {pipe.device} in {effective_precision(pipe)}"
        assert " on cpu in " in line
