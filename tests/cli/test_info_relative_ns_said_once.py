"""``evfocus info`` on a file whose times may be nanoseconds from 0 says it once. Before, the
reader's warning ("every timestamp sampled is a multiple of 1000 …") and info's own ``units``
line ("… over 2.8 h: the times may be nanoseconds …") said it twice in two wordings; and under
an hour (the 0.13 s DAVIS recording saved in ns, read as 130 s) only the warning said it, while
the JSON gave ``"t_maybe_ns": false`` beside it."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from conftest import DAVIS_FILE

from evfocus_live.cli import main
from evfocus_live.sources import open_file


def _davis_in_ns(tmp_path, span_scale: int = 1):
    with open_file(DAVIS_FILE) as src:
        ev = np.concatenate(list(src))
    ev["t"] = (ev["t"] - ev["t"].min()) * 1000 * span_scale  # ns from 0 of a µs clock
    path = tmp_path / "davis_ns.npy"
    np.save(path, ev)
    return path, int(ev["t"].max())


def _said(caplog, out: str) -> list[str]:
    """Every line, on stdout or in the log, that says the times may be nanoseconds."""
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    return [m for m in logged + out.splitlines() if "multiple of 1000" in m]


@pytest.mark.parametrize("scale", [1, 100_000], ids=["0.13s-as-130s", "13s-as-3.6h"])
def test_text_says_it_once_with_both_spans(tmp_path, capsys, caplog, scale):
    path, span = _davis_in_ns(tmp_path, scale)
    with caplog.at_level(logging.WARNING):
        assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    said = _said(caplog, out)
    assert len(said) == 1, said
    assert said[0].startswith("units") and "may be nanoseconds" in said[0]
    assert f"as nanoseconds, {span / 1e9:.6f} s" in said[0] and f"lasts {span / 1e6:,.3f} s" in said[0]


def test_json_flags_it_and_one_warning_says_it(tmp_path, capsys, caplog):
    path, span = _davis_in_ns(tmp_path)
    with caplog.at_level(logging.WARNING):
        assert main(["info", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["t_maybe_ns"] is True
    said = _said(caplog, out)
    assert len(said) == 1 and f"{span / 1e9:.6f} s" in said[0], said


def test_microseconds_in_whole_ms_sampled_but_not_throughout_say_nothing(tmp_path, capsys, caplog):
    """The reader samples the head and tail only; info reads every t: one not a whole ms
    in the middle and the hint goes (held back, not said by either)."""
    path, _ = _davis_in_ns(tmp_path)
    ev = np.load(path)
    ev["t"][len(ev) // 2] += 1
    np.save(path, ev)
    with caplog.at_level(logging.WARNING):
        assert main(["info", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["t_maybe_ns"] is False and not _said(caplog, out)
