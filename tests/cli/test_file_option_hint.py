"""``evfocus-live --model runs/ft/final.pt --file rec.aedat4``: the viewer takes the recording
without an option, and the nearest-option hint said "did you mean --video?", an option that
writes a file. A ``--file``/``--input`` given to a command that takes INPUT says so now."""

from __future__ import annotations

import pytest

from evfocus_live.cli import main


def test_the_viewer_says_the_recording_needs_no_option(capsys):
    from evfocus_live.gui import app

    with pytest.raises(SystemExit) as stop:
        app.main(["--headless", "--file", "rec.aedat4"])
    assert stop.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == ("evfocus-live: error: unrecognized arguments: --file "
                    "(the recording is given without an option: evfocus-live PATH)")


@pytest.mark.parametrize("word", ["--input=rec.raw", "-i"])
def test_reconstruct_says_it_too(tmp_path, capsys, word):
    with pytest.raises(SystemExit):
        main(["reconstruct", str(tmp_path / "rec.raw"), "-o", str(tmp_path / "out"), word])
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "the recording is given without an option: evfocus reconstruct PATH" in last, last
    assert not (tmp_path / "out").exists()


def test_a_command_without_input_keeps_the_nearest_option(capsys):
    with pytest.raises(SystemExit):
        main(["train", "my.toml", "--file", "x"])
    assert "given without an option" not in capsys.readouterr().err
