"""A training run's folder: earlier runs' logs and checkpoints kept, not overwritten."""

from __future__ import annotations

import csv
import logging

import pytest
from train_support import tiny_cfg, tiny_data  # noqa: F401 (the shared training data fixture)


def test_fresh_training_run_keeps_the_earlier_runs_log_beside_its_checkpoint(tmp_path, caplog, one_torch_thread):
    """A fresh run in a used folder kept the earlier run's checkpoints as *.prev.pt but wrote its
    own log.csv over theirs; and a last.pt there (a forgotten --resume?) was an info line."""
    import csv
    import logging

    from evfocus_live.nn.registry import load_model
    from evfocus_live.train import trainer
    from evfocus_live.train.synth import simulate_minimal

    data = tmp_path / "data"
    simulate_minimal(data / "seq_00000.h5", width=64, height=48, n_frames=8, sigma_range=(1, 3), seed=1)
    out = tmp_path / "run"
    cfg = trainer.normalize_config({
        "model": {"arch": "firenet", "base": 4}, "data": {"train": str(data), "seq_len": 3, "batch_size": 1},
        "augment": {"crop": 32}, "train": {"steps": 3, "out": str(out), "threads": 1, "device": "cpu",
                                           "log_every": 1, "ckpt_every_s": 3600}})
    trainer.train(cfg, progress=False)
    with caplog.at_level(logging.INFO, logger="evfocus_live.train.trainer"):
        trainer.train(cfg, steps=1, progress=False)
    with open(out / "log.prev.csv") as f:
        assert [int(r["step"]) for r in csv.DictReader(f)] == [1, 2, 3]
    with open(out / "log.csv") as f:
        assert [int(r["step"]) for r in csv.DictReader(f)] == [1]
    assert load_model(str(out / "final.prev.pt")).meta["step"] == 3
    warned = [r for r in caplog.records if "last.prev.pt" in r.getMessage()]
    assert warned and warned[0].levelno == logging.WARNING


def _steps(path) -> list[int]:
    with open(path) as f:
        return [int(r["step"]) for r in csv.DictReader(f)]


@pytest.mark.usefixtures("one_torch_thread")
def test_every_earlier_fresh_run_is_kept(tiny_data, tmp_path, caplog):  # noqa: F811 (fixture)
    """A second fresh run in a used folder wrote its predecessor's logs and checkpoints over
    the first one's *.prev.*: now .prev is the newest earlier run, .prev2 the one before."""
    from evfocus_live.nn.registry import load_model
    from evfocus_live.train.trainer import train

    out = tmp_path / "run"
    train(tiny_cfg(tiny_data, out, steps=3), progress=False)
    train(tiny_cfg(tiny_data, out, steps=2), progress=False)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="evfocus_live.train.trainer"):
        train(tiny_cfg(tiny_data, out, steps=1), progress=False)
    assert _steps(out / "log.csv") == [1]
    assert _steps(out / "log.prev.csv") == [1, 2]
    assert _steps(out / "log.prev2.csv") == [1, 2, 3]
    for name, step in (("final.prev.pt", 2), ("final.prev2.pt", 3), ("last.prev.pt", 2), ("last.prev2.pt", 3)):
        assert load_model(str(out / name)).meta["step"] == step, name
    for name in ("log.prev.json", "log.prev2.json", "loss.prev.png", "loss.prev2.png"):
        assert (out / name).is_file(), name
    assert not list(out.glob("*.prev3.*"))
    said = [r.getMessage() for r in caplog.records]
    assert "moved the earlier run's log.csv aside to log.prev.csv (the older one now log.prev2.csv)" in said
    warned = [r for r in caplog.records if "last.pt: starting afresh" in r.getMessage()]
    assert len(warned) == 1 and warned[0].levelno == logging.WARNING
    assert warned[0].getMessage().endswith("it is kept as last.prev.pt (the older one now last.prev2.pt)")


@pytest.mark.usefixtures("one_torch_thread")
def test_moving_aside_fills_the_first_gap_and_overwrites_nothing(tmp_path):
    from evfocus_live.train.trainer import _move_aside

    for name, text in (("log.csv", "new"), ("log.prev.csv", "gen1"), ("log.prev3.csv", "gen3")):
        (tmp_path / name).write_text(text)
    assert _move_aside(tmp_path, "log.csv") == ("log.prev.csv", 1)
    got = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert got == {"log.prev.csv": "new", "log.prev2.csv": "gen1", "log.prev3.csv": "gen3"}
    (tmp_path / "log.csv").write_text("newer")
    assert _move_aside(tmp_path, "log.csv") == ("log.prev.csv", 3)
    got = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert got == {"log.prev.csv": "newer", "log.prev2.csv": "new", "log.prev3.csv": "gen1", "log.prev4.csv": "gen3"}
