"""`[data] train` / `--data` on the folder above the simulated splits (``data`` instead of
``data/train``): the error must name the subfolders that hold sequences, not advise simulating
into the parent folder."""

from __future__ import annotations

import pytest

from evfocus_live.errors import InputError
from evfocus_live.train.dataset import list_sequences


def test_parent_folder_names_its_sequence_subfolders(tmp_path):
    for name in ("test", "train"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "seq_00000.h5").write_bytes(b"")
    with pytest.raises(InputError) as err:
        list_sequences(tmp_path)
    msg = str(err.value)
    assert "subfolders are not searched" in msg
    assert str(tmp_path / "train") in msg and str(tmp_path / "test") in msg
    assert f"evfocus simulate {tmp_path} " not in msg  # would put sequences beside the splits


def test_empty_folder_still_says_how_to_make_sequences(tmp_path):
    with pytest.raises(InputError, match=f"evfocus simulate {tmp_path} --sequences N"):
        list_sequences(tmp_path)
