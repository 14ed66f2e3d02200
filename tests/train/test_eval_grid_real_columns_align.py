"""The real-recording grid's columns did not line up across rows: a DAVIS row (events | APS
frame | models) beside a Prophesee row (events | models) put each model one column to the
right of its own name in the other row, and sensors of other widths gave tiles of other
widths, padded at the row's end. Every row now has the same columns of one width: a row
without an APS frame gets a blank "no APS frame" tile."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REAL_FILES, make_events
from train_support import _GreyModel

from evfocus_live.train.evaluate import evaluate_real
from evfocus_live.writers.hdf5 import Hdf5Writer

pytestmark = pytest.mark.usefixtures("one_torch_thread")

DAVIS = REAL_FILES["davis346"]


def _recording(path, w, h, n=20_000):
    with Hdf5Writer(path, w, h, sensor="test") as wr:
        wr.write(make_events(n, w, h, duration_us=500_000))
    return path


def test_rows_of_sensors_of_other_widths_have_one_tile_width(tmp_path):
    files = [_recording(tmp_path / "narrow.h5", 64, 48), _recording(tmp_path / "wide.h5", 96, 48)]
    _, rows = evaluate_real({"a": _GreyModel(), "b": _GreyModel()}, files, max_windows=3, brisque_frames=1,
                            progress=False, warmup=0)
    assert [r.shape[1] for r in rows] == [3 * 96, 3 * 96]  # events | a | b, each 96 px wide
    assert rows[0].shape[0] == 48 * 96 // 64  # the narrow sensor's tiles enlarged, aspect kept


def test_a_row_without_aps_frames_keeps_the_model_columns_of_a_davis_row(tmp_path):
    if not DAVIS["path"].is_file():
        pytest.skip("../shared/data holds no DAVIS346 recording")
    other = _recording(tmp_path / "prophesee_like.h5", 346, 260, n=80_000)
    _, rows = evaluate_real({"grey": _GreyModel()}, [DAVIS["path"], other], max_windows=3, brisque_frames=1,
                            progress=False, warmup=1)
    w = DAVIS["width"]
    assert [r.shape[1] for r in rows] == [3 * w, 3 * w]  # events | APS frame (or none) | grey
    blank = rows[1][30:, w:2 * w]  # the missing APS frame, below its label
    assert (blank == 32).all()
    # the model's column holds the model's (grey) frame in both rows
    for r in rows:
        model_tile = r[30:, 2 * w:3 * w].astype(int)
        assert np.ptp(model_tile) <= 2, np.ptp(model_tile)


def test_synthetic_rows_of_other_resolutions_have_one_tile_width(tmp_path):
    """--data test_80px test_96px, one split each: the 80-px split's tiles were enlarged x3
    (240 px), the 96-px split's x2 (192 px): columns of other widths. Every tile now has the
    largest sensor's enlarged width."""
    from evfocus_live.train.evaluate import evaluate_ground_truth
    from evfocus_live.train.synth import simulate_minimal

    mild = simulate_minimal(tmp_path / "a" / "seq_00000.h5", width=80, height=64, n_frames=6,
                            sigma_range=(0.5, 0.5), seed=1)
    severe = simulate_minimal(tmp_path / "b" / "seq_00000.h5", width=96, height=64, n_frames=6,
                              sigma_range=(6.0, 6.0), seed=2)
    res, rows = evaluate_ground_truth({"grey": _GreyModel()}, [mild, severe], warmup=0, progress=False)
    assert {s["split"] for s in res["sequences"]} == {"mild", "severe"}
    assert [r.shape[1] for r in rows] == [4 * 192, 4 * 192]  # events | defocused | sharp | grey

