"""A mistyped model, post-processor or camera name gets the name it is close to, as a
mistyped file name does: `--model evfocus_full` listed seven names and left the newcomer to
spot `evfocus-full` among them."""

from __future__ import annotations

import pytest

from conftest import DAVIS_FILE
from evfocus_live.cli import main
from evfocus_live.gui.app import main as live_main
from evfocus_live.plugins import did_you_mean


@pytest.mark.parametrize("given, names, said", [
    ("evfocus_full", ["evfocus", "evfocus-full", "e2vid"], " (did you mean evfocus-full?)"),
    ("medain", ["median", "unsharp"], " (did you mean median?)"),
    ("foo", ["median", "unsharp"], ""),
    ("median", ["median"], ""),
])
def test_did_you_mean(given, names, said):
    assert did_you_mean(given, names) == said


def _error(capsys, run, argv) -> str:
    assert run(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_reconstruct_model_and_post_typos(tmp_path, capsys):
    line = _error(capsys, main, ["reconstruct", str(DAVIS_FILE), "-o", str(tmp_path / "a"), "--model", "firenett"])
    assert "unknown model 'firenett' (did you mean firenet?): use one of" in line, line
    line = _error(capsys, main, ["reconstruct", str(DAVIS_FILE), "-o", str(tmp_path / "b"), "--post", "unsharpp"])
    assert "post-processor 'unsharpp' (did you mean unsharp?) is unavailable" in line, line


def test_viewer_camera_typo(capsys):
    line = _error(capsys, live_main, ["--headless", "--camera", "davis364", "--exit-after-s", "1"])
    assert line.startswith("evfocus-live: error: unknown camera 'davis364' (did you mean davis346?) (known:"), line
