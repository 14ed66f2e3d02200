"""A batch the recorder writes is split by the writer into packets of at most 65536 events; when
a later packet's write failed (a full disk) the earlier ones were in the file, but the recorder
counted none of the batch, so on a first write it took the file for a header alone and removed
it: a recording holding 65536 events deleted. Now the writer's own count is taken."""

from __future__ import annotations

import numpy as np
from conftest import make_events

from evfocus_live.gui.recording import Recorder
from evfocus_live.sources import open_file
from evfocus_live.writers.aedat4 import Aedat4Writer


def test_a_first_batch_cut_by_a_full_disk_keeps_its_written_packets(tmp_path, monkeypatch):
    real = Aedat4Writer._write_at_end
    calls = {"n": 0}

    def second_fails(self, data, pos):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(self, data, pos)

    monkeypatch.setattr(Aedat4Writer, "_write_at_end", second_fails)
    ev = make_events(70_000, duration_us=5_000, seed=3)
    rec = Recorder()
    path = tmp_path / "r.aedat4"
    rec.start(events_path=path, width=346, height=260)
    calls["n"] = 0  # (the header's write at the start counts not: the batch's second packet fails)
    rec.write_events(ev)
    assert rec.error is not None and "removed" not in rec.error
    assert rec.n_events == 1 << 16
    rec.stop()
    with open_file(path) as src:
        got = np.concatenate(list(src))
    assert len(got) == 1 << 16
