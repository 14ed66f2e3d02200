"""Every settings file the viewer saves now says its palette, ``dark`` too; ``evfocus reconstruct
--config`` said "[display] palette = 'dark' ignored" for each of them, though ``dark`` is what its
own ``--side-by-side`` video uses anyway: nothing was ignored. Another palette is still said."""

from __future__ import annotations

import logging

import pytest
from cli_support import reconstruct_model_config


@pytest.mark.parametrize("palette, said", [("dark", False), ("DARK", False), ("gray", True)])
def test_only_a_palette_reconstruct_does_not_use_is_said(monkeypatch, tmp_path, caplog, palette, said):
    path = tmp_path / "lab.toml"
    path.write_text(f'version = 1\n[display]\npalette = "{palette}"\n')
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        reconstruct_model_config(monkeypatch, tmp_path, "--config", str(path))
    assert any("[display] palette" in r.getMessage() for r in caplog.records) == said
