"""A source plugin that leaves its sensor size unset (the base class's 0, or None): every
command crashed with a ``TypeError`` traceback from ``int()``; now one line naming it."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import numpy as np
import pytest

from evfocus_live.plugins import SOURCES
from evfocus_live.sources.base import EventSource
from plugin_support import _with_extra, fresh_sources  # noqa: F401 (a fixture)


class UnsizedFile(EventSource):
    """A file format whose author forgot to set ``width``/``height`` (None from a header field)."""
    format = "unsized"
    extensions = (".usz",)
    width = None
    height = 48

    @classmethod
    def sniff(cls, head, path):
        return head.startswith(b"USZ1")

    def __init__(self, path):
        self.path = path

    def read(self):
        return None

    def close(self):
        pass


class ZeroSizeCam(EventSource):
    """A camera that never set its size: the base class's 0 x 0."""
    format = "zerocam"
    is_live = True

    def read(self):
        return np.empty(0)


def _one_line(err: str, *words: str) -> None:
    assert "Traceback" not in err and "TypeError" not in err, err
    lines = [ln for ln in err.splitlines() if "error" in ln]
    assert len(lines) == 1, err
    for w in words:
        assert w in lines[0], err


@pytest.mark.parametrize("command", ["info", "reconstruct"])
def test_a_file_plugin_without_a_sensor_size_is_one_line(monkeypatch, fresh_sources, tmp_path, capsys, command):
    from evfocus_live.cli import main as cli_main
    _with_extra(monkeypatch, [EntryPoint("unsized", "test_plugin_sensor_size:UnsizedFile", SOURCES)])
    path = tmp_path / "rec.usz"
    path.write_bytes(b"USZ1" + bytes(64))
    extra = ["-o", str(tmp_path / "out"), "--model", "evfocus", "--no-progress"] if command == "reconstruct" else []
    assert cli_main([command, str(path), *extra]) == 2
    _one_line(capsys.readouterr().err, "UnsizedFile", "None", "width and height")


def test_a_camera_plugin_without_a_sensor_size_is_one_line(monkeypatch, fresh_sources, capsys):
    from evfocus_live.gui.app import main
    _with_extra(monkeypatch, [EntryPoint("zerocam", "test_plugin_sensor_size:ZeroSizeCam", SOURCES)])
    assert main(["--headless", "--camera", "zerocam", "--exit-after", "1", "--post", "none"]) == 2
    _one_line(capsys.readouterr().err, "zerocam", "ZeroSizeCam", "0 x 0")
