"""An event-stage post-processor that moves events off the sensor (an undistortion or a shift
done wrong): the voxel grid ignored them in silence, so a tenth of the events vanished with no
word. A source's events outside its sensor are dropped with one warning naming it; now a
filter's are too."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import numpy as np
import pytest

from conftest import make_events
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.core.postprocess import apply_event_filters
from evfocus_live.pipeline import Pipeline
from evfocus_live.plugins import POSTPROCESSORS
from plugin_support import _with_extra, tiny_factory

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class OffSensor:
    stage = "events"

    def __init__(self, width=None, height=None):
        self.width = width

    def __call__(self, events):
        out = events.copy()
        out["x"][: len(out) // 10] = self.width + 5
        return out

    def reset(self):
        pass


def test_events_a_filter_put_off_the_sensor_are_dropped_and_said_once(tmp_path, monkeypatch, caplog):
    _with_extra(monkeypatch, [EntryPoint("offsensor", "test_event_filter_outside_said:OffSensor", POSTPROCESSORS)])
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(8_000, width=64, height=48, duration_us=200_000))
    pipe = Pipeline(str(rec), WindowConfig(mode="events", window_events=1_000),
                    post=PostConfig(steps=("offsensor",)), model_obj=tiny_factory("tiny", "cpu"))
    try:
        frames = list(pipe.frames())
    finally:
        pipe.close()
    said = [r.getMessage() for r in caplog.records if "outside the 64x48 sensor" in r.getMessage()]
    assert len(said) == 1 and "'offsensor'" in said[0] and "dropped" in said[0], said
    assert frames and sum(f.n_events for f in frames) < 8_000 * 0.95  # (the moved tenth is not in a window)


def test_events_on_the_sensor_pass_unsaid(caplog):
    ev = make_events(500, width=64, height=48)
    assert len(apply_event_filters([lambda e: e], ev, 64, 48)) == 500
    assert not [r for r in caplog.records if "outside" in r.getMessage()]
