"""Auto-HDR on short windows: its range was smoothed over 0.3 s of sensor time only, so with
1 ms windows (300 frames to follow) it stayed at the first frame's range while the model's output
warmed up 40 grey levels over the first few dozen windows, and `evfocus reconstruct --window-ms 1`
of the DAVIS346 pegboard wrote frames 65 % white on average (levels 119-179 without auto-HDR)."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.core.postprocess import AutoHdr


def warming_up(n: int, dt_us: int, warm_frames: int = 30):
    """A reconstruction whose levels rise from the model's neutral grey (120-136) to the scene's
    (130-180) over ``warm_frames`` windows ``dt_us`` apart, as the recurrent state fills."""
    rng = np.random.default_rng(3)
    texture = rng.random((72, 96))
    for k in range(n):
        f = min(1.0, k / warm_frames)
        lo, hi = 120 + 10 * f, 136 + 44 * f
        yield k * dt_us, (lo + (hi - lo) * texture).astype(np.uint8)


def white_share(img: np.ndarray) -> float:
    return float((img >= 250).mean())


@pytest.mark.parametrize("dt_us", [100, 1000])
def test_short_windows_follow_the_models_warm_up(dt_us):
    hdr = AutoHdr()
    for t_us, frame in warming_up(90, dt_us):
        out = hdr(frame, t_us)
    assert white_share(out) < 0.05, white_share(out)
    assert np.percentile(out, 99) - np.percentile(out, 1) > 150  # stretched, not blown out


def test_long_windows_are_still_smoothed_over_sensor_time():
    """33 ms windows: a jump of the scene's levels is followed over ~0.3 s, not at once."""
    rng = np.random.default_rng(4)
    dim = rng.integers(90, 170, (64, 64)).astype(np.uint8)
    hdr = AutoHdr()
    hdr(dim, 0)
    lo0 = hdr._lo
    hdr(np.clip(dim.astype(int) + 60, 0, 255).astype(np.uint8), 33_000)
    assert hdr._lo - lo0 == pytest.approx(60 * (1 - np.exp(-33 / 300)), abs=1.0)
