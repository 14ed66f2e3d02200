"""A post-processor whose ``reset()`` raises: ``evfocus reconstruct`` and ``evfocus-live``
ended in a RuntimeError traceback out of the pipeline's constructor (the first reset); now it
is refused when built, one line naming it, and a later reset (a seek) is a ConfigError too."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import numpy as np
import pytest

from conftest import make_events
from evfocus_live.errors import ConfigError
from evfocus_live.plugins import MODELS, POSTPROCESSORS
from plugin_support import _with_extra, tiny_factory

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class ResetRaises:
    stage = "frame"

    def __call__(self, frame, t_us=0):
        return frame

    def reset(self):
        raise RuntimeError("lab filter lost its calibration")


class SecondResetRaises(ResetRaises):
    """Fine when built and when the stream starts; its reset on a seek raises."""
    calls = 0

    def reset(self):
        type(self).calls += 1
        if type(self).calls > 2:
            super().reset()


PLUGINS = [EntryPoint("resetbad", "test_plugin_post_reset_fault:ResetRaises", POSTPROCESSORS),
           EntryPoint("laterbad", "test_plugin_post_reset_fault:SecondResetRaises", POSTPROCESSORS),
           EntryPoint("tinynet", "plugin_support:tiny_factory", MODELS)]


def test_a_post_reset_that_raises_is_one_line_in_both_commands(monkeypatch, tmp_path, capsys):
    from evfocus_live.cli import main as cli_main
    from evfocus_live.gui.app import main as live_main
    _with_extra(monkeypatch, PLUGINS)
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(5_000, width=64, height=48, duration_us=100_000))
    rc = cli_main(["reconstruct", str(rec), "-o", str(tmp_path / "out"), "--model", "tinynet", "--device", "cpu",
                   "--no-progress", "--post", "resetbad"])
    err = capsys.readouterr().err
    assert rc == 2 and "'resetbad': reset() failed: RuntimeError: lab filter" in err and "Traceback" not in err, err
    rc = live_main(["--headless", str(rec), "--model", "tinynet", "--device", "cpu", "--speed", "0",
                    "--exit-after", "20", "--post", "resetbad"])
    err = capsys.readouterr().err
    assert rc == 2 and "'resetbad': reset() failed" in err and "Traceback" not in err, err


def test_a_post_reset_that_raises_on_a_seek_names_it(monkeypatch, tmp_path):
    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.pipeline import Pipeline
    _with_extra(monkeypatch, PLUGINS)
    monkeypatch.setattr(SecondResetRaises, "calls", 0)
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(5_000, width=64, height=48, duration_us=100_000))
    pipe = Pipeline(str(rec), WindowConfig(mode="events", window_events=800), post=PostConfig(steps=("laterbad",)),
                    model_obj=tiny_factory("tiny", "cpu"))
    try:
        with pytest.raises(ConfigError, match=r"'laterbad': reset\(\) failed: RuntimeError"):
            pipe.seek(50_000)
    finally:
        pipe.close()
