"""`evfocus eval --out DIR` printed the Markdown report and wrote report.md, report.json and
the PNG grids into DIR without a word of them: the last line now names the folder and files."""

from __future__ import annotations

import logging

import pytest
from conftest import make_events

from evfocus_live.writers.hdf5 import Hdf5Writer

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_the_report_folder_and_its_files_are_named(tmp_path, caplog):
    from evfocus_live.cli import main

    rec = tmp_path / "rec.h5"
    with Hdf5Writer(rec, 64, 48, sensor="test") as wr:
        wr.write(make_events(20_000, 64, 48, duration_us=500_000))
    with caplog.at_level(logging.INFO):
        assert main(["eval", "--models", "firenet", "--data", str(rec), "--out", str(tmp_path / "rep"),
                     "--warmup", "0", "--max-windows", "3", "--no-progress"]) == 0
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("report in")]
    assert said == [f"report in {tmp_path / 'rep'}: report.md, report.json, grid_real.png"], said
