"""An output file given as '' (``--video "$OUT"`` with OUT unset), beside the refusal of an empty
input name: ``evfocus reconstruct`` took it for no --video and wrote frames but no video (exit 0,
no word); the viewer's ``--video ''``/``--record ''`` recorded nothing, also in silence."""

from __future__ import annotations

import pytest

from evfocus_live.cli import main
from evfocus_live.gui import app


def test_reconstruct_refuses_an_empty_video_name(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["reconstruct", str(tmp_path / "none.raw"), "-o", str(out), "--video", ""]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--video: empty file name" in err[0], err
    assert not out.exists()


@pytest.mark.parametrize("flag", ["--video", "--record", "--screenshot"])
def test_viewer_refuses_an_empty_output_name(flag, monkeypatch, capsys):
    def must_not_run(*a, **k):
        raise AssertionError("the run started")

    monkeypatch.setattr(app, "run_headless", must_not_run)
    monkeypatch.setattr(app, "run_window", must_not_run)
    assert app.main(["--camera", "sim", "--headless", "--exit-after", "1", flag, ""]) == app.EXIT_USER_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{flag}: empty file name" in err[0], err
