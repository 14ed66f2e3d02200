"""A file-format plugin whose parser raises a plain exception (a ValueError from
``np.loadtxt``): ``evfocus info`` and ``evfocus reconstruct`` ended in a traceback when it came
from ``__init__``, ``info`` when it came from ``read()``. README: "whatever ``__init__`` or
``read()`` raises is shown by its first line"."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from evfocus_live.plugins import SOURCES
from evfocus_live.sources.base import EventSource
from plugin_support import _with_extra, fresh_sources  # noqa: F401 (a fixture)


class LabText(EventSource):
    """``LABT`` files; ``__init__`` parses the header."""
    format = "labt"
    extensions = (".labt",)

    @classmethod
    def sniff(cls, head, path):
        return head.startswith(b"LABT")

    def __init__(self, path):
        self.width, self.height = 64, 48
        if b"bad-header" in path.read_bytes():
            raise ValueError("could not convert string 'x' to int64 at row 1, column 2.")

    def read(self):
        raise ValueError("bad record at byte 77")

    def seek(self, t_us):
        pass

    def time_range_us(self):
        return (0, 100)


def _one_error_line(capsys, *words):
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if "error:" in ln]
    assert len(lines) == 1 and all(w in lines[0] for w in words), err


@pytest.mark.parametrize("command", ["info", "reconstruct"])
def test_a_file_plugin_whose_constructor_raises_is_one_line(monkeypatch, fresh_sources, tmp_path, capsys, command):
    from evfocus_live.cli import main as cli_main
    _with_extra(monkeypatch, [EntryPoint("labt", "test_plugin_file_reader_faults:LabText", SOURCES)])
    path = tmp_path / "rec.labt"
    path.write_bytes(b"LABT bad-header\n")
    extra = ["-o", str(tmp_path / "out"), "--no-progress"] if command == "reconstruct" else []
    assert cli_main([command, str(path), *extra]) == 2
    _one_error_line(capsys, "labt reader", "LabText", "ValueError: could not convert")


def test_info_on_a_file_plugin_whose_read_raises_is_one_line(monkeypatch, fresh_sources, tmp_path, capsys):
    from evfocus_live.cli import main as cli_main
    _with_extra(monkeypatch, [EntryPoint("labt", "test_plugin_file_reader_faults:LabText", SOURCES)])
    path = tmp_path / "rec.labt"
    path.write_bytes(b"LABT ok\n")
    assert cli_main(["info", str(path)]) == 2
    _one_error_line(capsys, "'labt'", "read() failed: ValueError: bad record at byte 77")
