"""`evfocus eval` on a real recording in a plain install (`pip install -e .`, no 'metrics'
extra): BRISQUE and NIQE are left out with one warning naming the extra, the rest is scored.

README sends a newcomer to `evfocus eval ... ../shared/data`; without the `brisque` package
that ended in a ModuleNotFoundError traceback after the first model was run.
"""

from __future__ import annotations

import json
import logging
import sys

from cli_support import tiny_ckpt  # noqa: F401 (a fixture)
from conftest import DAVIS_FILE
from evfocus_live.cli import main
from evfocus_live.train import metrics as M


def test_real_recording_scored_without_brisque_and_niqe(tmp_path, tiny_ckpt, monkeypatch, capsys, caplog):  # noqa: F811
    M._brisque_model.cache_clear()
    M._niqe_params.cache_clear()
    monkeypatch.setitem(sys.modules, "brisque", None)  # an import of it fails, as where it is not installed
    monkeypatch.setitem(sys.modules, "skvideo", None)
    try:
        with caplog.at_level(logging.WARNING):
            rc = main(["eval", "--models", str(tiny_ckpt), "--data", str(DAVIS_FILE), "--out", str(tmp_path),
                       "--max-windows", "4", "--warmup", "0", "--no-progress"])
    finally:
        M._brisque_model.cache_clear()
        M._niqe_params.cache_clear()
    assert rc == 0, capsys.readouterr().err
    said = [r.getMessage() for r in caplog.records if "metrics" in r.getMessage()]
    assert said == ["BRISQUE and NIQE need the 'metrics' extra (pip install -e '.[metrics]'): left out (–)"]
    row = json.loads((tmp_path / "report.json").read_text())["real"][DAVIS_FILE.name]
    (scores,) = row.values()
    assert scores["brisque"] is None and scores["niqe"] is None
    assert scores["sharpness"] > 0 and scores["windows"] == 4


def test_unavailable_scores_is_empty_where_the_extra_is_installed():
    assert M.unavailable_scores() == []
