"""``evfocus info`` says when the sensor size is max x/y + 1 of the events (.npy, .h5 without a
size): a scene that leaves the sensor's edges dark gives a size too small, with no word."""

from __future__ import annotations

import json

import h5py
import numpy as np
from conftest import make_events

from evfocus_live.cli import main

EV = make_events(500, 346, 260, seed=3)


def test_npy_without_a_size_says_it_was_inferred(tmp_path, capsys):
    p = tmp_path / "ev.npy"
    np.save(p, EV)
    assert main(["info", str(p)]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("resolution"))
    assert "max x/y + 1 of the events" in line
    assert main(["info", "--json", str(p)]) == 0
    assert json.loads(capsys.readouterr().out)["size_inferred"] is True


def test_h5_with_a_size_says_nothing(tmp_path, capsys):
    p = tmp_path / "ev.h5"
    with h5py.File(p, "w") as f:
        for k in "txyp":
            f.create_dataset(f"events/{k}", data=EV[k])
        f.attrs["width"], f.attrs["height"] = 346, 260
    assert main(["info", "--json", str(p)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["size_inferred"] is False and (info["width"], info["height"]) == (346, 260)
