"""``evfocus train`` printed ``{"loss": 1.37, ...}`` at the end of a fine-tune: the last batch's
loss, noisy, with nothing to compare it to. The line carries the first loss and the mean of
the last logged ones now (log.json had them)."""

from __future__ import annotations

import json

from train_support import tiny_data  # noqa: F401 (a fixture)

from evfocus_live.cli import main


def test_the_printed_summary_has_the_first_and_last_losses(tiny_data, tmp_path, capsys):  # noqa: F811
    cfg = tmp_path / "ft.toml"
    cfg.write_text(f"""
[model]
arch = "evfocus"
base = 4
kernel = 3
num_deblur_blocks = 1
[data]
train = {json.dumps(str(tiny_data))}
seq_len = 3
batch_size = 2
stride = 2
[augment]
crop = 32
[train]
steps = 3
log_every = 1
threads = 1
device = "cpu"
out = {json.dumps(str(tmp_path / "run"))}
""")
    assert main(["train", str(cfg), "--no-progress"]) in (0, None)
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    logged = json.loads((tmp_path / "run" / "log.json").read_text())
    assert printed["first_loss"] == logged["first_loss"] and printed["first_loss"] is not None
    assert printed["final_loss_avg"] == logged["final_loss_avg"]
    assert {"checkpoint", "step", "wall_s", "loss", "params"} <= set(printed)
