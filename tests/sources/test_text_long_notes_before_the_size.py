"""Notes before ``W H`` whatever their number and length: past 64 lines of them, or one longer
than 64 KiB, the file was refused ("first line must be the sensor size 'W H'"), and a
semicolon file whose first 4 KiB were notes was read without its dialect (no row to take it
from): "malformed event row"."""

from __future__ import annotations

import pytest
from reader_support import _read_all  # (a 346x260 file's events)

from evfocus_live.errors import InputError
from evfocus_live.sources import open_source


@pytest.mark.parametrize("notes", [[f"# note {i}" for i in range(100)], ["# " + "x" * 70_000],
                                   [f"# exported, run {i}; settings" for i in range(200)]])
@pytest.mark.parametrize("rows", [["346 260", "0.000100 1 2 1", "0.000200 3 4 0"],
                                  ["346;260", "0,000100;1;2;1", "0,000200;3;4;0"]])
def test_notes_before_the_size(tmp_path, notes, rows):
    path = tmp_path / "events.csv"
    path.write_text("\n".join(notes + rows) + "\n")
    ev = _read_all(path)
    assert ev["t"].tolist() == [100, 200] and ev["x"].tolist() == [1, 3]


def test_only_notes_said(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("".join(f"# note {i}\n" for i in range(120_000)) + "346 260\n0.1 1 2 1\n")
    with pytest.raises(InputError, match="MiB of '#' notes"):
        open_source(str(path))
