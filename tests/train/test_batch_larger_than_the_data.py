"""`[data] batch_size = 64` on a tiny simulated set (a handful of seq_len-window items): every
step trained on the few items there were, a batch far smaller than the config says, without a
word. It is now a warning with the real batch."""

from __future__ import annotations

import logging

import pytest
from train_support import tiny_cfg, tiny_data  # noqa: F401 (a fixture)

from evfocus_live.train.trainer import train

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _said(caplog):
    return [r.getMessage() for r in caplog.records if "batch_size" in r.getMessage()]


def test_batch_larger_than_the_items_is_said(tiny_data, tmp_path, caplog):
    cfg = tiny_cfg(tiny_data, tmp_path / "big", steps=1)
    cfg["data"]["batch_size"] = 64
    with caplog.at_level(logging.WARNING):
        train(cfg, progress=False)
    assert any("batch_size 64" in m and "each step trains on" in m for m in _said(caplog)), _said(caplog)


def test_a_batch_that_fits_is_not(tiny_data, tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        train(tiny_cfg(tiny_data, tmp_path / "ok", steps=1), progress=False)
    assert not _said(caplog)
