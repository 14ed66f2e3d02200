"""``evfocus info --json`` on a file whose times the reader converted (epoch nanoseconds, float
seconds) looked like any other: the conversion was in a warning only. ``t_unit_in_file`` keeps it,
and the text says so for nanoseconds."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import DAVIS_FILE, make_events

from evfocus_live.cli import main

EPOCH_US = 1_700_000_000_000_000


@pytest.mark.parametrize("kind, unit", [("us", "us"), ("ns", "ns"), ("s", "s")])
def test_info_says_the_unit_the_times_were_read_from(tmp_path, capsys, kind, unit):
    ev = make_events(5000, 64, 48, t0_us=1000, duration_us=200_000, seed=2)
    t_us = ev["t"].astype(np.int64) + EPOCH_US
    t = {"us": t_us, "ns": t_us * 1000, "s": (ev["t"] / 1e6)}[kind]
    path = tmp_path / f"{kind}.npz"
    np.savez(path, t=t, x=ev["x"], y=ev["y"], p=ev["p"], width=64, height=48)
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["t_unit_in_file"] == unit
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    assert ("epoch nanoseconds, read as µs" in text) is (unit == "ns")


def test_a_recording_in_microseconds_says_us(capsys):
    assert main(["info", str(DAVIS_FILE), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["t_unit_in_file"] == "us"
