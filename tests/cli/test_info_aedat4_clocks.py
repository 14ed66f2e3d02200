"""``evfocus info`` on an AEDAT4 file whose camera clock restarted: its reader has ``clocks()``
now, but info summed the clocks' spans only for a RAW file (from its decoder's reset count), so
the duration ran from the second clock's start to the first clock's end (5.2 s for 0.4 s of
events) and the rate was 13x too low."""

from __future__ import annotations

import json

from conftest import DAVIS_FILE
from reader_support import aedat4_reset_file as _reset_file

from evfocus_live.cli import main


def test_an_aedat4_file_on_two_clocks_lasts_its_clocks_spans(tmp_path, capsys):
    path, first, second = _reset_file(tmp_path)
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    spans = [[int(first["t"][0]), int(first["t"][-1])], [int(second["t"][0]), int(second["t"][-1])]]
    assert info["clock_spans_us"] == spans
    assert info["duration_on_clocks_us"] == sum(b - a for a, b in spans)
    assert abs(info["rate_ev_per_s"] * info["duration_on_clocks_us"] * 1e-6 - info["events"]) < 1
    assert main(["info", str(path)]) == 0
    assert "on 2 clocks" in capsys.readouterr().out


def test_a_recording_on_one_clock_is_described_as_before(capsys):
    assert main(["info", str(DAVIS_FILE), "--json"]) == 0
    assert "duration_on_clocks_us" not in json.loads(capsys.readouterr().out)
