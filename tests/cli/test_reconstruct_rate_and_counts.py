"""`evfocus reconstruct` output: its progress bar showed "0.00 Mev/s" for a slow run (a big
model on the CPU, or sparse events), and it printed "1 frames -> OUT"."""

from __future__ import annotations

import re

import numpy as np
from cli_support import tiny_ckpt  # noqa: F401 (fixture)
from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.cli.text import plural, rate_text


def _sparse(tmp_path):
    """60 events over 0.2 s: a few kev/s at most, whatever the machine."""
    p = tmp_path / "few.npy"
    np.save(p, make_events(60, 64, 48, duration_us=200_000))
    return p


def test_progress_bar_gives_a_slow_rate_in_kev_or_ev(tmp_path, tiny_ckpt, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr("evfocus_live.cli.stderr_is_terminal", lambda: True)  # (bars only on a terminal)
    rc = main(["reconstruct", str(_sparse(tmp_path)), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt),
               "--device", "cpu", "--window-ms", "20"])
    assert rc == 0
    err = capsys.readouterr().err
    rates = re.findall(r"([\d.]+) (Mev|kev|ev)/s, [\d.]+ frames/s", err)
    assert rates, err[-2000:]
    assert all(unit != "Mev" and float(v) > 0 for v, unit in rates), rates  # before: all "0.00 Mev/s"


def test_one_frame_is_one_frame(tmp_path, tiny_ckpt, capsys):  # noqa: F811
    inp, out = _sparse(tmp_path), tmp_path / "out"
    assert main(["reconstruct", str(inp), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--window-ms", "1000", "--no-progress"]) == 0
    assert capsys.readouterr().out.strip() == f"{inp}: 1 frame -> {out}"  # before: "1 frames"


def test_rate_and_count_words():
    assert [rate_text(r) for r in (2.5e6, 2500.0, 25.0)] == ["2.500 Mev/s", "2.500 kev/s", "25.000 ev/s"]
    assert rate_text(999.0, digits=2) == "999.00 ev/s"
    assert [f"{n} {plural(n, 'window')}" for n in (0, 1, 2)] == ["0 windows", "1 window", "2 windows"]
