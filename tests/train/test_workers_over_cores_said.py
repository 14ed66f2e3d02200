"""``[data] workers = 3`` (copied from ``models/configs/evfocus-stage6-gpu.toml``, the config the
README names for fine-tuning the shipped model) on a 2-core machine: torch printed its own
UserWarning twice, with its source path and no key to change. One line of ours now names the
key and the cores, and torch's is not repeated."""

from __future__ import annotations

import logging
import warnings

from train_support import tiny_cfg, tiny_data  # noqa: F401  (fixture)

from evfocus_live.train import trainer


def test_workers_over_the_cores_is_one_line_naming_the_key(tiny_data, tmp_path, monkeypatch, caplog):  # noqa: F811
    monkeypatch.setattr(trainer, "_cpu_cores", lambda: 1)
    cfg = tiny_cfg(tiny_data, tmp_path / "out", steps=1)
    cfg["data"]["workers"] = 3  # (over this VM's 2 cores: torch's own check fires too)
    with warnings.catch_warnings(record=True) as seen, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        trainer.train(cfg)
    said = [r.getMessage() for r in caplog.records if "[data] workers" in r.getMessage()]
    assert len(said) == 1 and "3 loader processes on 1 CPU cores" in said[0], caplog.text
    assert "set [data] workers to at most 0" in said[0]
    assert not [w for w in seen if "This DataLoader will create" in str(w.message)], [str(w.message) for w in seen]


def test_workers_within_the_cores_say_nothing(tiny_data, tmp_path, monkeypatch, caplog):  # noqa: F811
    monkeypatch.setattr(trainer, "_cpu_cores", lambda: 8)
    cfg = tiny_cfg(tiny_data, tmp_path / "out", steps=1)
    with caplog.at_level(logging.WARNING):
        trainer.train(cfg)
    assert "[data] workers" not in caplog.text
