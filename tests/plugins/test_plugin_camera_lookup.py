"""``evfocus-live --camera NAME`` for a source plugin that is no working camera: the one
error line says why (it failed to import; it reads files), not "unknown camera" or "must
name an EventSource subclass" for a class that is one."""

from __future__ import annotations

from importlib.metadata import EntryPoint

from evfocus_live.plugins import SOURCES
from evfocus_live.sources.base import EventSource
from plugin_support import _with_extra, fresh_sources  # noqa: F401 (a fixture)


class LabFile(EventSource):
    """A well-formed file-format plugin (``.lab``)."""
    format = "lab"
    extensions = (".lab",)

    @classmethod
    def sniff(cls, head, path):
        return head.startswith(b"LAB1")

    def read(self):
        return None


def _error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "error:" in ln]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_camera_plugin_that_fails_to_import_says_why(monkeypatch, fresh_sources, capsys):
    """It said "unknown camera 'labcam' (known: ...)", the import error only in a warning above."""
    from evfocus_live.gui.app import main
    _with_extra(monkeypatch, [EntryPoint("labcam", "no_such_module_s23:Cam", SOURCES)])
    assert main(["--headless", "--camera", "labcam", "--exit-after", "1"]) == 2
    line = _error_line(capsys)
    assert "labcam" in line and "failed to load" in line and "no_such_module_s23" in line, line
    assert "unknown camera" not in line, line


def test_a_file_format_plugin_given_as_camera_says_to_give_the_file(monkeypatch, fresh_sources, capsys):
    from evfocus_live.gui.app import main
    _with_extra(monkeypatch, [EntryPoint("lab", "test_plugin_camera_lookup:LabFile", SOURCES)])
    assert main(["--headless", "--camera", "lab", "--exit-after", "1"]) == 2
    line = _error_line(capsys)
    assert ".lab files" in line and "not a camera" in line and "EventSource subclass" not in line, line
