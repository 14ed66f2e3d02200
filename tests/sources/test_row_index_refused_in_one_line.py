"""A text file whose first column is pandas' row index is refused in one line: the warning
"rows have 5 columns ... reading the first 4" came first, saying it would read what was then
refused."""

from __future__ import annotations

import logging

import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import open_source


def test_row_index_refused_without_a_warning_before(tmp_path, caplog):
    path = tmp_path / "events.txt"
    path.write_text("346 260\n" + "".join(f"{i} {i * 10} {i % 300} {i % 200} 1\n" for i in range(50)))
    with caplog.at_level(logging.WARNING), pytest.raises(InputError, match="row index"):
        open_source(str(path))
    assert not [r for r in caplog.records if r.name.endswith("text_file")], caplog.text


def test_extra_columns_still_said_once_when_read(tmp_path, caplog):
    path = tmp_path / "events.txt"
    path.write_text("346 260\n" + "".join(f"{i * 10} {i % 300} {i % 200} 1 7\n" for i in range(50)))
    with caplog.at_level(logging.WARNING):
        src = open_source(str(path))
        n = 0
        while (b := src.read()) is not None:
            n += len(b)
        src.close()
    said = [r.getMessage() for r in caplog.records if r.name.endswith("text_file")]
    assert n == 50 and len(said) == 1 and "5 columns" in said[0], said
