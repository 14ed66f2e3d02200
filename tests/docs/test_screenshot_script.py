"""``python -m evfocus_live.gui.screenshot`` (the README's image) runs offscreen and grabs a
window whose panes show something: events, a reconstruction."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO

SIZE = (1000, 720)


def run_script(*args, timeout_s=120):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "evfocus_live.gui.screenshot", *args], capture_output=True,
                          text=True, timeout=timeout_s, env=env, cwd=REPO)


@pytest.mark.gui
def test_the_screenshot_script_grabs_a_window_whose_panes_show_something(tmp_path, tiny_ckpt):
    from PIL import Image

    out = tmp_path / "shot.png"
    r = run_script(str(out), "--size", f"{SIZE[0]}x{SIZE[1]}", "--model", str(tiny_ckpt), "--min-s", "0",
                   "--min-frames", "3", "--timeout-s", "60")
    assert r.returncode == 0, r.stderr[-2000:]
    img = np.asarray(Image.open(out).convert("L"), dtype=np.float32)
    assert img.shape == (SIZE[1], SIZE[0])
    h, w = img.shape
    events = img[int(0.12 * h):int(0.40 * h), int(0.04 * w):int(0.30 * w)]
    frame = img[int(0.12 * h):int(0.40 * h), int(0.38 * w):int(0.62 * w)]
    # (the tiny checkpoint's random weights make frames spanning ~25 grey levels, which auto-HDR
    # stretches at most 4x since its 64-level floor: std 14-22 there, 41-44 at the old 16x)
    assert events.std() > 10 and frame.std() > 5, (events.std(), frame.std())
    assert out.stat().st_size < 400_000


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    r = run_script(str(tmp_path / "shot.jpg"))
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "not a .png" in r.stderr
    r = run_script(str(tmp_path / "shot.png"), "--size", "big")
    assert r.returncode == 2 and "WxH" in r.stderr and "Traceback" not in r.stderr
