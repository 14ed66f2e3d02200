"""bf16 picked in the viewer's precision box while the model runs on a GPU without bf16 runs
fp32: said, once (a GPU with it runs bf16 now).
The precision box's line ("precision bf16 runs on the CPU only ...") and the pipeline's line for
a precision named on a GPU ("precision bf16 not used on cuda:0 ...", merged beside it) both went
to the status bar when the viewer started so (``evfocus-live --precision bf16``, or the choice
it remembered); a switch to bf16 in the box said only the first, a model switch both again. No GPU
here: the CUDA decision is faked and the model stays on the CPU (as in the pipeline's tests)."""

from __future__ import annotations

import numpy as np
import pytest
from cli_support import two_gpus  # noqa: F401 (fixtures)
from conftest import make_events
from pipeline_support import _Placed

from evfocus_live.config import ModelConfig, PostConfig, WindowConfig
from evfocus_live.gui.precision import with_precision

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _said_bf16(sess) -> list[str]:
    return [text for level, text in sess.messages if level == "warning" and "bf16" in text]


def test_bf16_on_cuda_is_said_once_at_start_on_a_pick_and_on_a_model_switch(tmp_path, two_gpus, monkeypatch):
    import torch

    import evfocus_live.nn.runtime as runtime
    from evfocus_live.gui.session import LiveSession
    from evfocus_live.sources import open_source

    # (a GPU without native bf16 now: one with it runs bf16, see test_bf16_means_bf16_everywhere;
    # the runner decides by the model's device, which stays on the CPU here)
    monkeypatch.setattr(runtime, "_device_of", lambda model: torch.device("cuda", 0))

    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(2000, 64, 48, seed=6))
    sess = LiveSession(open_source(str(rec)), WindowConfig(mode="events", window_events=1000),
                       with_precision(ModelConfig(name="placed", device="cuda:0"), "bf16"),
                       PostConfig(steps=()), model_obj=_Placed())
    try:
        assert len(_said_bf16(sess)) == 1, _said_bf16(sess)  # (at start: two lines)
        assert sess.set_precision("fp16")
        sess.messages.clear()
        assert sess.set_precision("bf16")
        assert len(_said_bf16(sess)) == 1, _said_bf16(sess)
        sess.messages.clear()
        assert sess.set_model(_Placed())
        assert len(_said_bf16(sess)) == 1, _said_bf16(sess)  # (a model switch: two lines)
        assert sess.pipeline.runner.precision == "fp32" and not sess.pipeline.half  # (what runs)
    finally:
        sess.stop()
