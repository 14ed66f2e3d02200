"""``reconstruct --backend compile`` on an input of fewer frames than it waits for before building
(the third after a start) never built and said nothing: the run looked like a compiled one."""

from __future__ import annotations

import logging

import pytest
import torch
from cli_support import _npy

from evfocus_live.cli import main


def _run(tmp_path, ckpt, backend: str, window_ms: int) -> int:
    inp = _npy(tmp_path / f"ev_{backend}_{window_ms}.npy")  # 200 ms of events
    out = tmp_path / f"out_{backend}_{window_ms}"
    assert main(["reconstruct", str(inp), "-o", str(out), "--model", str(ckpt), "--device", "cpu",
                 "--window-ms", str(window_ms), "--post", "none", "--no-progress", "--threads", "1",
                 "--backend", backend, "--precision", "fp32"]) == 0
    return len(list(out.glob("frame_*.png")))


def _never_built(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "never built" in r.getMessage()]


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("backend", ["compile", "jit"])
def test_a_named_backend_with_too_few_frames_says_it_never_built_in_one_line(tmp_path, tiny_ckpt, caplog, backend):
    with caplog.at_level(logging.INFO):
        frames = _run(tmp_path, tiny_ckpt, backend, 100)
    assert frames == 2
    said = _never_built(caplog)  # before: nothing
    assert len(said) == 1 and "\n" not in said[0], said
    assert f"--backend {backend} never built: too few frames (2;" in said[0] and "the plain model ran" in said[0]
    assert not any("ready for input" in r.getMessage() for r in caplog.records)  # (no build was started)


@pytest.mark.usefixtures("one_torch_thread")
def test_compile_that_built_and_auto_say_nothing(tmp_path, tiny_ckpt, caplog, monkeypatch):
    monkeypatch.setattr(torch, "compile", lambda fn, **kw: fn)  # (the real one: a C++ build, a minute or more)
    with caplog.at_level(logging.INFO):
        assert _run(tmp_path, tiny_ckpt, "compile", 25) == 8
        assert _run(tmp_path, tiny_ckpt, "auto", 100) == 2  # not asked for by name: not said
    assert any("backend compile ready for input" in r.getMessage() for r in caplog.records)
    assert _never_built(caplog) == []
