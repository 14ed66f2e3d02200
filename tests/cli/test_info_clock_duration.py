"""``evfocus info`` on a RAW file whose sensor clock was reset mid-recording (decoded on since
this session): its duration was the minimum to the maximum over both clocks, 1.35 s and a rate
of 400 kev/s for 0.25 s of a 2 Mev/s recording. It is now the sum of each clock's span."""

from __future__ import annotations

import json

from conftest import EVT2_FILE, make_events
from evt_reference import encode_evt2

from evfocus_live.cli import main


def test_a_clock_reset_file_lasts_its_clocks_spans(tmp_path, capsys):
    after = make_events(5000, 640, 480, t0_us=20_000, duration_us=200_000, seed=7)  # the new clock
    path = tmp_path / "reset.raw"
    path.write_bytes(EVT2_FILE.read_bytes() + encode_evt2(after))
    assert main(["info", str(EVT2_FILE), "--json"]) == 0
    real = json.loads(capsys.readouterr().out)
    assert "duration_on_clocks_us" not in real  # (one clock: as before)
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    span_after = int(after["t"][-1] - after["t"][0])
    assert info["decoder"]["clock_resets"] == 1
    assert info["clock_spans_us"] == [[real["t_first_us"], real["t_last_us"]],
                                      [int(after["t"][0]), int(after["t"][-1])]]
    assert info["duration_on_clocks_us"] == real["duration_us"] + span_after  # (before: no such key)
    assert info["duration_us"] == real["t_last_us"] - int(after["t"][0])  # min to max, as documented
    assert abs(info["rate_ev_per_s"] * info["duration_on_clocks_us"] * 1e-6 - info["events"]) < 1
    assert main(["info", str(path)]) == 0
    assert "on 2 clocks" in capsys.readouterr().out
