"""``bench/bench_frames_dir.py`` measures the model's thread's time a frame for headless
``--frames-dir`` (PNGs written on it vs handed to the writer thread) in one process: it runs,
writes every frame through the sink, and prints a row with a ratio for each size; a bad option
is one line."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_frames_dir.py"


def _main():
    return runpy.run_path(str(SCRIPT), run_name="bench_frames_dir")["main"]


def test_it_prints_a_ratio_for_each_size(tmp_path, capsys):
    assert _main()(["--frames", "3", "--repeat", "1", "--model-ms", "0", "--dir", str(tmp_path)]) == 0
    sizes = ["346x260", "640x480", "1280x720"]
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.split()[:1] in ([s] for s in sizes)]
    assert [r[0] for r in rows] == sizes, rows
    assert all(r[3].endswith("x") and float(r[1]) > 0 for r in rows), rows
    assert not list(tmp_path.iterdir())  # (its frames removed)


def test_a_bad_option_is_one_line(capsys):
    with pytest.raises(SystemExit) as exc:
        _main()(["--frames", "0"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--frames" in err[0], err
