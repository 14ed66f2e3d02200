"""A reconstruction stopped part way (Ctrl-C, a full disk) left its frames with only "evfocus
reconstruct: interrupted" or the error's line: stdout, where a whole run names its frames and
folder, said nothing, so the folder of a part of the recording looked like any other. It is
named now, flagged INCOMPLETE, with the time it reaches."""

from __future__ import annotations

import errno

import pytest
from cli_support import write_aedat4

from evfocus_live.cli import main
from evfocus_live.cli import reconstruct as rec


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("stop,rc,why", [(KeyboardInterrupt, 130, "interrupted"),
                                         (OSError(errno.ENOSPC, "No space left on device"), 2,
                                          "stopped by the error below")])
def test_a_stopped_run_names_the_frames_it_kept(tmp_path, tiny_ckpt, capsys, monkeypatch, stop, rc, why):
    inp = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=500_000)
    real, count = rec._write_png, [0]

    def write_two_then_stop(path, img):
        count[0] += 1
        if count[0] == 3:
            raise stop
        real(path, img)

    monkeypatch.setattr(rec, "_write_png", write_two_then_stop)
    out = tmp_path / "out"
    assert main(["reconstruct", str(inp), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--window-ms", "50", "--no-progress"]) == rc
    stamps = (out / "timestamps.txt").read_text().split()
    assert len(stamps) == 4  # two frames, 'index t_us' each
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [f"{inp}: 2 frames -> {out}, INCOMPLETE ({why}): the recording up to t={stamps[-1]} µs only"]


@pytest.mark.usefixtures("one_torch_thread")
def test_a_whole_run_is_not_flagged(tmp_path, tiny_ckpt, capsys):
    inp = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=200_000)
    assert main(["reconstruct", str(inp), "-o", str(tmp_path / "o"), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--window-ms", "50", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "frames ->" in out and "INCOMPLETE" not in out
