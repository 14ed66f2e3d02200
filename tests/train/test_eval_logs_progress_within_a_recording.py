"""`evfocus eval --data one_large_recording > log.txt 2>&1`: without a bar the progress line came
only as a recording was done, so one slow model on one large recording said nothing for minutes,
where the README promises a line every 30 s."""

from __future__ import annotations

import logging

from conftest import make_events
from train_support import _GreyModel

from evfocus_live.train import evaluate
from evfocus_live.writers.hdf5 import Hdf5Writer


def test_windows_said_without_a_bar(tmp_path, monkeypatch, caplog):
    rec = tmp_path / "rec.h5"
    with Hdf5Writer(rec, 64, 48, sensor="test") as wr:
        wr.write(make_events(20_000, 64, 48, duration_us=500_000))
    monkeypatch.setattr(evaluate, "PROGRESS_LOG_S", 0.0)
    with caplog.at_level(logging.INFO, logger="evfocus_live.train.evaluate"):
        evaluate.evaluate_real({"grey": _GreyModel()}, [rec], max_windows=3, brisque_frames=1, progress=False,
                               warmup=0)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("grey on rec.h5")]
    assert lines == ["grey on rec.h5: 1/3 done", "grey on rec.h5: 2/3 done"], lines
