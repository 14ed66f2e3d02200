"""``FrameFolder`` (``evfocus reconstruct -o`` and headless ``--frames-dir``) lists a frame in
compare/timestamps.txt, then in timestamps.txt. When the second line could not be written (a
full disk), the frame's files were removed but compare/timestamps.txt kept its line: the
compare list named a frame that is not on disk. Both lines go then."""

from __future__ import annotations

import types

import numpy as np
import pytest

from evfocus_live.cli import reconstruct
from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.errors import InputError


def _frame(index: int):
    img = np.full((6, 8), 100, np.uint8)
    return types.SimpleNamespace(index=index, t_us=1000 * (index + 1), image=img, compare=img)


def test_a_failed_main_line_takes_the_compare_line_with_it(tmp_path, monkeypatch):
    folder = FrameFolder(tmp_path, compare=True)
    folder.write(_frame(0))
    real = reconstruct._append_line

    def main_list_full(f, path, line):
        if path == tmp_path / "timestamps.txt":
            raise InputError(f"{path}: cannot write (No space left on device)")
        real(f, path, line)

    monkeypatch.setattr(reconstruct, "_append_line", main_list_full)
    with pytest.raises(InputError):
        folder.write(_frame(1))
    folder.close()
    for d in (tmp_path, tmp_path / "compare"):
        assert (d / "timestamps.txt").read_text().splitlines() == ["0 1000"], d
        assert sorted(p.name for p in d.glob("frame_*.png")) == ["frame_0000000000.png"], d
    assert folder.n == folder.n_cmp == 1
