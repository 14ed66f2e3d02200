"""`evfocus reconstruct ... > log.txt 2>&1`: the progress bar redraws with carriage returns, and a
log file kept every redraw (one line of hundreds of bars, block characters a C locale shows as
bytes). Bars are drawn only when stderr is a terminal; the result line is said either way."""

from __future__ import annotations

import numpy as np
from cli_support import tiny_ckpt  # noqa: F401 (fixture)
from conftest import make_events

from evfocus_live.cli import main


def _run(tmp_path, tiny_ckpt, capsys):  # noqa: F811
    p = tmp_path / "few.npy"
    np.save(p, make_events(2000, 64, 48, duration_us=200_000))
    assert main(["reconstruct", str(p), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt),
                 "--device", "cpu", "--window-ms", "20"]) == 0
    return capsys.readouterr()


def test_no_bar_when_stderr_is_a_file(tmp_path, tiny_ckpt, capsys):  # noqa: F811
    cap = _run(tmp_path, tiny_ckpt, capsys)  # (capsys: stderr is no terminal, as a log file)
    assert "\r" not in cap.err and "%|" not in cap.err, cap.err[-500:]
    assert "frames ->" in cap.out


def test_bar_on_a_terminal(tmp_path, tiny_ckpt, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr("evfocus_live.cli.stderr_is_terminal", lambda: True)
    assert "%|" in _run(tmp_path, tiny_ckpt, capsys).err


def test_progress_lines_in_a_log_file(tmp_path, tiny_ckpt, capsys, monkeypatch, caplog):  # noqa: F811
    """Without a bar a slow run (evfocus-full on a CPU: ~1 s a frame) logged nothing until its end."""
    import logging

    monkeypatch.setattr("evfocus_live.cli.reconstruct.PROGRESS_LOG_S", 0.0)
    with caplog.at_level(logging.INFO, logger="evfocus_live.cli.reconstruct"):
        _run(tmp_path, tiny_ckpt, capsys)
    lines = [r.getMessage() for r in caplog.records if "frames/s" in r.getMessage()]
    assert lines and lines[0].startswith("few.npy: 1 frame (0.0"), lines
