"""Training hides torch's DataLoader worker-count warning where it says the same in a line of
its own ([data] workers over the CPU cores); the filter was installed for the whole process and
stayed after ``train()`` returned, so the caller's own DataLoaders (a notebook, a script) lost
the warning. The caller's warning filters are as they were after training now."""

from __future__ import annotations

import warnings

from train_support import tiny_cfg, tiny_data  # noqa: F401  (fixture)

from evfocus_live.train import trainer


def test_the_dataloader_warning_filter_ends_with_the_run(tiny_data, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(trainer, "_cpu_cores", lambda: 0)  # (one worker is over it: the filter goes on)
    cfg = tiny_cfg(tiny_data, tmp_path / "out", steps=1)
    cfg["data"]["workers"] = 1
    before = list(warnings.filters)
    trainer.train(cfg)
    assert warnings.filters == before
    assert not [f for f in warnings.filters if f[1] is not None and "This DataLoader" in f[1].pattern]
