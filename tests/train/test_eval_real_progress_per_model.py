"""`evfocus eval` on real recordings: the bar counted recordings, so one model's minute or more
on a large recording's windows showed a bar standing still at 0/1."""

from __future__ import annotations

from conftest import make_events
from train_support import _GreyModel

from evfocus_live.train.evaluate import evaluate_real
from evfocus_live.writers.hdf5 import Hdf5Writer


def _recording(path, w, h, n=20_000):
    with Hdf5Writer(path, w, h, sensor="test") as wr:
        wr.write(make_events(n, w, h, duration_us=500_000))
    return path


def test_each_model_shows_its_progress_over_a_recordings_windows(tmp_path, capsys):
    """The real recordings' bar counted files: a model's minute on a large recording's 60
    windows showed a bar standing at 0/1. Each model now has a bar over its windows."""
    rec = _recording(tmp_path / "rec.h5", 64, 48)
    evaluate_real({"grey": _GreyModel()}, [rec], max_windows=3, brisque_frames=1, progress=True, warmup=0)
    err = capsys.readouterr().err
    assert "grey on rec.h5" in err and "window" in err, err
