"""An input given as '' (``evfocus-live --headless "$REC" --video out.mp4`` with REC unset).

The viewer took it for no input and ran the simulated camera (exit 0, a video of the simulated
scene); ``evfocus info`` and ``reconstruct`` said ".: is a directory", naming no input at all.
"""

from __future__ import annotations

import pytest

from evfocus_live.cli import main
from evfocus_live.gui import app


@pytest.mark.parametrize("argv", [["info", ""], ["reconstruct", "", "-o", "OUT"]])
def test_commands_say_the_input_name_is_empty(argv, tmp_path, capsys):
    argv = [str(tmp_path / "o") if a == "OUT" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "empty file name" in err[0], err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv", [["", "--headless", "--exit-after", "1"],
                                  ["--camera", "", "--headless", "--exit-after", "1"]])
def test_viewer_refuses_an_empty_input_instead_of_running_the_simulated_camera(argv, monkeypatch, capsys):
    def must_not_run(*a, **k):
        raise AssertionError("the run started")

    monkeypatch.setattr(app, "run_headless", must_not_run)
    monkeypatch.setattr(app, "run_window", must_not_run)
    assert app.main(argv) == app.EXIT_USER_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "empty" in err[0], err
