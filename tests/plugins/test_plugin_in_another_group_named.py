"""A plugin name given to the wrong option, or registered under the wrong entry-point group
(a post-processor under ``evfocus_live.sources`` in its ``setup.cfg``), was only "unknown"
(``post-processor 'x' is unavailable (unknown)``): now the line says where it is registered."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import numpy as np
import pytest

from conftest import make_events
from evfocus_live.plugins import POSTPROCESSORS, SOURCES
from plugin_support import _with_extra, fresh_sources  # noqa: F401 (a fixture)

PLUGINS = [EntryPoint("labgamma", "evfocus_plugin_median:MedianFilter", SOURCES),  # (the wrong group)
           EntryPoint("labfilter", "evfocus_plugin_median:MedianFilter", POSTPROCESSORS)]


@pytest.fixture
def rec(tmp_path):
    path = tmp_path / "rec.npy"
    np.save(path, make_events(2_000, width=64, height=48, duration_us=50_000))
    return path


def test_post_names_the_group_it_is_in(monkeypatch, rec, tmp_path, capsys, fresh_sources):
    from evfocus_live.cli import main

    _with_extra(monkeypatch, PLUGINS)
    assert main(["reconstruct", str(rec), "-o", str(tmp_path / "o"), "--post", "labgamma"]) == 2
    err = capsys.readouterr().err
    assert ("'labgamma' is a source plugin (evfocus_live.sources = evfocus_plugin_median:MedianFilter): give it "
            "to --camera, or register it under evfocus_live.postprocessors") in err, err


def test_model_and_camera_name_the_group_it_is_in(monkeypatch, rec, tmp_path, capsys, fresh_sources):
    from evfocus_live.cli import main
    from evfocus_live.gui.app import main as live_main

    _with_extra(monkeypatch, PLUGINS)
    assert main(["reconstruct", str(rec), "-o", str(tmp_path / "o"), "--model", "labfilter"]) == 2
    err = capsys.readouterr().err
    assert "unknown model 'labfilter'" in err and "is a post-processor plugin" in err and "give it to --post" in err
    assert live_main(["--headless", "--camera", "labfilter"]) == 2
    err = capsys.readouterr().err
    assert "unknown camera 'labfilter'" in err and "register it under evfocus_live.sources" in err, err
