"""A headless run's "wrote out.mp4 (131 frames)" stood beside "done: 60 frames": the video is
written at a constant 30 fps (frames repeated or dropped to keep the recording's pace), so its
count is not the reconstructions'; the line says so now, with the rate and the length."""

from __future__ import annotations

import logging
import re

from cli_support import write_aedat4

from evfocus_live.gui import app


def test_video_line_says_video_frames_at_its_rate(tmp_path, tiny_ckpt, caplog):
    rec = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=500_000)
    video = tmp_path / "out.mp4"
    with caplog.at_level(logging.INFO, logger="evfocus_live.gui"):
        assert app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none", "--speed", "0",
                         "--window-ms", "100", "--video", str(video), "--exit-after", "30"]) == 0
    wrote = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"wrote {video}")]
    assert len(wrote) == 1 and re.fullmatch(rf"wrote {re.escape(str(video))} \(\d+ video frames? at 30 fps: "
                                            r"[0-9.]+ s, the recording's pace\)", wrote[0]), wrote
