"""Session 21 review (rev1): the five merged changes used together, as a user would.

- ``evfocus reconstruct A B --start-s S`` where S lies past B's end (A reconstructed first):
  the error line did not say which input it was about ("start 0.06 s is after the end of the
  recording (0.050 s)"), with ``--jobs 1`` or ``--jobs 2``: it now names the input.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.cli import main


@pytest.fixture
def two_lengths(tmp_path):
    """A 0.3 s and a 0.05 s recording (.npy), a small sensor."""
    long_rec, short_rec = tmp_path / "long.npy", tmp_path / "short.npy"
    np.save(long_rec, make_events(30_000, 64, 48, duration_us=300_000, seed=1))
    np.save(short_rec, make_events(5_000, 64, 48, duration_us=50_000, seed=2))
    return long_rec, short_rec


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_start_past_one_inputs_end_names_that_input(tmp_path, two_lengths, tiny_ckpt, capsys, jobs):
    long_rec, short_rec = two_lengths
    out = tmp_path / "out"
    assert main(["reconstruct", str(long_rec), str(short_rec), "-o", str(out), "--model", str(tiny_ckpt),
                 "--device", "cpu", "--no-progress", "--start-s", "0.1", "--jobs", jobs]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if "error" in ln]
    assert len(err) == 1, err
    assert str(short_rec) in err[0] and "after the end of the recording" in err[0], err
    assert str(long_rec) not in err[0]
    assert (out / "long" / "timestamps.txt").is_file()  # the other input is done all the same
