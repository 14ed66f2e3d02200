"""``evfocus reconstruct --start-s/--end-s`` on a RAW file whose sensor clock was reset: its two
clocks share one time line, and the seconds were counted from the earliest time (the second
clock's first), so ``--start-s 0.1`` quietly reconstructed the whole file (the same frames as
``--start-s 0``) and a start past the end was said against a length of 1.348 s (the first
clock's last time minus the second's first) for 0.25 s of events. Such times are now refused,
in one line naming the reset's byte and times and what to do, before any output."""

from __future__ import annotations

import pytest
from conftest import EVT2_FILE, make_events
from evt_reference import encode_evt2

from evfocus_live.cli import main

RESET_BYTE = EVT2_FILE.stat().st_size  # the new clock's first TIME_HIGH word


@pytest.fixture
def reset_file(tmp_path):
    """The real 50 ms EVT2 recording (1.318-1.368 s), then 0.2 s on a clock restarted at 20 ms."""
    after = make_events(5000, 640, 480, t0_us=20_000, duration_us=200_000, seed=7)
    path = tmp_path / "reset.raw"
    path.write_bytes(EVT2_FILE.read_bytes() + encode_evt2(after))
    return path


def _errors(capsys) -> list[str]:
    return [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]


@pytest.mark.parametrize("times", [["--start-s", "0.1"], ["--end-s", "0.05"], ["--start-s", "2"]])
def test_times_on_a_file_with_a_clock_reset_are_refused_in_one_line(tmp_path, reset_file, tiny_ckpt, capsys,
                                                                   times):
    out = tmp_path / "out"
    assert main(["reconstruct", str(reset_file), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", *times]) == 2
    err = _errors(capsys)
    assert len(err) == 1, err  # (before: 0, frames of the whole file; or "after the end ... (1.348 s)")
    assert f"clock was reset at byte {RESET_BYTE}" in err[0] and "--start-s/--end-s" in err[0], err
    assert "1.368 s back to 0.020 s" in err[0] and "1.318-1.368 s, 0.020-0.220 s" in err[0], err
    assert "reconstruct it whole, or split it" in err[0] and "Traceback" not in err[0]
    assert not list(out.glob("*.png"))


def test_several_inputs_are_checked_before_any_output(tmp_path, reset_file, tiny_ckpt, capsys):
    out = tmp_path / "out"
    assert main(["reconstruct", str(EVT2_FILE), str(reset_file), "-o", str(out), "--model", str(tiny_ckpt),
                 "--device", "cpu", "--no-progress", "--end-s", "0.02"]) == 2
    err = _errors(capsys)
    assert len(err) == 1 and f"byte {RESET_BYTE}" in err[0] and "reset.raw" in err[0], err
    assert not out.exists()  # before: the first input's frames, then the second's run


def test_a_file_of_one_clock_keeps_its_times(tmp_path, tiny_ckpt, capsys):
    out = tmp_path / "out"
    assert main(["reconstruct", str(EVT2_FILE), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", "--start-s", "0.02", "--end-s", "0.04", "--window-ms", "10"]) == 0
    t = [int(ln.split()[-1]) for ln in (out / "timestamps.txt").read_text().split("\n") if ln.strip()]
    assert t and 1_317_888 + 20_000 < t[0] and t[-1] <= 1_317_888 + 40_000
