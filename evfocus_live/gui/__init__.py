"""The live viewer (``evfocus-live``): PySide6 + pyqtgraph. Qt is imported only here.

Modules: :mod:`.app` (command line, headless mode, plugin listing), :mod:`.window`
(the main window), :mod:`.session` (Qt-free worker thread around the pipeline),
:mod:`.widgets`, :mod:`.eventview` (decay / time-surface event rendering),
:mod:`.recording` (.aedat4 + .mp4 while running, PNG snapshots), :mod:`.settings` (what is
kept between runs), :mod:`.precision` (the precision choice), :mod:`.qt_messages` (Qt's
noise left out) and :mod:`.screenshot` (README's picture).
"""


def main(argv: list[str] | None = None) -> int:
    """The viewer's command line (``python -m evfocus_live.gui``, see ``__main__``); imported on
    call, so importing the package stays free of Qt and torch."""
    from .app import main as app_main

    return app_main(argv)
