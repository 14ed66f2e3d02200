"""`python -m evfocus_live.train.card mine runs/my my.toml --report report/report.json` for a
student's own run wrote a card that described another run: its test set as the shipped one
("12 sequences at 346x260, 1.5 s each, simulator seeds 100-102 ...") whatever the report held,
its config as `models/configs/my.toml` (a file that does not exist) and its weights as
`models/mine.pt` when $EVFOCUS_MODELS_DIR put them elsewhere. `evfocus eval` now records the
ground-truth folders it scored (`gt_data`: count, size, length, seeds, blur) and the card says
those, the config as given and the weights where they are."""

from __future__ import annotations

import json

import pytest
import torch

from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import save_checkpoint
from evfocus_live.train.card import main


@pytest.fixture
def test_folder(tmp_path):
    folder = tmp_path / "data" / "test"
    folder.mkdir(parents=True)
    names = ["seq_00000.h5", "seq_00001.h5"]
    for n in names:
        (folder / n).write_bytes(b"")
    (folder / "dataset.json").write_text(json.dumps({
        "config": {"width": 96, "height": 64, "duration_s": 0.5, "sigma_range": [0.0, 5.0], "focus_sweep": True},
        "sequences": [{"h5": n, "seed": 9000 + i} for i, n in enumerate(names)]}))
    return folder


def test_eval_records_what_it_scored(test_folder):
    from evfocus_live.train.evaluate import describe_gt_data

    (d,) = describe_gt_data(sorted(test_folder.glob("seq_*.h5")))
    assert d["sequences"] == 2 and d["resolution"] == "96x64" and d["seeds"] == [9000, 9001]
    assert d["duration_s"] == 0.5 and d["focus_sweep"] is True


def test_card_describes_the_students_run(tmp_path, test_folder, monkeypatch, capsys):
    models = tmp_path / "mymodels"
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(models))
    torch.manual_seed(0)
    run = tmp_path / "runs" / "my" / "final.pt"
    run.parent.mkdir(parents=True)
    save_checkpoint(run, EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)), {"step": 2, "wall_s": 6.0, "loss": 0.1})
    config = tmp_path / "my.toml"
    config.write_text('[model]\narch = "evfocus"\n')
    row = {"ssim": 0.5, "mse": 0.01, "psnr": 20.0, "mse_mm": 0.01, "n": 4}
    report = tmp_path / "report.json"
    report.write_text(json.dumps({
        "warmup_windows": 3,  # as evfocus eval records test_folder
        "gt_data": [{"folder": str(test_folder), "sequences": 2, "resolution": "96x64", "duration_s": 0.5,
                     "sigma_range": [0.0, 5.0], "focus_sweep": True, "seeds": [9000, 9001]}],
        "ground_truth": {"splits": {"focus sweep": {"defocused GT": row, "my": row}}}}))
    assert main(["mine", str(run), str(config), "--report", str(report), "--label", "my"]) == 0
    card = (models / "mine.md").read_text()
    assert "346x260" not in card and "seeds 100-102" not in card
    assert "2 sequences at 96x64, 0.5 s each, simulator seeds 9000-9001" in card
    assert "models/configs/my.toml" not in card and f"- config: `{config}`" in card
    assert f"- `{models / 'mine.pt'}`" in card


def test_card_describes_the_training_data_of_the_run(tmp_path, test_folder, monkeypatch):
    """Its data line pointed at "the recipe in the config's comment", which a student's config
    does not have: it now gives the training folders' size, length, seeds and blur."""
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "mymodels"))
    torch.manual_seed(0)
    run = tmp_path / "final.pt"
    save_checkpoint(run, EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)),
                    {"step": 2, "train_data_abs": [str(test_folder)], "dataset_sequences": 2})
    assert main(["mine", str(run)]) == 0
    card = (tmp_path / "mymodels" / "mine.md").read_text()
    assert "96x64, 0.5 s each, simulator seeds 9000-9001, sigma 0-5 px, focus sweep" in card
    assert "recipe in the config's comment" not in card
