"""``evfocus info rec.pt``, an event recording named ``.pt`` (a ``.npy`` or ``.aedat4``
renamed), said "not a PyTorch checkpoint file": the name was taken before the content. The
content now comes first, as for every other format; a real checkpoint, or a ``.pt`` no reader
knows, is still described (or refused) as a checkpoint."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evfocus_live.events import EVENT_DTYPE
from evfocus_live.writers import Aedat4Writer


def _events(n=500):
    ev = np.zeros(n, EVENT_DTYPE)
    ev["t"] = np.arange(n) * 100
    ev["x"] = np.arange(n) % 32
    ev["y"] = np.arange(n) % 24
    ev["p"] = np.arange(n) % 2
    return ev


def _npy(path):
    with open(path, "wb") as fh:  # (np.save(path) would add .npy to the name)
        np.save(fh, _events())


def _aedat4(path):
    with Aedat4Writer(path, 32, 24) as w:
        w.write(_events())


@pytest.mark.parametrize("write, fmt", [(_npy, "npy"), (_aedat4, "aedat4")])
def test_events_named_pt_are_described_as_events(tmp_path, capsys, write, fmt):
    from evfocus_live.cli import main

    path = tmp_path / "rec.pt"
    write(path)
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["format"] == fmt and info["events"] == 500


def test_a_pt_no_reader_knows_is_still_refused_as_a_checkpoint(tmp_path, capsys):
    from evfocus_live.cli import main

    path = tmp_path / "g.pt"
    path.write_bytes(b"garbage, not torch")
    assert main(["info", str(path)]) == 2
    assert "not a PyTorch checkpoint file" in capsys.readouterr().err
