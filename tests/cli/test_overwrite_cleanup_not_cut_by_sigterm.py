"""SIGTERM (or Ctrl-C) while ``reconstruct --overwrite`` removed an earlier run's frames cut
the clean-up in the middle: exit 130, but the folder kept a timestamps.txt naming frames that
were gone. The clean-up now runs to its end with the signal held, then the run stops (exit 130,
one line), the folder left empty, and a rerun without --overwrite is not refused.

Run in this process (``main`` puts the SIGTERM handler there was back): a subprocess spent most
of its 5-10 s importing torch and evfocus_live again."""

from __future__ import annotations

import os
import pathlib
import signal

import numpy as np

from evfocus_live.cli import main
from evfocus_live.events import EVENT_DTYPE


def test_sigterm_in_the_clean_up_leaves_no_half_cleared_folder(tmp_path, monkeypatch, capsys):
    ev = np.zeros(1000, EVENT_DTYPE)
    ev["t"], ev["x"], ev["y"], ev["p"] = np.arange(1000) * 100, np.arange(1000) % 32, np.arange(1000) % 24, 1
    rec = tmp_path / "rec.npy"
    np.save(rec, ev)
    out = tmp_path / "out"
    out.mkdir()
    for i in range(5):
        (out / f"frame_{i:010d}.png").write_bytes(b"old")
    (out / "timestamps.txt").write_text("".join(f"{i} frame_{i:010d}.png\n" for i in range(5)))
    (out / "notes.md").write_text("the user's")
    real, calls = pathlib.Path.unlink, [0]

    def unlink(self, *a, **k):  # SIGTERM as the second earlier file goes
        calls[0] += 1
        if calls[0] == 2:
            os.kill(os.getpid(), signal.SIGTERM)
        return real(self, *a, **k)

    monkeypatch.setattr(pathlib.Path, "unlink", unlink)
    before = signal.getsignal(signal.SIGTERM)
    code = main(["reconstruct", str(rec), "-o", str(out), "--overwrite", "--no-progress"])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 130, err
    assert err.strip().splitlines()[-1] == "evfocus reconstruct: interrupted", err
    assert signal.getsignal(signal.SIGTERM) == before
    assert sorted(p.name for p in out.iterdir()) == ["notes.md"]  # all the earlier run's files, none of the user's
    from evfocus_live.cli.reconstruct import earlier_outputs

    assert earlier_outputs(out) == []  # (a rerun without --overwrite is not refused)
