"""Headless ``--frames-dir`` wrote frames until the disk was full to the last byte (then exit 2),
while an event recording beside it stopped at the recorder's free-space minimum. The frames
now stop at the same minimum (the recorder's rule, ``recording.disk_low``): one line, the frames
written kept whole and listed, exit 2 as for the recording."""

from __future__ import annotations

import logging

import numpy as np
from cli_support import write_aedat4

from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.gui import app, recording
from evfocus_live.gui.session import FrameView

LOW_BYTES = 100 * 10**6  # under the minimum (256 MB)
PLENTY_BYTES = 10**12


def _view(index: int) -> FrameView:
    return FrameView(index=index, t_us=1000 * (index + 1), n_events=10, image=np.zeros((6, 8), np.uint8),
                     event_image=None, defocus=None, defocus_mean_px=None, infer_ms=1.0, t_done=0.0)


def test_frames_stop_at_the_minimum_and_the_written_ones_stay_whole(tmp_path, monkeypatch, caplog):
    free = [PLENTY_BYTES, PLENTY_BYTES, LOW_BYTES]
    monkeypatch.setattr(recording, "_free_bytes", lambda path: free.pop(0) if len(free) > 1 else free[0])
    sink = app._FrameSink(FrameFolder(tmp_path))
    sink.disk_check_s = 0.0  # (each frame: the test drives the sink, no clock)
    with caplog.at_level(logging.ERROR):
        for i in range(4):
            sink(_view(i))
    sink.close()
    assert (tmp_path / "timestamps.txt").read_text().splitlines() == ["0 1000", "1 2000"]
    assert sorted(p.name for p in tmp_path.glob("frame_*.png")) == ["frame_0000000000.png", "frame_0000000001.png"]
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(said) == 1 and "--frames-dir stopped: only 100 MB free" in said[0] and "256 MB" in said[0], said
    assert "2 frames written are kept" in said[0]


def test_a_headless_run_on_a_nearly_full_disk_exits_2(tmp_path, tiny_ckpt, monkeypatch, capsys):
    monkeypatch.setattr(recording, "_free_bytes", lambda path: LOW_BYTES)
    rec = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=200_000)
    out = tmp_path / "frames"
    rc = app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none", "--speed", "0",
                   "--frames-dir", str(out)])
    assert rc == 2
    assert "evfocus-live: error: --frames-dir stopped: only 100 MB free" in capsys.readouterr().err
    assert (out / "timestamps.txt").read_text() == "" and not list(out.glob("frame_*.png"))
