"""A backend built in well under a second is no INFO line: ``evfocus-live --headless --frames-dir``
(fp32 on a CPU, the jit backend) logged "inference backend jit ready for input (1, 5, 260, 346) in
0.3 s" between its rate lines, where README says the backend lines of setting the model up are
``-v`` only. A slow build (seconds with no frame, or torch.compile's minute) is still said."""

from __future__ import annotations

import logging

import pytest
from runtime_support import small, voxels

from evfocus_live.nn import runtime
from evfocus_live.nn.runtime import InferenceModel


def _ready_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "ready for input" in r.getMessage()]


@pytest.mark.parametrize(("said_s", "level"), [(1e9, logging.DEBUG), (0.0, logging.INFO)],
                         ids=["quick build: -v only", "slow build: said"])
def test_jit_build_said_by_how_long_it_took(monkeypatch, caplog, said_s, level):
    monkeypatch.setattr(runtime, "BUILD_SAID_S", said_s, raising=False)
    runner = InferenceModel(small(), "jit")
    with caplog.at_level(logging.DEBUG, logger="evfocus_live.nn.runtime"):
        [runner(x) for x in voxels(3)]
    ready = _ready_records(caplog)
    assert runner.backend == "jit" and len(ready) == 1, [r.getMessage() for r in caplog.records]
    assert ready[0].levelno == level
