"""``evfocus reconstruct`` on a RAW recording whose decoding stopped at damage (random bytes after
its events: a recorder that crashed with an unflushed buffer) exits 0 with the frames of the
events before it, and its result line said "N frames -> OUT" as for a whole recording: only a
warning on stderr told them apart, where a file cut short is flagged on that line (TRUNCATED).
The line says DAMAGED now, with the byte decoding stopped at."""

from __future__ import annotations

import pytest
from reader_support import _garbage_tail

from evfocus_live.cli import main
from evfocus_live.sources import open_file


@pytest.mark.parametrize("version", [3, 2])
def test_a_damaged_recording_says_so_on_its_result_line(tmp_path, tiny_ckpt, capsys, version):
    path = _garbage_tail(tmp_path, version, seed=0)
    with open_file(path) as src:
        for _ in src:
            pass
        at, left = src.stats["damaged_at_byte"], src.stats["bytes_not_decoded"]
    assert at is not None
    out = tmp_path / "o"
    assert main(["reconstruct", str(path), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", "--window-ms", "10"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: ")
    assert lines[0].endswith(f", from a DAMAGED recording: decoding stopped at byte {at:,} "
                             f"(the last {left:,} bytes not decoded)"), lines[0]


def test_a_whole_recording_is_not_flagged(tmp_path, tiny_ckpt, capsys):
    from conftest import REAL_FILES

    assert main(["reconstruct", str(REAL_FILES["evt3"]["path"]), "-o", str(tmp_path / "o"), "--model",
                 str(tiny_ckpt), "--device", "cpu", "--no-progress", "--window-ms", "10"]) == 0
    assert "DAMAGED" not in capsys.readouterr().out
