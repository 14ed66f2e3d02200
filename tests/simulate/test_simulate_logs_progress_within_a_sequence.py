"""`evfocus simulate --sequences 1 --duration 600 > log.txt 2>&1`: the progress line without a
bar came only when a sequence was written, so one long sequence said nothing until its end,
where the README promises a line every 30 s."""

from __future__ import annotations

import logging

from evfocus_live.simulate import SimConfig, sequence, simulate_dataset


def test_one_long_sequence_says_its_sensor_time(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(sequence, "PROGRESS_LOG_S", 0.0)  # (a line at every step)
    cfg = SimConfig(width=32, height=24, duration_s=0.2, frame_ms=25.0)
    with caplog.at_level(logging.INFO, logger="evfocus_live.simulate"):
        simulate_dataset(cfg, tmp_path / "d", sequences=1, seed=3, aedat4=False, progress=False)
    lines = [r.getMessage() for r in caplog.records if "s of sensor time" in r.getMessage()]
    assert lines and all("/0.2 s" in ln for ln in lines), lines
