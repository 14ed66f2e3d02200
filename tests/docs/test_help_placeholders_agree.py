"""Every program's --help named the same kind of value by different placeholders: ``--threads N``
(reconstruct) beside ``--threads THREADS`` (bench), ``--jobs N`` beside ``--workers WORKERS``,
``--compare MODEL`` beside ``--compare NAME`` and ``--compare COMPARE``, ``--frames-dir DIR``
beside ``--snapshot-dir SNAPSHOT_DIR``. One kind of value has one placeholder now."""

from __future__ import annotations

import argparse

import pytest

#: an option's own kind of value by its name: the placeholder every program writes for it
KINDS = {
    "a count": ({"--threads", "--jobs", "--workers", "--sequences", "--steps", "--warmup", "--max-windows",
                 "--min-frames", "--window-events", "--downsample"}, "N"),
    "a model": ({"--model", "--compare", "--models"}, "MODEL"),
    "seconds": ({"--duration", "--exit-after-s", "--min-s", "--timeout-s"}, "S"),
    "milliseconds": ({"--window-ms", "--adaptive-ms", "--frame-ms"}, "X"),
    "a folder written to": ({"--frames-dir", "--snapshot-dir", "--record-dir"}, "DIR"),
    "a size": ({"--size", "--resolution"}, "WxH"),
    "post-processors": ({"--post"}, "STEPS"),
    "a PNG written": ({"--screenshot"}, "OUT.png"),
}


def _parsers() -> dict[str, argparse.ArgumentParser]:
    from evfocus_live.cli import build_parser
    from evfocus_live.gui.app import build_parser as live_parser
    from evfocus_live.gui.screenshot import build_parser as screenshot_parser

    out = {"evfocus-live": live_parser(), "screenshot": screenshot_parser()}
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            out.update({f"evfocus {name}": sub for name, sub in action.choices.items()})
    return out


def _placeholders() -> list[tuple[str, str, str]]:
    """(program, option, placeholder) of each option that takes a value."""
    rows = []
    for prog, parser in _parsers().items():
        for action in parser._actions:
            if not action.option_strings or action.nargs == 0 or action.choices is not None:
                continue
            shown = parser._get_formatter()._format_args(action, action.dest.upper()).split(" [")[0]
            rows.extend((prog, opt, shown) for opt in action.option_strings if opt.startswith("--"))
    return rows


@pytest.mark.parametrize("kind", KINDS)
def test_one_kind_of_value_one_placeholder(kind):
    options, placeholder = KINDS[kind]
    wrong = [f"{prog} {opt} {shown}" for prog, opt, shown in _placeholders()
             if opt in options and shown.split()[0] != placeholder]
    assert not wrong, f"{kind} is written {placeholder}: {wrong}"


def test_an_option_in_several_programs_has_one_placeholder():
    # (--out: bench writes a JSON file, train and eval folders; --data: train's folders, eval's files too)
    differ = {"--out", "--data"}
    seen: dict[str, set[str]] = {}
    for _prog, opt, shown in _placeholders():
        if opt not in differ:
            seen.setdefault(opt, set()).add(shown.split()[0])
    assert not {o: s for o, s in seen.items() if len(s) > 1}


def test_positionals_are_capitals():
    lower = [f"{prog} {a.metavar or a.dest}" for prog, p in _parsers().items() for a in p._actions
             if not a.option_strings and not isinstance(a, argparse._SubParsersAction)
             and not (a.metavar or a.dest).split(".")[0].isupper()]  # (OUT.png)
    assert not lower
