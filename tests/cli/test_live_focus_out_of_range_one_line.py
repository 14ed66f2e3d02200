"""``evfocus-live rec.aedat4 --focus 2`` said two lines for one mistake: a warning that --focus
turns only the simulated camera's knob, then the error that 2 is outside 0..1. The range is
checked first: the error alone."""

from __future__ import annotations

import pytest

from evfocus_live.gui import app


@pytest.mark.parametrize("value", ["2", "-0.5", "nan"])
def test_out_of_range_focus_with_a_recording_is_one_line(tmp_path, monkeypatch, capsys, caplog, value):
    def must_not_run(*a, **k):
        raise AssertionError("the run started")

    monkeypatch.setattr(app, "run_headless", must_not_run)
    rec = tmp_path / "rec.aedat4"
    rec.write_bytes(b"not read: the options are checked first")
    assert app.main([str(rec), "--focus", value, "--headless"]) == app.EXIT_USER_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["evfocus-live: error: --focus must be within 0..1 (0.5 = in focus)"], err
    assert "focus knob only" not in caplog.text  # (the log's lines go to the terminal too)


def test_in_range_focus_with_a_recording_still_warns(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(app, "run_headless", lambda *a, **k: 0)
    rec = tmp_path / "rec.aedat4"
    rec.write_bytes(b"not read")
    assert app.main([str(rec), "--focus", "0.2", "--headless"]) == 0
    assert "--focus turns the simulated camera's focus knob only" in caplog.text
