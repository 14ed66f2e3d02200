"""Post-processor options out of range and hot-pixel lists outside the sensor are refused."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.core.postprocess import AutoHdr, NoiseFilter, UnsharpMask
from evfocus_live.errors import ConfigError


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize("cls, kw", [
    (AutoHdr, dict(min_range=0)), (AutoHdr, dict(min_range=-1)), (AutoHdr, dict(smoothing_ms=float("nan"))),
    (UnsharpMask, dict(amount=float("nan"))), (UnsharpMask, dict(sigma=float("inf"))),
    (NoiseFilter, dict(duration_us=-5)),
])
def test_postprocessor_options_out_of_range_are_refused(cls, kw):
    """Each gave garbage frames (NaN cast to uint8), a ZeroDivisionError on a flat frame, an
    OpenCV assertion on the first frame, or dropped every event."""
    with pytest.raises(ConfigError):
        cls(**kw)


def test_hot_pixel_list_outside_the_sensor_masks_no_other_pixel(tmp_path):
    """'400 0' on a 346-wide sensor masked pixel (54, 1) of the next row; past the last row
    it raised IndexError."""
    from evfocus_live.core.postprocess import HotPixelMask
    from evfocus_live.events import EVENT_DTYPE

    lst = tmp_path / "hot.txt"
    lst.write_text("400 0\n10 300\n5 5\n")
    hp = HotPixelMask(path=str(lst), learn_s=0, width=346, height=260)
    assert sorted(map(tuple, hp.hot_pixels.tolist())) == [(5, 5), (10, 300), (400, 0)]
    ev = np.zeros(3, EVENT_DTYPE)
    ev["x"], ev["y"], ev["t"] = [54, 5, 345], [1, 5, 259], [1, 2, 3]
    assert hp(ev)["x"].tolist() == [54, 345]
