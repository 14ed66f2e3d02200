"""The viewer's open dialog lists every readable format, plugins' included."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern  # noqa: F401

from evfocus_live.sources.base import EventSource


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_open_dialog_lists_every_readable_format(qtbot, tmp_path, tiny_model, monkeypatch):
    """README reads E2VID text files as .txt or .csv; the dialog hid .csv files."""
    from PySide6 import QtWidgets
    asked = []
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (asked.append(a[3]), ("", ""))[1]))
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    win.open_file_dialog()
    shown = asked[0].split(";;")[0]
    for ext in ("aedat4", "raw", "h5", "npy", "txt", "csv"):
        assert f"*.{ext}" in shown, shown
    win.close()


class _LevFile(EventSource):
    """A plugin's file format (only its class attributes matter here)."""

    format, sensor, width, height = "lev", "lab", 64, 48
    extensions = (".lev",)

    @classmethod
    def sniff(cls, head, path):
        return head.startswith(b"LEV1")


def test_open_dialog_lists_a_plugin_file_format(qtbot, tmp_path, tiny_model, monkeypatch):
    """The open dialog listed only the built-in extensions: a plugin's ``.lev`` files hid
    behind "All files"."""
    from importlib.metadata import EntryPoint

    from plugin_support import _with_extra
    from gui_support import make_window, pattern

    from evfocus_live import sources
    from evfocus_live.plugins import SOURCES

    _with_extra(monkeypatch, [EntryPoint("lev", f"{__name__}:_LevFile", SOURCES)])
    monkeypatch.setattr(sources, "_registry", None)  # a fresh scan that sees the extra entry point
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    flt = win.file_dialog_filter()
    assert "*.lev" in flt and "*.aedat4" in flt and "*.npy" in flt
    win.close()
