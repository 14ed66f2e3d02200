"""An editable install's entry points are written when it is made: a built-in reader added
since (``.npz``) was missing from them, so the registry never offered it until a reinstall.
The checkout's ``setup.cfg`` is read beside them."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import numpy as np
from conftest import make_events

import evfocus_live.plugins as plugins_mod
from evfocus_live.plugins import SOURCES, Registry, checkout_entry_points


def test_a_builtin_the_install_lacks_comes_from_the_checkout(monkeypatch, tmp_path):
    from evfocus_live import sources

    def installed_before_npz(group=None, **kw):  # the built-ins as an older install wrote them
        if group != SOURCES:
            return []
        old = [ep for ep in checkout_entry_points(SOURCES) if ep.name != "npz"]
        return old + [EntryPoint("pattern", "evfocus_plugin_pattern:PatternSource", SOURCES)]

    monkeypatch.setattr(plugins_mod, "entry_points", installed_before_npz)
    monkeypatch.setattr(sources, "_registry", None)
    reg = Registry(SOURCES)
    assert {"npz", "npy", "aedat4", "pattern"} <= set(reg.names())
    assert not reg.ignored  # (the same built-ins twice: nothing to say)
    ev = make_events(200, seed=1)
    np.savez(tmp_path / "ev.npz", t=ev["t"], x=ev["x"], y=ev["y"], p=ev["p"])
    assert sources.detect_format(tmp_path / "ev.npz")[0] == "npz"
    assert ".npz" in sources.file_extensions()
