"""``simulate --images walk.mp4`` names 32 frames of the video (``walk.mp4#0`` ...): the check
for pictures smaller than the sensor opened the video once per frame name when it was large
enough (only a small one was skipped after its first frame), 32 opens of the same header."""

from __future__ import annotations

from evfocus_live.simulate import textures


def test_a_large_video_is_opened_once(monkeypatch):
    opened = []

    class Capture:
        def __init__(self, path):
            opened.append(path)

        def get(self, prop):
            return 1920 if prop == textures.cv2.CAP_PROP_FRAME_WIDTH else 1080

        def release(self):
            pass

    monkeypatch.setattr(textures.cv2, "VideoCapture", Capture)
    names = [f"/x/walk.mp4#{k}" for k in range(32)]
    assert textures.pictures_smaller_than(names, 346, 260) == []
    assert opened == ["/x/walk.mp4"]
