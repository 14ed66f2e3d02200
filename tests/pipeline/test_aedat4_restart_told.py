"""An AEDAT4 recording whose camera clock restarted reaches ``Pipeline.on_warning`` (the viewer's
status bar) and the log as a RAW file's reset does: the reader's line ("the sensor clock goes back
... at byte N"), once over a looping replay, and not the slicer's guess too ("a clock restart?"),
which was all an AEDAT4 file got."""

from __future__ import annotations

import logging
import time

import pytest
from reader_support import aedat4_reset_file

from evfocus_live.cli import main
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline


@pytest.mark.usefixtures("one_torch_thread")
def test_the_readers_line_alone_is_told_once_over_a_looping_replay(tmp_path, caplog, tiny_model):
    path, _, _ = aedat4_reset_file(tmp_path)
    pipe = Pipeline(str(path), WindowConfig(mode="duration", window_ms=20), model_obj=tiny_model,
                    post=PostConfig(steps=()), speed=0)
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
    said = [t for t in told if "clock" in t]
    assert len(said) == 1 and "the sensor clock goes back by 5.180 s" in said[0], told
    assert [r.getMessage() for r in caplog.records if "clock" in r.getMessage()] == said


def test_reconstruct_says_the_readers_line_alone(tmp_path, tiny_ckpt, caplog):
    path, _, _ = aedat4_reset_file(tmp_path)
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", str(path), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt),
                     "--device", "cpu", "--no-progress", "--window-ms", "20"]) == 0
    said = [r.getMessage() for r in caplog.records if "clock" in r.getMessage()]
    assert len(said) == 1 and "clock goes back" in said[0], said
