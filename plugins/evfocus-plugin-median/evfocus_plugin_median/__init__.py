"""A median filter as an evfocus-live frame post-processor (entry point ``median``).

Plugin contract (group ``evfocus_live.postprocessors``): a class built with keyword
options, ``stage = "frame"``, callable ``proc(frame_uint8_HxW, t_us) -> uint8 HxW`` and
``reset()``. This one is stateless, so ``reset`` does nothing.

Example::

    proc = MedianFilter(ksize=5)
    out = proc(frame, t_us=0)   # same shape, uint8
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["MedianFilter"]


class MedianFilter:
    """Median filter of odd kernel size ``ksize`` (pixels) on uint8 frames.

    Parameters:
        ksize: odd kernel width in pixels, 3 or more (3 removes isolated speckle,
            5-7 also smooths texture).
    """

    stage = "frame"

    def __init__(self, ksize: int = 3):
        try:
            k = int(ksize)
        except (TypeError, ValueError, OverflowError):
            k = None
        # (int() alone took ksize=5.5 for 5, and said 4.5 was "4")
        if k is None or isinstance(ksize, bool) or k != ksize or k < 3 or k % 2 == 0:
            raise ValueError(f"median: ksize must be an odd whole number >= 3, got {ksize!r}")
        self.ksize = k

    def __call__(self, frame: np.ndarray, t_us: int = 0) -> np.ndarray:
        # checked, not cast: a float 0..1 frame cast to uint8 became 0s and 1s (a black frame), and
        # 0..255 floats wrapped past 255, with no word; a frame step gets uint8 HxW from evfocus
        if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 2:
            got = (f"a {frame.dtype} array of shape {'x'.join(map(str, frame.shape))}"
                   if isinstance(frame, np.ndarray) else type(frame).__name__)
            raise ValueError(f"median expects an HxW uint8 frame, got {got}")
        return cv2.medianBlur(np.ascontiguousarray(frame), self.ksize)

    def reset(self) -> None:
        """Stateless: nothing to forget between streams."""
