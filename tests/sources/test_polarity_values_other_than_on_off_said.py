"""Polarity values other than 0, 1, -1 and 255 (uint8 -1, read as ON as documented) were read
as ON where > 0 in silence: a p column of 2s or 0.5s, or a y column read as p, made every event
ON. They still read so, but one warning per file says it, in .npy, .h5 and text files."""

from __future__ import annotations

import logging

import h5py
import numpy as np
import pytest

from evfocus_live.events import EVENT_DTYPE
from evfocus_live.sources import open_file


def _events(n=200, p=None):
    ev = np.zeros(n, EVENT_DTYPE)
    ev["t"] = np.arange(n) * 10
    ev["x"], ev["y"] = 5, 6
    ev["p"] = np.arange(n) % 2 if p is None else p
    return ev


def _said(caplog):
    return [r for r in caplog.records if "polarity holds" in r.getMessage()]


def _read_all(path):
    src = open_file(path)
    out = []
    while (b := src.read()) is not None:
        out.append(b)
    src.close()
    return np.concatenate(out)


def _write(tmp_path, kind, p):
    ev = _events(p=p)
    if kind == "npy-native":
        path = tmp_path / "ev.npy"
        np.save(path, ev)
    elif kind == "npy-n4":
        path = tmp_path / "ev4.npy"
        np.save(path, np.stack([ev["t"], ev["x"], ev["y"], np.asarray(p, np.float64) * np.ones(len(ev))], 1))
    elif kind == "h5":
        path = tmp_path / "ev.h5"
        with h5py.File(path, "w") as f:
            for k in "txy":
                f[f"events/{k}"] = ev[k]
            f["events/p"] = np.asarray(p) * np.ones(len(ev), np.asarray(p).dtype)
            f.attrs["width"], f.attrs["height"] = 346, 260
    else:
        path = tmp_path / "ev.txt"
        path.write_text("346 260\n" + "".join(f"{t} 5 6 {q:g}\n" for t, q in zip(ev["t"], np.broadcast_to(p, len(ev)))))
    return path


def _written_and_read(tmp_path, caplog, kind, p):
    if kind == "npy-native" and p.dtype != np.uint8:
        pytest.skip("a native uint8 column holds no such value")
    path = _write(tmp_path, kind, p)
    with caplog.at_level(logging.WARNING, logger="evfocus_live"):
        return _read_all(path)


@pytest.mark.parametrize("kind", ["npy-native", "npy-n4", "h5", "text"])
@pytest.mark.parametrize("p", [np.uint8(2), np.float32(0.5)], ids=["2", "0.5"])
def test_odd_polarity_values_are_said_once(tmp_path, caplog, kind, p):
    ev = _written_and_read(tmp_path, caplog, kind, p)
    assert (ev["p"] == 1).all()  # (read as before: > 0 is ON)
    said = _said(caplog)
    assert len(said) == 1, [r.getMessage() for r in caplog.records]
    assert f"e.g. {float(p):g}" in said[0].getMessage()


@pytest.mark.parametrize("kind", ["npy-native", "h5", "text"])
@pytest.mark.parametrize("p", [np.uint8(255), np.int8(-1), np.uint8(1)], ids=["255", "-1", "1"])
def test_documented_values_are_read_in_silence(tmp_path, caplog, kind, p):
    ev = _written_and_read(tmp_path, caplog, kind, p)
    assert (ev["p"] == (1 if int(p) in (1, 255) else 0)).all()
    assert not _said(caplog)
