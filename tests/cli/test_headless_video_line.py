"""A headless run's "wrote out.mp4 (131 frames)" stood beside "done: 60 frames": the video is
written at a constant 30 fps (frames repeated or dropped to keep the recording's pace), so its
count is not the reconstructions'; the line says so now, with the rate and the length."""

from __future__ import annotations

import re

from headless_support import headless_lines


def test_video_line_says_video_frames_at_its_rate(tmp_path, tiny_ckpt, caplog):
    video = tmp_path / "out.mp4"
    wrote = headless_lines(tmp_path, tiny_ckpt, caplog, f"wrote {video}", "--speed", "0", "--window-ms", "100",
                           "--video", str(video), "--exit-after", "30", duration_us=500_000)
    assert len(wrote) == 1 and re.fullmatch(rf"wrote {re.escape(str(video))} \(\d+ video frames? at 30 fps: "
                                            r"[0-9.]+ s, the recording's pace\)", wrote[0]), wrote
