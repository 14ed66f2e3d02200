"""`evfocus eval --data DIR` reads the files directly in DIR only: a researcher who gives the
folder above the simulated splits (``data_sim`` instead of ``data_sim/test_*``) must be told
that, and which folders to pass, not just "no evaluable data"."""

from __future__ import annotations

import pytest

from evfocus_live.errors import InputError
from evfocus_live.train.evaluate import expand_data


def test_parent_folder_names_its_subfolders(tmp_path):
    for name in ("test", "train"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "seq_00000.h5").write_bytes(b"")
    with pytest.raises(InputError) as err:
        expand_data([str(tmp_path)])
    msg = str(err.value)
    assert "subfolders are not searched" in msg
    assert f"--data {tmp_path / 'test'} {tmp_path / 'train'}" in msg


def test_empty_folder_says_what_it_looks_for(tmp_path):
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(InputError) as err:
        expand_data([str(tmp_path)])
    msg = str(err.value)
    assert "seq_*.h5" in msg and ".aedat4" in msg
    assert "subfolders" not in msg  # none there: no hint about them
