"""`evfocus simulate ... > log.txt 2>&1`: with no bar (not a terminal, or --no-progress) a long
batch run said nothing until its last line. It logs how many sequences are done now and then."""

from __future__ import annotations

import logging

from evfocus_live.simulate import SimConfig, simulate_dataset
from evfocus_live.simulate import sequence


def test_progress_lines_without_a_bar(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(sequence, "PROGRESS_LOG_S", 0.0)  # (a line after every sequence)
    cfg = SimConfig(width=32, height=24, duration_s=0.1, frame_ms=25.0)
    with caplog.at_level(logging.INFO, logger="evfocus_live.simulate"):
        simulate_dataset(cfg, tmp_path / "d", sequences=3, seed=3, aedat4=False, progress=False)
    lines = [r.getMessage() for r in caplog.records if "sequences written" in r.getMessage()]
    assert [ln.split()[1] for ln in lines] == ["1/3", "2/3"], lines  # (the last: the command's result line)
