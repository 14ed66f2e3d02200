"""A headless run does not read the viewer's remembered "vs" box model (README: what the viewer
remembers; --help: "headless: none"): a server's run is its command line's. (A guard: it did
not read it before either, and no test said so.)"""

from __future__ import annotations

import logging

from evfocus_live.gui import app, settings


def test_headless_runs_without_the_remembered_compare(tiny_ckpt, caplog):
    settings.save_compare("e2vid")
    with caplog.at_level(logging.INFO):
        assert app.main(["--headless", "--model", str(tiny_ckpt), "--post", "none", "--device", "cpu",
                         "--exit-after-s", "0.5"]) == 0
    assert not [r.getMessage() for r in caplog.records if "e2vid" in r.getMessage()]
    assert settings.compare() == "e2vid"  # (left as it was)
