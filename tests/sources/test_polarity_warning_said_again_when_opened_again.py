"""The odd-polarity warning was said once per path for the whole process: the viewer, whose
status bar shows a file's warnings when it is opened, said nothing the second time the same file
was opened (another file in between), while the file's other warnings (5 columns, ...) came
again. It is said once per opening now, as they are (still once in a read of many batches)."""

from __future__ import annotations

import logging

import h5py
import numpy as np
import pytest

from evfocus_live.events import EVENT_DTYPE
from evfocus_live.sources import open_file


def _write(tmp_path, kind):
    ev = np.zeros(3000, EVENT_DTYPE)
    ev["t"] = np.arange(len(ev)) * 10
    ev["x"], ev["y"], ev["p"] = 5, 6, 2
    if kind == "npy":
        np.save(path := tmp_path / "ev.npy", ev)
    elif kind == "npz":
        np.savez(path := tmp_path / "ev.npz", t=ev["t"], x=ev["x"], y=ev["y"], p=ev["p"], width=64, height=48)
    elif kind == "h5":
        with h5py.File(path := tmp_path / "ev.h5", "w") as f:
            for k in "txyp":
                f[f"events/{k}"] = ev[k]
            f.attrs["width"], f.attrs["height"] = 64, 48
    else:
        (path := tmp_path / "ev.txt").write_text("64 48\n" + "".join(f"{t} 5 6 2\n" for t in ev["t"]))
    return path


@pytest.mark.parametrize("kind", ["npy", "npz", "h5", "text"])
def test_said_once_per_opening(tmp_path, caplog, kind):
    path = _write(tmp_path, kind)
    with caplog.at_level(logging.WARNING, logger="evfocus_live"):
        for _ in range(2):
            with open_file(path) as src:
                src.time_range_us()
                while src.read() is not None:
                    pass
    said = [r.getMessage() for r in caplog.records if "polarity holds" in r.getMessage()]
    assert said == [f"{path}: polarity holds 1 value(s) other than 0, 1, -1 and 255 (e.g. 2): read as ON "
                    "where > 0, else OFF; check that the columns are t x y p"] * 2
