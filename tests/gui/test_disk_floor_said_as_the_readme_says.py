"""The README says a recording is refused and stopped under 256 MB free; the floor was 256 MiB,
so the refusal read '(a recording stops under 268 MB)', a number found nowhere else."""

from __future__ import annotations

import shutil

import pytest

from evfocus_live.errors import EvFocusError
from evfocus_live.gui.recording import Recorder


def test_the_refusal_names_the_floor_the_readme_gives(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: shutil._ntuple_diskusage(10**12, 10**12 - 10**8, 10**8))
    with pytest.raises(EvFocusError, match=r"stops under 256 MB\)"):
        Recorder().start(events_path=tmp_path / "a.aedat4", width=32, height=24)
    assert not (tmp_path / "a.aedat4").exists()
