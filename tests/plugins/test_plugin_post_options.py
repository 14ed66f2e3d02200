"""``--post NAME:KEY=VALUE``: a post-processor plugin's options from the commands. They could
only be passed from Python (``PostConfig.options``): ``--post median:ksize=5`` was
"post-processor 'median:ksize=5' is unavailable (unknown)"."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import numpy as np
import pytest

from evfocus_live.errors import ConfigError
from evfocus_live.plugins import MODELS, POSTPROCESSORS, Registry
from plugin_support import _with_extra

BUILT: list[dict] = []  # the options each LabGain was built with


class LabGain:
    """A frame post-processor with options, recording them."""
    stage = "frame"

    def __init__(self, gain: float = 1.0, label: str = "", clip: bool = True):
        BUILT.append({"gain": gain, "label": label, "clip": clip})
        self.gain = gain

    def __call__(self, frame, t_us=0):
        return np.clip(frame * self.gain, 0, 255).astype(np.uint8)

    def reset(self):
        pass


PLUGINS = [EntryPoint("labgain", "test_plugin_post_options:LabGain", POSTPROCESSORS),
           EntryPoint("tinynet", "plugin_support:tiny_factory", MODELS)]


@pytest.fixture
def npy_rec(tmp_path):
    from conftest import make_events
    path = tmp_path / "rec.npy"
    np.save(path, make_events(20_000, width=64, height=48, duration_us=200_000))
    return path


def test_post_options_are_parsed_per_name():
    from evfocus_live.cli.options import post_options, post_steps
    text = "labgain:gain=0.5:label=lab a:clip=false, auto_hdr,median:ksize=5"
    assert post_steps(text) == ("labgain", "auto_hdr", "median")
    assert post_options(text) == {"labgain": {"gain": 0.5, "label": "lab a", "clip": False},
                                  "median": {"ksize": 5}}
    assert post_options("none") == {} and post_options("auto_hdr") == {}


@pytest.mark.parametrize("text", ["median:ksize", "median:=5", "median:k size=5", "median:ksize="])
def test_a_malformed_post_option_is_one_line(text):
    from evfocus_live.cli.options import post_options
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        post_options(text)


@pytest.mark.usefixtures("one_torch_thread")
def test_reconstruct_and_the_viewer_pass_post_options(monkeypatch, npy_rec, tmp_path, capsys):
    from evfocus_live.cli import main as cli_main
    from evfocus_live.gui.app import main as live_main
    _with_extra(monkeypatch, PLUGINS)
    BUILT.clear()
    rc = cli_main(["reconstruct", str(npy_rec), "-o", str(tmp_path / "out"), "--model", "tinynet", "--device", "cpu",
                   "--no-progress", "--post", "labgain:gain=2:label=x"])
    assert rc == 0, capsys.readouterr().err
    assert BUILT and all(b == {"gain": 2, "label": "x", "clip": True} for b in BUILT), BUILT
    BUILT.clear()
    rc = live_main(["--headless", str(npy_rec), "--model", "tinynet", "--device", "cpu", "--speed", "0",
                    "--exit-after", "20", "--post", "labgain:gain=0.25"])
    assert rc == 0, capsys.readouterr().err
    assert BUILT and all(b["gain"] == 0.25 for b in BUILT), BUILT


def test_a_plugin_name_with_a_colon_is_ignored_and_said(monkeypatch):
    """``--post lab:gain`` now means option ``gain`` of ``lab``: such a name could never be chosen."""
    _with_extra(monkeypatch, [EntryPoint("lab:gain", "test_plugin_post_options:LabGain", POSTPROCESSORS)])
    reg = Registry(POSTPROCESSORS)
    assert "lab:gain" not in reg.names()
    assert "colon" in reg.ignored["lab:gain (test_plugin_post_options:LabGain)"]
