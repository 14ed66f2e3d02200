"""A stage started with `--init runs/a/final.pt` and resumed from another folder with the same
weights by another relative path (`--init ../proj/runs/a/final.pt --resume`, a script that always
passes both) was warned that --init "is not loaded (that run started from runs/a/final.pt)": the
run's meta kept the path as given, resolved against the new folder. It now keeps it resolved
too; other weights are still named."""

from __future__ import annotations

import logging

import pytest
from train_support import tiny_cfg, tiny_data  # noqa: F401 (a fixture)

from evfocus_live.train.trainer import train

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _said(caplog):
    return [r.getMessage() for r in caplog.records if "is not loaded" in r.getMessage()]


@pytest.fixture
def stage2(tiny_data, tmp_path, monkeypatch):
    proj = tmp_path / "proj"
    proj.mkdir()
    monkeypatch.chdir(proj)
    train(tiny_cfg(tiny_data, "runs/a", steps=1), progress=False)
    train(tiny_cfg(tiny_data, "runs/b", steps=2), init="runs/a/final.pt", progress=False)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    return tmp_path


def test_the_same_init_by_another_relative_path_is_quiet(tiny_data, stage2, caplog):
    with caplog.at_level(logging.WARNING):
        train(tiny_cfg(tiny_data, "../proj/runs/b", steps=3), resume=True, init="../proj/runs/a/final.pt",
              progress=False)
    assert not _said(caplog)


def test_other_init_weights_are_still_named(tiny_data, stage2, caplog):
    with caplog.at_level(logging.WARNING):
        train(tiny_cfg(tiny_data, "../proj/runs/b", steps=3), resume=True, init="../proj/runs/b/final.pt",
              progress=False)
    assert _said(caplog)
