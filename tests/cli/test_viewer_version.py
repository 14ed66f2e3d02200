"""``evfocus-live --version`` was "unrecognized arguments" (``evfocus --version`` answered), so a
bug report could not name the viewer's version without opening Help > About."""

from __future__ import annotations

import pytest

from evfocus_live import __version__
from evfocus_live.gui import app


def test_viewer_says_its_version(capsys):
    with pytest.raises(SystemExit) as stop:
        app.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"evfocus-live {__version__}"
