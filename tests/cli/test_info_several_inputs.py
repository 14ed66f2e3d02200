"""``evfocus info rec/*.raw`` (a folder of recordings, as ``reconstruct`` takes several) ended in
"evfocus: error: unrecognized arguments" under the top level's usage. Each input is described
in turn now; a bad one is its own error line and exit 2, the others still described."""

from __future__ import annotations

import json

from cli_support import write_aedat4

from evfocus_live.cli import main


def test_several_inputs_described_in_turn(tmp_path, capsys):
    a = write_aedat4(tmp_path / "a.aedat4", n=1000)
    b = write_aedat4(tmp_path / "b.aedat4", n=2000)
    assert main(["info", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    blocks = out.strip().split("\n\n")
    assert len(blocks) == 2 and blocks[0].startswith(f"file        {a}") and blocks[1].startswith(f"file        {b}")
    assert main(["info", str(a), str(b), "--json"]) == 0
    infos = json.loads(capsys.readouterr().out)
    assert [i["events"] for i in infos] == [1000, 2000]


def test_a_bad_input_among_several_is_one_line_and_exit_2(tmp_path, capsys):
    a = write_aedat4(tmp_path / "a.aedat4", n=1000)
    empty = tmp_path / "empty.raw"
    empty.write_bytes(b"")
    assert main(["info", str(empty), str(a), "--json"]) == 2
    cap = capsys.readouterr()
    assert cap.err.strip().splitlines() == [f"evfocus info: error: {empty}: file is empty"]
    assert [i["events"] for i in json.loads(cap.out)] == [1000]


def test_one_input_prints_one_object(tmp_path, capsys):
    a = write_aedat4(tmp_path / "a.aedat4", n=1000)
    assert main(["info", str(a), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == 1000
