"""A Ctrl-C or SIGTERM (taken as Ctrl-C) in the moment ``evfocus simulate`` writes
``dataset.json``, or ``evfocus eval`` its report, cut the file short: the KeyboardInterrupt came
between the file's opening and its last bytes. Those writes now finish first; the interruption
is raised after them."""

from __future__ import annotations

import json
import os
import pathlib
import signal

import numpy as np
import pytest

from evfocus_live.simulate.sequence import SimConfig, simulate_dataset
from evfocus_live.train import evaluate as ev


def _interrupted_midway(monkeypatch, names: set[str]):
    """Path.write_text that, for ``names``, writes half, gets SIGINT, then writes the rest."""
    write_text = pathlib.Path.write_text

    def half_then_signal(self, data, *a, **k):
        if self.name not in names:
            return write_text(self, data, *a, **k)
        with open(self, "w") as fh:
            fh.write(data[: len(data) // 2])
            fh.flush()
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(100):  # (the handler runs between bytecodes: give it some)
                pass
            fh.write(data[len(data) // 2:])
        return len(data)

    monkeypatch.setattr(pathlib.Path, "write_text", half_then_signal)


def test_dataset_json_is_whole(tmp_path, monkeypatch):
    _interrupted_midway(monkeypatch, {"dataset.json"})
    with pytest.raises(KeyboardInterrupt):
        simulate_dataset(SimConfig(duration_s=0.05, width=32, height=24), tmp_path, sequences=1, seed=0,
                         progress=False, aedat4=False)
    assert json.loads((tmp_path / "dataset.json").read_text())["sequences"]


def test_the_eval_report_is_whole(tmp_path, monkeypatch):
    monkeypatch.setattr("evfocus_live.nn.registry.load_model", lambda spec, device: object())
    monkeypatch.setattr(ev, "expand_data", lambda data: ([], ["rec.h5"]))
    monkeypatch.setattr(ev, "_refuse_no_event_file", lambda files, data: None)
    monkeypatch.setattr(ev, "_ran_on", lambda models: {})
    monkeypatch.setattr(ev, "evaluate_real", lambda *a, **k: ({"rec.h5": {"m": 1.0}}, [np.zeros((4, 4, 3), np.uint8)]))
    monkeypatch.setattr(ev, "evaluate_aps", lambda *a, **k: {})
    monkeypatch.setattr(ev, "markdown_report", lambda *a, **k: "# this run\n" + "| row |\n" * 50)
    _interrupted_midway(monkeypatch, {"report.md", "report.json"})
    with pytest.raises(KeyboardInterrupt):
        ev.evaluate(["m"], ["rec.h5"], tmp_path, progress=False)
    assert json.loads((tmp_path / "report.json").read_text())["models"] == ["m"]
    assert (tmp_path / "report.md").read_text() == "# this run\n" + "| row |\n" * 50
    assert (tmp_path / "grid_real.png").is_file()
