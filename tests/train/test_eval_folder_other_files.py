"""`evfocus eval --data FOLDER` took every .txt/.csv in the folder as a recording (the text
reader claims any text file by its extension, to say what is wrong with a damaged one): notes
and a results table beside the recordings each gave a "skipped" row in the report. A text
file whose first lines are no event list is now left out, named in one info line; so are an
eval's own outputs written into the folder (``--out`` the same folder), whatever reads them."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint

import numpy as np
import pytest
from conftest import make_events
from plugin_support import _with_extra, fresh_sources  # noqa: F401 (a fixture)

from evfocus_live.plugins import SOURCES
from evfocus_live.sources.base import EventSource
from evfocus_live.sources.text_file import looks_like_events
from evfocus_live.train.evaluate import expand_data


def _rows(n=300, seed=1):
    ev = make_events(n, 64, 48, seed=seed)
    return np.stack([ev["t"], ev["x"], ev["y"], ev["p"]], 1)


def _folder(tmp_path):
    np.savetxt(tmp_path / "rec.txt", _rows(), fmt="%d", header="64 48", comments="")
    np.savetxt(tmp_path / "rows.csv", _rows(seed=2), fmt="%d", delimiter=",")  # (no size line: its row says so)
    np.savetxt(tmp_path / "named.csv", _rows(seed=3), fmt="%d", delimiter=",", header="t,x,y,p", comments="")
    (tmp_path / "results.csv").write_text("model,ssim,psnr\nevfocus,0.512,20.3\ne2vid,0.488,19.1\n")
    (tmp_path / "notes.txt").write_text("Recorded 2026-11-28 with the 8 mm lens, focus ring at 0.3 m.\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "report.md").write_text("| model | sharpness |\n|---|---|\n")
    (tmp_path / "report.json").write_text('{"models": ["evfocus"], "real": {}}')
    return tmp_path


def test_text_files_that_are_not_events_are_left_out_in_one_line(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        gt, real = expand_data([str(_folder(tmp_path))])
    assert gt == [] and sorted(p.name for p in real) == ["named.csv", "rec.txt", "rows.csv"]
    said = [r for r in caplog.records if "results.csv" in r.getMessage() or "notes.txt" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno <= logging.INFO
    assert "notes.txt" in said[0].getMessage() and "results.csv" in said[0].getMessage()


def test_a_file_named_is_still_read_as_given(tmp_path):
    """Only a folder's files are judged: a file given by name is the user's choice (its row
    says why it cannot be read)."""
    _folder(tmp_path)
    assert expand_data([str(tmp_path / "notes.txt")])[1] == [tmp_path / "notes.txt"]


@pytest.mark.parametrize("text, events", [
    (b"640 480\n0.001 10 20 1\n0.002 11 21 0\n", True),
    (b"# exported\n640,480\n1000,10,20,1\n", True),
    (b"1000 10 20 1\n1010 11 21 0\n", True),
    (b"timestamp,x,y,polarity\n1000,10,20,1\n", True),
    (b"640 480\n", True),  # (a size line alone: the reader says it holds no events)
    (b"model,ssim,psnr\nevfocus,0.5,20\n", False),
    (b"Some notes about the recording.\n", False),
    (b"640 480\nthe lens was at f/1.4\n", False),
    (b"", False),
])
def test_looks_like_events(text, events):
    assert looks_like_events(text) is events


class JsonEvents(EventSource):
    """A plugin's ``.json`` event files, claimed by their extension."""
    format = "jsonev"
    extensions = (".json",)

    @classmethod
    def sniff(cls, head, path):
        return path.suffix == ".json"


def test_an_eval_report_in_the_folder_is_not_read_back(monkeypatch, fresh_sources, tmp_path):
    """``--out`` the --data folder: the report an earlier run wrote there is not a recording,
    even for a reader that takes its extension."""
    _with_extra(monkeypatch, [EntryPoint("jsonev", "test_eval_folder_other_files:JsonEvents", SOURCES)])
    _folder(tmp_path)
    (tmp_path / "rec.json").write_text('{"events": []}')
    real = expand_data([str(tmp_path)])[1]
    assert "rec.json" in [p.name for p in real] and "report.json" not in [p.name for p in real]
