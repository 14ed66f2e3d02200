"""`simulate --images clip.webm` of a video whose container gives no frame count (a
browser's MediaRecorder .webm: OpenCV says 0 or -1) was refused as "no frames OpenCV can
decode" though every frame decodes: such a video's frames are counted by reading it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from evfocus_live.simulate import textures


@pytest.mark.parametrize("said_count", [0.0, -1.0])
def test_a_video_without_a_frame_count_gives_its_frames(tmp_path, monkeypatch, said_count):
    video = tmp_path / "clip.avi"
    wr = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (32, 24))
    for k in range(40):
        wr.write(np.full((24, 32, 3), 6 * k, np.uint8))
    wr.release()

    real = cv2.VideoCapture

    class NoCount:  # (a wrapper: a subclass of OpenCV's class crashed pytest's traceback)
        def __init__(self, *args):
            self._cap = real(*args)

        def get(self, prop):
            return said_count if prop == cv2.CAP_PROP_FRAME_COUNT else self._cap.get(prop)

        def __getattr__(self, name):
            return getattr(self._cap, name)

    monkeypatch.setattr(cv2, "VideoCapture", NoCount)
    names = textures.user_image_names([str(video)])
    frames = [textures.split_frame(n)[1] for n in names]
    assert len(frames) == textures.VIDEO_FRAMES and frames[0] == 0 and frames[-1] == 39, frames
