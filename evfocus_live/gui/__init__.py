"""The live viewer (``evfocus-live``): PySide6 + pyqtgraph. Qt is imported only here.

Modules: :mod:`.app` (command line, headless mode, plugin listing), :mod:`.window`
(the main window), :mod:`.session` (Qt-free worker thread around the pipeline),
:mod:`.widgets`, :mod:`.eventview` (decay / time-surface event rendering) and
:mod:`.recording` (.aedat4 + .mp4 while running, PNG snapshots).
"""
