"""Fake plugin entry points for the plugin tests."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

import pytest
from conftest import TINY

import evfocus_live.plugins as plugins_mod


def tiny_factory(name: str, device: str):
    """A model plugin factory (entry-point target used by the tests below)."""
    from evfocus_live.nn.registry import build_model
    return build_model("evfocus", TINY).to(device).eval()


def _with_extra(monkeypatch, extra: list[EntryPoint]) -> None:
    """Make every Registry see the installed entry points plus ``extra``."""
    def fake(group=None, **kw):
        real = list(entry_points(group=group, **kw))
        return real + [ep for ep in extra if ep.group == group]
    monkeypatch.setattr(plugins_mod, "entry_points", fake)


@pytest.fixture
def fresh_sources(monkeypatch):
    """The process-wide source registry rebuilt, so that fake entry points are seen."""
    from evfocus_live import sources
    monkeypatch.setattr(sources, "_registry", None)
    return sources
