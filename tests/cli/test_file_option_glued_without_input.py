"""``evfocus info --file=rec.aedat4`` (the recording glued to an option, as other tools take
it, and no INPUT): argparse took the path with the unknown option and stopped at "the following
arguments are required: INPUT", which hid the cause. It says the recording needs no option now,
as ``--file rec.aedat4`` (two words) already did."""

from __future__ import annotations

import pytest

from evfocus_live.cli import main

HINT = "the recording is given without an option: evfocus {} PATH"


@pytest.mark.parametrize("argv", [
    ["info", "--file=rec.aedat4"],
    ["-q", "info", "-f=rec.aedat4"],
    ["reconstruct", "--input=rec.raw", "-o", "out"],
    ["reconstruct", "-o", "out", "--recording=rec.raw", "--window-ms", "20"],
])
def test_a_glued_file_option_without_input_is_one_line_naming_it(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    command = next(w for w in argv if not w.startswith("-"))
    glued = next(w for w in argv if "=" in w)
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == f"evfocus {command}: error: unrecognized arguments: {glued} ({HINT.format(command)})", last
    assert not (tmp_path / "out").exists()


def test_after_a_double_dash_it_is_a_file_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "--file=rec.aedat4").write_bytes(b"")
    main(["info", "--", "--file=rec.aedat4"])
    assert "given without an option" not in capsys.readouterr().err


def test_a_command_without_input_keeps_the_nearest_option(capsys):
    with pytest.raises(SystemExit):
        main(["train", "my.toml", "--file=x"])
    assert "given without an option" not in capsys.readouterr().err
