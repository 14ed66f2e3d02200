"""bf16 picked (or remembered, or `--precision bf16`) on a CPU without native bf16 runs fp32: the
runtime logged "bf16 inference needs a CPU with native bf16 (AVX512-BF16/AMX): running fp32" and
the viewer's session "precision bf16 needs a CPU with native bf16 (AVX512-BF16 or AMX), this one
has none: running fp32" beside it: two lines for one fact in the terminal (and a headless run's
log). The status bar keeps its line; the log has one."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.config import ModelConfig, PostConfig, WindowConfig
from evfocus_live.gui.precision import with_precision

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_bf16_on_a_cpu_without_it_is_logged_once_and_shown(tmp_path, tiny_model, monkeypatch, caplog):
    import evfocus_live.nn.runtime as runtime
    from evfocus_live.gui.session import LiveSession
    from evfocus_live.sources import open_source

    monkeypatch.setattr(runtime, "_bf16_fast", lambda: False)
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(2000, 64, 48, seed=6))
    caplog.set_level(logging.WARNING)
    sess = LiveSession(open_source(str(rec)), WindowConfig(mode="events", window_events=1000),
                       with_precision(ModelConfig(name="tiny", device="cpu"), "bf16"),
                       PostConfig(steps=()), model_obj=tiny_model)
    try:
        logged = [r.getMessage() for r in caplog.records if "bf16" in r.getMessage()]
        assert len(logged) == 1, logged
        shown = [text for level, text in sess.messages if level == "warning" and "bf16" in text]
        assert len(shown) == 1 and "running fp32" in shown[0], shown
        assert sess.pipeline.runner.precision == "fp32"
    finally:
        sess.stop()
