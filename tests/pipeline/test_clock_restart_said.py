"""A clock restart in a stream (time back over a second: a camera reset or re-synchronised, a file
with time jumping back) reaches ``Pipeline.on_warning`` (the viewer's status bar) and the log once:
the slicer only logged it, so a viewer's user saw the time readout jump back with no word. A RAW
file's reset, which its reader says, is not said a second time by the slicer."""

from __future__ import annotations

import logging
import time

import numpy as np
import pytest
from reader_support import aedat4_reset_file, reset_clock_file

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline


def _clock_file(tmp_path, fmt):
    """Events from 5 s, then on a clock restarted at 20 ms: an .npy file (its reader says nothing
    of it), a RAW file (its reader says the reset) or an AEDAT4 file (its reader says it too, as
    RAW's: before, the slicer's guess alone)."""
    if fmt == "raw":
        return reset_clock_file(tmp_path, 3)[0]
    if fmt == "aedat4":
        return aedat4_reset_file(tmp_path)[0]
    path, first, second = reset_clock_file(tmp_path, 2)
    np.save(tmp_path / "restart.npy", np.concatenate([first, second]))
    return tmp_path / "restart.npy"


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("fmt", ["npy", "raw", "aedat4"])
def test_a_clock_restart_is_said_once_over_a_looping_replay(tmp_path, caplog, tiny_model, fmt):
    pipe = Pipeline(str(_clock_file(tmp_path, fmt)), WindowConfig(mode="duration", window_ms=20),
                    model_obj=tiny_model, post=PostConfig(steps=()), speed=0)
    pipe.loop = True
    told: list[str] = []
    pipe.on_warning = told.append
    with caplog.at_level(logging.WARNING):
        pipe.start(lambda fr: None)
        deadline = time.monotonic() + 60
        while pipe.stats.loops < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        pipe.stop()
    pipe.close()
    assert pipe.stats.loops >= 3
    logged = [r.getMessage() for r in caplog.records if "clock" in r.getMessage()]
    said = [t for t in told if "clock" in t]
    if fmt == "npy":  # before: logged, never told
        assert len(said) == 1 and "jumped back by 5.2 s (a clock restart?)" in said[0], told
    else:  # the reader's line alone (before: the slicer's "clock restart?" was logged after it)
        assert len(said) == 1 and "the sensor clock goes back" in said[0], told
    assert logged == said, logged
