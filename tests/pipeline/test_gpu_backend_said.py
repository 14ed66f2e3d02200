"""A backend or precision named for a CUDA run: the GPU runs the plain model (the backends and
bf16 are the CPU's), which the pipeline did in silence: ``--backend jit`` on a GPU looked used.
Now one warning line says so, and the viewer shows it on its status bar. No GPU here: the
CUDA decision is faked (``two_gpus``) and the model only records where it is put."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch
from cli_support import two_gpus  # noqa: F401 (fixtures)
from conftest import make_events
from pipeline_support import _Placed

from evfocus_live.config import ModelConfig, PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _pipeline(tmp_path, device: str, **model_kw) -> Pipeline:
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(2000, 64, 48, seed=5))
    return Pipeline(str(rec), WindowConfig(mode="events", window_events=1000),
                    ModelConfig(name="placed", device=device, **model_kw), PostConfig(steps=()),
                    model_obj=_Placed(), reconnect=False)


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("backend", ["jit", "onnx", "compile"])
def test_a_backend_named_for_the_gpu_is_said_unused(tmp_path, caplog, two_gpus, backend):
    caplog.set_level(logging.WARNING)
    pipe = _pipeline(tmp_path, "cuda:0", backend=backend)
    try:
        said = [m for m in _warnings(caplog) if f"backend {backend}" in m]
        assert len(said) == 1, _warnings(caplog)
        assert "not used on cuda:0" in said[0] and "fp16" in said[0]
        assert pipe.backend_warning == said[0]
        assert pipe.runner.backend == "eager"  # (what runs: unchanged)
    finally:
        pipe.close()


def test_bf16_named_for_the_gpu_is_said_with_the_backend(tmp_path, caplog, two_gpus, monkeypatch):
    # (bf16 is no CPU-only option now: a GPU without it runs fp32, said by the runtime; see
    # test_bf16_means_bf16_everywhere. The model stays on the CPU: its device faked too)
    import evfocus_live.nn.runtime as runtime
    monkeypatch.setattr(runtime, "_device_of", lambda model: torch.device("cuda", 1))
    caplog.set_level(logging.WARNING)
    pipe = _pipeline(tmp_path, "cuda:1", backend="jit", precision="bf16", half=False)
    try:
        said = [m for m in _warnings(caplog) if "not used on" in m]
        assert said == ["backend jit not used on cuda:1: those are CPU options; "
                        "the GPU runs the plain model (fp32)"]
        assert any("precision bf16 needs a GPU with bf16" in m for m in _warnings(caplog))
    finally:
        pipe.close()


@pytest.mark.parametrize("device, model_kw", [
    ("cuda:0", {}),  # auto, auto: nothing was asked for
    ("cuda:0", {"backend": "eager", "precision": "fp32"}),  # what the GPU runs anyway
    ("cpu", {"backend": "jit", "precision": "fp32"}),  # honoured on the CPU
])
def test_nothing_is_said_where_nothing_named_is_dropped(tmp_path, caplog, two_gpus, device, model_kw):
    caplog.set_level(logging.WARNING)
    pipe = _pipeline(tmp_path, device, **model_kw)
    try:
        assert pipe.backend_warning is None
        assert not [m for m in _warnings(caplog) if "not used on" in m]
    finally:
        pipe.close()


def test_the_viewer_shows_it_on_its_status_bar(tmp_path, two_gpus):
    """The viewer's session builds its pipeline before it hears the pipeline's ``on_warning``:
    the line is taken from the pipeline, as the CPU speed warning is."""
    from evfocus_live.gui.session import LiveSession
    from evfocus_live.sources import open_source

    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(2000, 64, 48, seed=6))
    sess = LiveSession(open_source(str(rec)), WindowConfig(mode="events", window_events=1000),
                       ModelConfig(name="placed", device="cuda:0", backend="compile"),
                       PostConfig(steps=()), model_obj=_Placed())
    try:
        shown = [text for level, text in sess.messages if level == "warning" and "backend compile" in text]
        assert len(shown) == 1 and "not used on cuda:0" in shown[0]
    finally:
        sess.stop()
