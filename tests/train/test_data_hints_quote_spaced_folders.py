"""``--data "my set"`` with no sequences in it: the line's commands (``evfocus simulate my set
--sequences N``, ``--data my set/train my set/val``) left the folder unquoted, and pasted they
gave simulate two folders and train four; said quoted now, as the pictures-folder hint was."""

from __future__ import annotations

import shlex

import pytest

from evfocus_live.errors import InputError
from evfocus_live.train.dataset import list_sequences


def test_an_empty_folder_with_a_space_says_simulate_quoted(tmp_path):
    d = tmp_path / "my set"
    d.mkdir()
    with pytest.raises(InputError) as err:
        list_sequences(d)
    words = shlex.split(str(err.value).split("made by ", 1)[1])
    assert words[:3] == ["evfocus", "simulate", str(d)]


def test_the_folder_above_the_splits_says_them_quoted(tmp_path):
    for split in ("my train", "my val"):
        (tmp_path / split).mkdir()
        (tmp_path / split / "seq_00000.h5").write_bytes(b"")
    with pytest.raises(InputError) as err:
        list_sequences(tmp_path)
    words = shlex.split(str(err.value).split("--data ", 1)[1])
    assert words == [str(tmp_path / "my train"), str(tmp_path / "my val")]
