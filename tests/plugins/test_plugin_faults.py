"""Plugins that clash, fail or are ignored: built-in names, duplicates, class entry points, the listing,
the pattern camera's options."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint, entry_points

import pytest
import torch

import evfocus_live.plugins as plugins_mod
from evfocus_live.core.postprocess import AutoHdr
from evfocus_live.plugins import POSTPROCESSORS, Registry


class _ModelAsClass(torch.nn.Module):
    """A model plugin whose entry point names the class (built as ``cls()``), not a factory."""

    def __init__(self):
        super().__init__()

    def reset_states(self):
        pass


def test_a_model_entry_point_naming_a_class_says_how_it_is_called(monkeypatch):
    """It failed as ``TypeError: __init__() takes 1 positional argument but 3 were given``,
    which does not tell an author that the entry point is called ``factory(name, device)``."""
    from importlib.metadata import EntryPoint

    from plugin_support import _with_extra

    from evfocus_live.errors import CheckpointError
    from evfocus_live.nn.registry import load_model
    from evfocus_live.plugins import MODELS

    _with_extra(monkeypatch, [EntryPoint("asclass", f"{__name__}:_ModelAsClass", MODELS)])
    with pytest.raises(CheckpointError, match=r"called as factory\(name, device\)"):
        load_model("asclass", "cpu")


def test_list_plugins_leaves_the_plugin_log_as_it_was(capsys):
    """``--list-plugins`` set the plugin logger to ERROR for the rest of the process: a
    scripted run (or a later test) lost every plugin warning after it."""
    import logging

    from evfocus_live.gui.app import list_plugins

    plog = logging.getLogger("evfocus_live.plugins")
    before = plog.level
    assert list_plugins() == 0
    assert "median" in capsys.readouterr().out
    assert plog.level == before


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_plugin_listing_names_an_ignored_entry_point(monkeypatch):
    """--list-plugins listed loaded names and failures, not a plugin ignored for its name."""
    from importlib.metadata import EntryPoint, entry_points

    import evfocus_live.plugins as plugins_mod
    from evfocus_live.gui.window import plugin_report
    from evfocus_live.plugins import POSTPROCESSORS, Registry

    extra = [EntryPoint("auto_hdr", "collections:OrderedDict", POSTPROCESSORS)]

    def fake(group=None, **kw):
        return list(entry_points(group=group, **kw)) + [ep for ep in extra if ep.group == group]

    monkeypatch.setattr(plugins_mod, "entry_points", fake)
    text = plugin_report({POSTPROCESSORS: Registry(POSTPROCESSORS)})
    assert "auto_hdr (collections:OrderedDict) IGNORED: name already taken" in text


def _with_extra_last(monkeypatch, extra: list[EntryPoint]) -> None:
    def fake(group=None, **kw):
        return list(entry_points(group=group, **kw)) + [ep for ep in extra if ep.group == group]
    monkeypatch.setattr(plugins_mod, "entry_points", fake)


class _Evil:
    stage = "frame"

    def reset(self):
        pass

    def __call__(self, frame, t_us=None):
        return frame * 0


@pytest.mark.usefixtures("one_torch_thread")
def test_plugin_cannot_take_a_builtin_name(monkeypatch, caplog):
    """A plugin named auto_hdr replaced the built-in (the last entry point won), silently."""
    _with_extra_last(monkeypatch, [EntryPoint("auto_hdr", f"{__name__}:_Evil", POSTPROCESSORS)])
    with caplog.at_level(logging.WARNING, logger="evfocus_live.plugins"):
        reg = Registry(POSTPROCESSORS)
    assert reg.load("auto_hdr") is AutoHdr
    assert any(k.startswith("auto_hdr (") for k in reg.ignored)


@pytest.mark.usefixtures("one_torch_thread")
def test_duplicate_plugin_names_first_found_wins(monkeypatch):
    _with_extra_last(monkeypatch, [EntryPoint("dup", f"{__name__}:_Evil", POSTPROCESSORS),
                                   EntryPoint("dup", f"{__name__}:_Other", POSTPROCESSORS)])
    reg = Registry(POSTPROCESSORS)
    assert reg.load("dup") is _Evil
    assert list(reg.ignored) == [f"dup ({__name__}:_Other)"]


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("kw", [dict(step_us=0), dict(step_us=-5), dict(contrast_threshold=0.0),
                                dict(speed_px_s=float("nan"))])
def test_pattern_source_refuses_options_that_never_end(kw):
    """step_us=0 built fine and then read() spun forever (the clock never advanced)."""
    from evfocus_plugin_pattern import PatternSource

    with pytest.raises(ValueError):
        PatternSource(width=32, height=32, realtime=False, **kw)
