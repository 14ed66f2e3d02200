"""``evfocus reconstruct A B --start-s S`` with S past B's end: every input is checked before
any work, so the run fails in one line naming B, and A's frames are not written first."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import EVT2_FILE, EVT3_FILE, make_events

from evfocus_live.cli import main


@pytest.fixture
def recordings(tmp_path):
    """A 0.3 s and a 0.05 s recording (.npy), a small sensor."""
    long_rec, short_rec = tmp_path / "long.npy", tmp_path / "short.npy"
    np.save(long_rec, make_events(30_000, 64, 48, duration_us=300_000, seed=1))
    np.save(short_rec, make_events(5_000, 64, 48, duration_us=50_000, seed=2))
    return long_rec, short_rec


def _errors(capsys) -> list[str]:
    return [ln for ln in capsys.readouterr().err.splitlines() if "error" in ln.lower()]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_start_past_a_later_inputs_end_fails_before_any_output(tmp_path, recordings, tiny_ckpt, capsys, jobs):
    long_rec, short_rec = recordings
    out = tmp_path / "out"
    assert main(["reconstruct", str(long_rec), str(short_rec), "-o", str(out), "--model", str(tiny_ckpt),
                 "--device", "cpu", "--no-progress", "--start-s", "0.1", "--jobs", jobs]) == 2
    err = _errors(capsys)
    assert len(err) == 1, err
    assert f"{short_rec} (0.050 s)" in err[0] and "--start-s 0.1 s is after the end" in err[0], err
    assert str(long_rec) not in err[0]
    assert not out.exists()  # before: out/long held the first input's frames


def test_every_short_input_is_named_and_raw_files_too(tmp_path, recordings, tiny_ckpt, capsys):
    long_rec, short_rec = recordings
    out = tmp_path / "out"
    # the 0.3 s .npy is long enough; the 50 ms EVT2 and the 9 ms EVT3 files are not
    assert main(["reconstruct", str(long_rec), str(EVT2_FILE), str(EVT3_FILE), "-o", str(out), "--model",
                 str(tiny_ckpt), "--device", "cpu", "--no-progress", "--start-s", "0.06"]) == 2
    err = _errors(capsys)
    assert len(err) == 1 and f"{EVT2_FILE} (0.050 s)" in err[0] and f"{EVT3_FILE} (0.009 s)" in err[0], err
    assert not out.exists()


def test_a_start_inside_every_input_runs_them_all(tmp_path, recordings, tiny_ckpt, capsys):
    long_rec, short_rec = recordings
    out = tmp_path / "out"
    assert main(["reconstruct", str(long_rec), str(short_rec), "-o", str(out), "--model", str(tiny_ckpt),
                 "--device", "cpu", "--no-progress", "--start-s", "0.03", "--window-ms", "10"]) == 0
    for name in ("long", "short"):
        assert (out / name / "timestamps.txt").read_text().strip()
