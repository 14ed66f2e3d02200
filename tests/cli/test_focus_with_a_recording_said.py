"""``evfocus-live rec.aedat4 --focus 0.5`` (a user with a defocused lens taking --focus for a refocus
of the recording) was ignored in silence: it turns the simulated camera's knob only. It is said
in one warning now; the simulated camera takes it as before."""

from __future__ import annotations

import logging

import pytest
from cli_support import write_aedat4

from evfocus_live.gui import app


@pytest.mark.parametrize("with_file,warned", [(True, True), (False, False)])
def test_focus_with_a_recording_is_said(tmp_path, monkeypatch, caplog, with_file, warned):
    seen = []
    monkeypatch.setattr(app, "run_headless", lambda args, *a: seen.append(args.focus) or 0)
    argv = ([str(write_aedat4(tmp_path / "rec.aedat4"))] if with_file else []) + ["--headless", "--focus", "0.5"]
    with caplog.at_level(logging.WARNING, logger="evfocus_live.gui"):
        assert app.main(argv) == 0
    said = [r.getMessage() for r in caplog.records if "--focus" in r.getMessage()]
    assert bool(said) == warned and (not said or "simulated camera's focus knob only" in said[0]), said
    assert seen == [0.5]


def test_default_focus_is_unchanged(monkeypatch, caplog):
    seen = []
    monkeypatch.setattr(app, "run_headless", lambda args, *a: seen.append(args.focus) or 0)
    assert app.main(["--headless"]) == 0
    assert seen == [0.3] and not [r for r in caplog.records if "--focus" in r.getMessage()]
