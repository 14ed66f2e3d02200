"""``evfocus info``: exact facts on the real recordings, text and JSON, timestamp oddities."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from conftest import REAL_FILES, make_events
from evfocus_live.cli import main

REQUIRED = {"format", "sensor", "width", "height", "events", "t_first_us", "t_last_us"}


def _info_json(capsys, path):
    rc = main(["info", str(path), "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return json.loads(out)


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_files_json_exact(capsys, name):
    facts = REAL_FILES[name]
    info = _info_json(capsys, facts["path"])
    assert REQUIRED <= set(info)
    for key in ("format", "width", "height", "events", "t_first_us", "t_last_us"):
        assert info[key] == facts[key], key
    assert info["duration_us"] == facts["t_last_us"] - facts["t_first_us"]
    assert info["rate_ev_per_s"] == pytest.approx(facts["events"] / (info["duration_us"] * 1e-6))
    assert info["non_monotonic_steps"] == 0


def test_real_file_sensor_names(capsys):
    assert _info_json(capsys, REAL_FILES["davis346"]["path"])["sensor"] == "DAVIS346_00000104"
    assert "gen41" in _info_json(capsys, REAL_FILES["evt3"]["path"])["sensor"]
    assert "gen3" in _info_json(capsys, REAL_FILES["evt2"]["path"])["sensor"]


def test_text_output(capsys):
    assert main(["info", str(REAL_FILES["evt3"]["path"])]) == 0
    out = capsys.readouterr().out
    assert "evt3" in out and "1280 x 720" in out and "219,596" in out
    assert "8,801 µs" in out and "11,718,656" in out and "11,727,457" in out
    assert "rate        24.951 Mev/s" in out


def test_slow_file_rate_in_a_unit_that_shows_it(tmp_path, capsys):
    """4 events over 2 s once read "rate 0.000 Mev/s"."""
    ev = make_events(4, t0_us=0, duration_us=2_000_000, seed=3)
    np.save(tmp_path / "slow.npy", ev)
    assert main(["info", str(tmp_path / "slow.npy")]) == 0
    rate_line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("rate "))
    assert rate_line.endswith(" ev/s") and float(rate_line.split()[1]) > 1.0, rate_line


def test_unsorted_duplicated_and_jumping_timestamps(tmp_path, capsys, caplog):
    ev = make_events(10_000, seed=1)
    ev["t"][5000:5010] = ev["t"][5000]                 # duplicates: not a step back
    ev["t"][7000:] += 2 * 3600 * 1_000_000              # a jump of two hours
    ev[[100, 200]] = ev[[200, 100]]                     # two events swapped
    np.save(tmp_path / "odd.npy", ev)
    with caplog.at_level(logging.WARNING):
        info = _info_json(capsys, tmp_path / "odd.npy")
    assert info["events"] == 10_000
    assert info["t_first_us"] == int(ev["t"].min()) and info["t_last_us"] == int(ev["t"].max())
    assert info["duration_us"] > 2 * 3600 * 1_000_000
    d = np.diff(ev["t"])
    assert info["non_monotonic_steps"] == np.count_nonzero(d < 0) >= 1
    assert info["max_step_back_us"] == int(-d.min())
    assert info["time_jumps_over_1s"] == 1
    assert "step back in time" in caplog.text and "jump" in caplog.text
    assert main(["info", str(tmp_path / "odd.npy")]) == 0
    out = capsys.readouterr().out
    assert "not strictly sorted" in out and "jump(s) forward over 1 s" in out


def test_closed_pipe_and_full_disk_on_stdout(tmp_path):
    """`evfocus info F | head -1`: quiet exit 141 as Unix tools give; a full disk: one line, exit 2."""
    import os
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "evfocus_live", "info", str(REAL_FILES["evt3"]["path"]), "--json"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdout.close()  # the reader leaves before anything is written
    with p.stderr:
        err = p.stderr.read()
    assert p.wait(timeout=120) == 141 and "Traceback" not in err and "Error" not in err, err
    if os.path.exists("/dev/full"):
        with open("/dev/full", "w") as full:
            r = subprocess.run(cmd, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
        assert r.returncode == 2, r.stderr
        assert r.stderr.strip().splitlines() == ["evfocus info: error: stdout: No space left on device"]


def test_steps_beyond_int64_are_not_counted_backwards(tmp_path, capsys):
    """A forward jump of 1e19 us overflowed np.diff's int64 into a "step back" of 8.4e18."""
    ev = make_events(100, seed=2)
    ev["t"][:50] = -5 * 10 ** 18 + np.arange(50)
    ev["t"][50:] = 5 * 10 ** 18 + np.arange(50)
    np.save(tmp_path / "far.npy", ev)
    info = _info_json(capsys, tmp_path / "far.npy")
    assert info["non_monotonic_steps"] == 0 and info["time_jumps_over_1s"] == 1
