"""``evfocus eval --out report/`` run a second time (other models, other data) replaced the first
run's report.md, report.json and grids without a word. The earlier report is moved aside as
``report.prev.md``, ``report.prev.json``, ``grid_*.prev.png`` (one generation, as ``evfocus train``
keeps a used folder's logs), and one info line says so."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from evfocus_live.train import evaluate as ev


@pytest.fixture
def fake_scoring(monkeypatch):
    """evaluate() without models or data: the report's writing is what is tested."""
    monkeypatch.setattr("evfocus_live.nn.registry.load_model", lambda spec, device: object())
    monkeypatch.setattr(ev, "expand_data", lambda data: ([], ["rec.h5"]))
    monkeypatch.setattr(ev, "_refuse_no_event_file", lambda files, data: None)  # (no rec.h5 on disk)
    monkeypatch.setattr(ev, "_ran_on", lambda models: {})

    def real(models, files, *a, **k):
        return {"rec.h5": {"model": 1.0}}, [np.zeros((4, 4, 3), np.uint8)]

    monkeypatch.setattr(ev, "evaluate_real", real)
    monkeypatch.setattr(ev, "evaluate_aps", lambda *a, **k: {})
    monkeypatch.setattr(ev, "markdown_report", lambda *a, **k: "# this run\n")


def test_a_second_run_moves_the_first_report_aside(tmp_path, fake_scoring, caplog):
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.md").write_text("# the first run\n")
    (out / "report.json").write_text(json.dumps({"models": ["evfocus-full"]}))
    (out / "grid_synthetic.png").write_bytes(b"the first run's grid")
    with caplog.at_level(logging.INFO, logger=ev.__name__):
        ev.evaluate(["m"], ["rec.h5"], out, progress=False)
    assert (out / "report.prev.md").read_text() == "# the first run\n"
    assert json.loads((out / "report.prev.json").read_text()) == {"models": ["evfocus-full"]}
    assert (out / "grid_synthetic.prev.png").read_bytes() == b"the first run's grid"
    assert (out / "report.md").read_text() == "# this run\n"
    assert not (out / "grid_synthetic.png").exists()  # (this run made no synthetic grid)
    assert (out / "grid_real.png").is_file()
    said = [r.getMessage() for r in caplog.records if "moved the earlier report aside" in r.getMessage()]
    assert said == ["moved the earlier report aside: report.prev.md, report.prev.json, grid_synthetic.prev.png"]


def test_a_new_folder_has_nothing_moved(tmp_path, fake_scoring):
    out = tmp_path / "report"
    ev.evaluate(["m"], ["rec.h5"], out, progress=False)
    assert sorted(p.name for p in out.iterdir()) == ["grid_real.png", "report.json", "report.md"]
