"""A Ctrl-C (or SIGTERM) that lands inside the optimiser step stopped the run with the
weights updated but the step not counted: last.pt held step k with step k+1's weights, and
--resume trained step k+1 a second time (the resumed run no longer ended with one straight
run's weights). The signal is now handled once the step is done and counted."""

from __future__ import annotations

import os
import signal

import pytest
import torch
from train_support import resumable_cfg, two_blur_data  # noqa: F401 (a fixture)

from evfocus_live.nn.registry import read_checkpoint
from evfocus_live.train import trainer
from evfocus_live.train.trainer import train

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_ctrl_c_inside_the_update_resumes_as_one_run(two_blur_data, tmp_path, monkeypatch):
    train(resumable_cfg(two_blur_data, tmp_path / "straight"), progress=False)
    real_step, calls = trainer.optimiser_step, []

    def ctrl_c_after_the_third_update(*a, **kw):
        real_step(*a, **kw)
        calls.append(1)
        if len(calls) == 3:  # the weights are updated; the step is not counted yet
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(trainer, "optimiser_step", ctrl_c_after_the_third_update)
    with pytest.raises(KeyboardInterrupt):
        train(resumable_cfg(two_blur_data, tmp_path / "split"), progress=False)
    monkeypatch.setattr(trainer, "optimiser_step", real_step)
    assert read_checkpoint(tmp_path / "split" / "last.pt")["meta"]["step"] == 3
    train(resumable_cfg(two_blur_data, tmp_path / "split"), resume=True, progress=False)
    a = torch.load(tmp_path / "straight" / "final.pt", weights_only=True)["state_dict"]
    b = torch.load(tmp_path / "split" / "final.pt", weights_only=True)["state_dict"]
    assert max(float((a[k] - b[k]).abs().max()) for k in a) == 0.0
