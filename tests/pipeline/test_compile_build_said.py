"""``--backend compile``: torch.compile built for ~90 s on a CPU with no word while it ran."""

from __future__ import annotations

import copy
import logging
import re

import torch
from runtime_support import assert_same, plain_run, small, voxels

from evfocus_live.nn import runtime
from evfocus_live.nn.runtime import InferenceModel


def test_compile_build_says_when_it_starts_and_how_long_it_took(monkeypatch, caplog):
    said_before_build = []

    def fake_compile(fn, **kw):  # (the real one: a C++ build, a minute or more)
        said_before_build.append([r.getMessage() for r in caplog.records])
        return fn

    monkeypatch.setattr(torch, "compile", fake_compile)
    model = small()
    ref = copy.deepcopy(model)
    vox = voxels(4)
    runner = InferenceModel(model, "compile")
    with caplog.at_level(logging.INFO, logger="evfocus_live.nn.runtime"):
        outs = [runner(x) for x in vox]
    assert_same(outs, plain_run(ref, vox))
    assert runner.backend == "compile" and len(said_before_build) == 1
    start = [m for m in said_before_build[0] if "torch.compile" in m]
    assert len(start) == 1 and "a minute or more on a CPU" in start[0], said_before_build
    done = [r.getMessage() for r in caplog.records if "ready for input" in r.getMessage()]
    assert len(done) == 1 and re.fullmatch(r"inference backend compile ready for input .* in \d+\.\d s", done[0]), done
    assert [r.levelno for r in caplog.records] == [logging.INFO, logging.INFO]


def test_other_backends_build_without_the_compile_line(caplog):
    runner = InferenceModel(small(), "jit")
    with caplog.at_level(logging.INFO, logger="evfocus_live.nn.runtime"):
        [runner(x) for x in voxels(3)]
    assert runner._steps and not any("torch.compile" in r.getMessage() for r in caplog.records)
