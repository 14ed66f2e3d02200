"""``evfocus reconstruct rec --at times.txt`` whose every time lies before the recording's events
(times from 0 for a DAVIS file on the camera's absolute clock) wrote that many frames of no
event with a warning and exit 0; times all after its events put every event in the first frame.
Both are one line and exit 2 now, before anything is written (nor an earlier run's frames
removed by --overwrite)."""

from __future__ import annotations

import pytest
from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.writers.aedat4 import Aedat4Writer

T0_US = 1_600_000_000_000_000  # a DAVIS's clock: µs since 1970


@pytest.fixture
def rec(tmp_path):
    path = tmp_path / "rec.aedat4"
    with Aedat4Writer(path, 64, 48) as wr:
        wr.write(make_events(20_000, 64, 48, t0_us=T0_US, duration_us=300_000))
    return path


def _run(rec, out, ckpt, at, *extra) -> int:
    return main(["reconstruct", str(rec), "-o", str(out), "--model", str(ckpt), "--device", "cpu",
                 "--no-progress", "--at", str(at), *extra])


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("times,says", [((100_000, 200_000), "lies before its events"),
                                        ((T0_US + 10**9, T0_US + 2 * 10**9), "lies after its events")])
def test_times_outside_the_events_are_refused(tmp_path, rec, tiny_ckpt, capsys, times, says):
    at = tmp_path / "at.txt"
    at.write_text("".join(f"{t}\n" for t in times))
    out = tmp_path / "out"
    assert _run(rec, out, tiny_ckpt, at) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0] and str(rec) in err[0], err
    assert not out.exists()


@pytest.mark.usefixtures("one_torch_thread")
def test_overwrite_keeps_the_earlier_run_when_refused(tmp_path, rec, tiny_ckpt, capsys):
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(f"{T0_US + 100_000}\n{T0_US + 200_000}\n")
    bad.write_text("100000\n200000\n")
    out = tmp_path / "out"
    assert _run(rec, out, tiny_ckpt, good) == 0
    before = sorted(p.name for p in out.iterdir())
    assert _run(rec, out, tiny_ckpt, bad, "--overwrite") == 2
    assert sorted(p.name for p in out.iterdir()) == before
