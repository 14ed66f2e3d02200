"""``evfocus info`` on an AEDAT4 file whose camera clock restarted says so as for a RAW file whose
clock was reset: a ``clock`` line and ``decoder.clock_resets`` (it gave the clocks' spans only). And
on a damaged AEDAT4 file without an index it describes the events before the damage: it said so, then
failed (exit 2) finding the file's clocks, which decoded every packet again."""

from __future__ import annotations

import json

import pytest
from conftest import make_events
from reader_support import aedat4_clocks_file, aedat4_reset_file

from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.sources import open_file


@pytest.mark.parametrize("index", [True, False])
def test_info_has_a_clock_line_as_for_raw(tmp_path, capsys, index):
    path, first, second = aedat4_reset_file(tmp_path, index)
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["decoder"]["clock_resets"] == 1  # (before: no such key)
    assert len(info["clock_spans_us"]) == 2
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "on 2 clocks" in out and "clock       1 reset(s) of the sensor clock" in out, out


def _damaged_without_index(tmp_path, *parts):
    """An AEDAT4 file of ``parts`` with no index (a recorder killed) and its last-but-two packet
    overwritten; (path, events before that packet)."""
    path = aedat4_clocks_file(tmp_path / "a.aedat4", *parts, index=False)
    with open_file(path) as src:
        k = len(src._offs) - 3
        off = int(src._offs[k])
        before = sum(len(src._packet_events(i)[0]) for i in range(k))
    data = bytearray(path.read_bytes())
    data[off + 20:off + 60] = b"\xff" * 40
    out = tmp_path / "damaged.aedat4"
    out.write_bytes(bytes(data))
    return out, before


def test_info_on_a_damaged_file_without_an_index_describes_the_events_before_it(tmp_path, capsys):
    path, before = _damaged_without_index(tmp_path, make_events(40_000, 64, 48, duration_us=400_000))
    assert main(["info", str(path), "--json"]) == 0  # (before: 2, after the warning describing them)
    info = json.loads(capsys.readouterr().out)
    assert info["events"] == before and info["decoder"]["damaged_at_byte"] is not None


def test_a_restart_before_the_damage_is_read_on_to_the_damage(tmp_path):
    """The clocks cannot be found there (every packet decoded): the events up to the damage, no
    earlier error; the pipeline's slicer says the restart then."""
    path, before = _damaged_without_index(
        tmp_path, make_events(20_000, 64, 48, t0_us=5_000_000, duration_us=200_000, seed=1),
        make_events(20_000, 64, 48, t0_us=20_000, duration_us=200_000, seed=2))
    with open_file(path) as src:
        got = 0
        with pytest.raises(InputError, match="corrupt AEDAT4 packet"):
            while (b := src.read()) is not None:
                got += len(b)
        assert got == before and not src.warns_clock_resets
