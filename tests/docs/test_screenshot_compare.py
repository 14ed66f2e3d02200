"""`python -m evfocus_live.gui.screenshot --compare NAME`: the README's picture with a second
model's pane; a compare model that does not load is one line and exit 2, not a picture without it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from evfocus_live.gui import screenshot


@pytest.mark.gui
def test_a_compare_model_that_does_not_load_is_one_line(qapp, tmp_path, capsys):
    out = tmp_path / "shot.png"
    rc = screenshot.main([str(out), "--compare", "nosuch", "--min-s", "0", "--min-frames", "1"])
    assert rc == 2 and not out.exists()
    assert f"{screenshot.PROG}: error: --compare: unknown model 'nosuch'" in capsys.readouterr().err


@pytest.mark.gui
def test_the_compare_pane_is_in_the_picture(qapp, tmp_path, caplog):
    caplog.set_level("INFO")
    out = tmp_path / "shot.png"
    rc = screenshot.main([str(out), "--compare", "e2vid", "--size", "1000x700", "--min-s", "0",
                          "--min-frames", "2"])
    assert rc == 0
    assert "running evfocus and e2vid (compare)" in caplog.text  # (the window the picture is of)
    img = np.asarray(Image.open(out).convert("L"), dtype=float)
    assert img.shape == (700, 1000)
    # three image panes across the top: the right-hand one (the compare pane) shows a frame
    top_right = img[40:300, 500:700]
    assert top_right.std() > 10
