"""``evfocus info`` on a file without a size whose few far-off x/y were set aside as corrupt
(``npy_file.columns_max``): the size is the max + 1 of the *other* events, and the line says
so (it said "max x/y + 1 of the events", false by the set-aside ones)."""

from __future__ import annotations

import json

import numpy as np
from conftest import make_events

from evfocus_live.cli import main


def _with_one_far_x(tmp_path):
    ev = make_events(2000, 346, 260, seed=5)
    ev["x"][7] = 1124  # (a flipped byte: 100 -> 1124)
    p = tmp_path / "ev.npy"
    np.save(p, ev)
    return p, ev


def test_set_aside_events_are_said_in_the_size_line(tmp_path, capsys):
    p, ev = _with_one_far_x(tmp_path)
    assert main(["info", str(p)]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("resolution"))
    assert line.split()[1] == str(int(np.delete(ev["x"], 7).max()) + 1)  # (not 1125)
    assert "1 event with far-off x/y set aside" in line
    assert main(["info", "--json", str(p)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["size_inferred"] is True and info["size_strays"] == 1


def test_no_strays_keeps_the_plain_wording(tmp_path, capsys):
    p = tmp_path / "ev.npy"
    np.save(p, make_events(2000, 346, 260, seed=5))
    assert main(["info", str(p)]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("resolution"))
    assert "(max x/y + 1 of the events: the file gives no size)" in line
