"""`evfocus train ../proj/my.toml` from another folder: the config's `train = "data/train"` is
looked up in the current folder, not beside the config, and the error said only "data path not
found: data/train". It now says where a relative path is taken from."""

from __future__ import annotations

import pytest

from evfocus_live.errors import InputError
from evfocus_live.train.dataset import list_sequences


def test_a_missing_relative_data_path_says_where_it_was_looked_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as exc:
        list_sequences("data/train")
    assert str(tmp_path) in str(exc.value) and "current folder" in str(exc.value)


def test_a_missing_absolute_path_is_named_alone(tmp_path):
    with pytest.raises(InputError) as exc:
        list_sequences(tmp_path / "nowhere")
    assert str(exc.value) == f"data path not found: {tmp_path / 'nowhere'}"
