"""``evfocus reconstruct`` on an AEDAT4 recording whose camera clock restarted says it as on a RAW
file whose clock was reset: the reader's line ("the sensor clock goes back ... at byte N") alone, not
the slicer's guess ("a clock restart?"), which was all an AEDAT4 file got. (The looping replay's
``Pipeline.on_warning``: ``test_clock_restart_said``.)"""

from __future__ import annotations

import logging

from reader_support import aedat4_reset_file

from evfocus_live.cli import main


def test_reconstruct_says_the_readers_line_alone(tmp_path, tiny_ckpt, caplog):
    path, _, _ = aedat4_reset_file(tmp_path)
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", str(path), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt),
                     "--device", "cpu", "--no-progress", "--window-ms", "20"]) == 0
    said = [r.getMessage() for r in caplog.records if "clock" in r.getMessage()]
    assert len(said) == 1 and "clock goes back" in said[0], said
