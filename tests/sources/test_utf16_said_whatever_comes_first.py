"""A UTF-16 event list (Windows PowerShell 5's `>`) is said as such whatever its first line: one
that starts with a '# note' or a 't,x,y,p' names line (both read in UTF-8) was "content is not
a valid text file", only a first digit was recognised."""

from __future__ import annotations

import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import open_source


@pytest.mark.parametrize("text", ["# exported by a script\r\n346 260\r\n0.1 1 2 1\r\n",
                                  "t,x,y,p\r\n0.1,1,2,1\r\n", "346 260\r\n0.1 1 2 1\r\n"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_said(tmp_path, text, encoding):
    path = tmp_path / "events.csv"
    data = text.encode(encoding)
    path.write_bytes(data if encoding == "utf-16" else b"\xfe\xff" + data)
    with pytest.raises(InputError, match="UTF-16"):
        open_source(str(path))


def test_binary_after_a_utf16_mark_is_not_called_text(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(b"\xff\xfe" + bytes(range(256)) * 4)
    with pytest.raises(InputError) as info:
        open_source(str(path))
    assert "UTF-16" not in str(info.value)
