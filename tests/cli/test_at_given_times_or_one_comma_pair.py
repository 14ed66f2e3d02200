"""``--at`` takes a file of frame times. ``--at 0,33000`` (the times themselves) said "0,33000: no
such timestamps file", naming neither what --at takes nor how to give times; a file whose one
row is ``0,33000`` said "'0.33000' is not a whole number of µs (a file in seconds?)", a number
the user never wrote. Both say now what --at takes, or both readings of the pair."""

from __future__ import annotations

import pytest
from conftest import DAVIS_FILE

from evfocus_live.cli import main
from evfocus_live.core.slicing import read_timestamps
from evfocus_live.errors import ConfigError


@pytest.mark.parametrize("value", ["0,33000", "33000", "0 33000", "0;1.5"])
def test_times_given_inline_are_refused_saying_what_at_takes(tmp_path, capsys, monkeypatch, value):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert main(["reconstruct", str(DAVIS_FILE), "-o", str(out), "--at", value, "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--at takes a file of frame times" in err[0] and f"no file named {value!r}" in err[0], err
    assert not out.exists() or not list(out.glob("frame_*.png"))


def test_a_file_named_like_a_time_is_still_read(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "33000").write_text("33000\n")
    assert main(["reconstruct", str(DAVIS_FILE), "-o", str(tmp_path / "out"), "--at", "33000", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "every --at time (33000" in err and "--at takes a file" not in err, err


def test_one_comma_pair_row_names_both_readings(tmp_path):
    at = tmp_path / "at.txt"
    at.write_text("0,33000\n")
    with pytest.raises(ConfigError) as err:
        read_timestamps(at)
    msg = str(err.value)
    assert "'0.33000' is not a whole number of µs" in msg  # (the decimal-comma reading, as before)
    assert "if '0,33000' is 'index,t_us' (frame 0 at 33000 µs), write '0 33000'" in msg
