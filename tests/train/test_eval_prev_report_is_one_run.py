"""``evfocus eval --out DIR`` keeps one earlier report as ``*.prev.*``. A third run left the first
run's ``grid_synthetic.prev.png`` beside the second run's ``report.prev.md`` where the second run
made no synthetic grid: the ``.prev`` files then mixed two runs, the grid passing for the
report's. The ``.prev`` set is now the earlier run's alone, and the info line says an older one
was replaced."""

from __future__ import annotations

import logging

from evfocus_live.train import evaluate as ev


def test_the_prev_files_are_the_earlier_runs_only(tmp_path, caplog):
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.prev.md").write_text("# run 1\n")
    (out / "grid_synthetic.prev.png").write_bytes(b"run 1's synthetic grid")
    (out / "report.md").write_text("# run 2\n")
    (out / "grid_real.png").write_bytes(b"run 2's real grid")
    with caplog.at_level(logging.INFO, logger=ev.__name__):
        ev._move_earlier_report(out)
    assert sorted(p.name for p in out.iterdir()) == ["grid_real.prev.png", "report.prev.md"]
    assert (out / "report.prev.md").read_text() == "# run 2\n"
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "replacing" in said


def test_the_first_move_says_nothing_of_replacing(tmp_path, caplog):
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.md").write_text("# run 1\n")
    with caplog.at_level(logging.INFO, logger=ev.__name__):
        ev._move_earlier_report(out)
    assert sorted(p.name for p in out.iterdir()) == ["report.prev.md"]
    assert "replacing" not in " ".join(r.getMessage() for r in caplog.records)
