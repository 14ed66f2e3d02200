"""``cat rec.raw | evfocus info -`` said "-: no such file"; "-" is Unix tools' standard input,
which a reader cannot seek: the line says so and what to do."""

from __future__ import annotations

import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import detect_format


def test_dash_names_standard_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=r"^-: standard input is not read .*save it to a file first$"):
        detect_format("-")
