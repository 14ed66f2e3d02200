"""README's table of built-in post-processors lists each one setup.cfg registers, with
exactly the options its constructor takes and their defaults.

Before the table a newcomer met `--post NAME:KEY=VALUE` with no list of keys: the options of
`hot_pixels` (a hot-pixel file!) or `noise_filter` were in the source only.
"""

from __future__ import annotations

import configparser
import importlib
import inspect
import re

from readme_checker import README, REPO, _section

#: filled in by the pipeline, not given by a user
PIPELINE_KWARGS = {"width", "height"}


def _builtins() -> dict[str, type]:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    out = {}
    for line in cfg["options.entry_points"]["evfocus_live.postprocessors"].strip().splitlines():
        name, _, target = (s.strip() for s in line.partition("="))
        module, _, attr = target.partition(":")
        out[name] = getattr(importlib.import_module(module), attr)
    return out


def _table() -> dict[str, dict[str, str]]:
    """``{name: {option: default as written}}`` of README's table."""
    rows = {}
    for line in _section(README.read_text(encoding="utf-8"), "Post-processors").splitlines():
        m = re.match(r"^\| `(\w+)` \| (frame|events) \|.*\| ((?:`\w+=[^`]*`[^|`]*)+)\|$", line)
        if m:
            rows[m.group(1)] = dict(re.findall(r"`(\w+)=([^`]*)`", m.group(3)))
    return rows


def _same(written: str, default) -> bool:
    if default is None:
        return written == ""
    if isinstance(default, str):
        return written == default
    return float(written) == float(default)


def test_every_builtin_post_processor_is_in_the_table_with_its_options():
    table = _table()
    builtins = _builtins()
    assert set(table) == set(builtins), (sorted(table), sorted(builtins))
    for name, cls in builtins.items():
        params = {p.name: p.default for p in inspect.signature(cls).parameters.values()
                  if p.name not in PIPELINE_KWARGS}
        assert set(table[name]) == set(params), (name, sorted(table[name]), sorted(params))
        wrong = {k: (table[name][k], params[k]) for k in params if not _same(table[name][k], params[k])}
        assert not wrong, f"{name}: README's defaults differ from the code's: {wrong}"
