"""An ``--at`` file holding whole seconds (or ms) on a DAVIS recording's clock ("1633953691.0"):
every time lies before the events, and the error told the user to add the recording's start
(1633953690975950 µs) to them, which gives times 51 years on. It says they look like seconds
now, and how to write µs; times from 0 keep the old advice."""

from __future__ import annotations

import pytest
from conftest import DAVIS_FILE, REAL_FILES

from evfocus_live.cli import main

T0_US = REAL_FILES["davis346"]["t_first_us"]


@pytest.mark.parametrize("text, said", [
    ("1633953691.0\n1633953691\n", "look like seconds on its clock (write t_us = t * 1000000)"),
    ("1633953691000\n1633953691050\n", "look like milliseconds on its clock (write t_us = t * 1000)"),
    ("10000\n50000\n", f"times relative to the start need {T0_US} µs added"),
], ids=["s", "ms", "from-0"])
def test_the_error_says_what_the_times_look_like(tmp_path, capsys, text, said):
    at = tmp_path / "at.txt"
    at.write_text(text)
    out = tmp_path / "out"
    assert main(["reconstruct", str(DAVIS_FILE), "-o", str(out), "--at", str(at), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0], err
    assert not list(out.glob("frame_*.png"))
