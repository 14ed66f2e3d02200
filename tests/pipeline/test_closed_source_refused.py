"""A closed source is one line saying so, not a run that makes no frame.

A closed source reads like one at its end (``read()`` gives None), so a ``Pipeline`` given a
source closed by its ``with`` block made no frame and said nothing (only a warning about APS
frames "closed while read"), and neither did ``frames()`` after ``pipe.close()``.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import DAVIS_FILE, make_events
from evfocus_live.config import ModelConfig, WindowConfig
from evfocus_live.errors import InputError
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources import open_source
from evfocus_live.sources.base import EventSource
from pipeline_support import ArraySource, SumModel

WINDOW = WindowConfig(mode="duration", window_ms=33)


def test_a_pipeline_refuses_a_source_closed_by_its_with_block():
    with open_source(str(DAVIS_FILE)) as src:
        assert not src.closed
    assert src.closed
    with pytest.raises(InputError, match=r"^the aedat4 source is closed \(it reads nothing more\): open it again$"):
        Pipeline(src, WINDOW, model_obj=SumModel())


def test_frames_after_close_is_refused_not_empty():
    pipe = Pipeline(str(DAVIS_FILE), WINDOW, ModelConfig(precision="fp32"), model_obj=SumModel())
    assert len(list(pipe.frames())) == 4
    pipe.close()
    with pytest.raises(InputError, match="source is closed"):
        next(pipe.frames())
    with pytest.raises(InputError, match="source is closed"):
        pipe.start()
    assert not pipe.running


def test_a_plugin_source_is_marked_closed_by_its_own_close():
    class Plugin(EventSource):  # a plugin's close() that does not call super().close()
        format, width, height = "lab", 8, 8

        def read(self):
            return None

        def close(self):
            self.released = True

    src = Plugin()
    src.close()
    assert src.released and src.closed
    src.close()  # still safe twice
    ev = make_events(200, 8, 8)
    kept = ArraySource(ev, 8, 8)  # a subclass that keeps ``closed`` itself still works
    assert not kept.closed
    assert np.array_equal(np.concatenate(list(kept)), ev)
    kept.close()
    assert kept.closed
