"""``evfocus info`` on a recording cut short (``head -c``, a recorder that crashed, a copy cut)
said so only in a warning on stderr: the text and ``--json`` (read by scripts, often with
``2>/dev/null``) described a shorter recording with no sign that it was cut. A ``truncated``
line and ``decoder.truncated_at_byte`` say it now; a whole file has None."""

from __future__ import annotations

import json

import pytest
from conftest import make_events
from evt_reference import raw_file_bytes

from evfocus_live.cli import main
from evfocus_live.writers.aedat4 import Aedat4Writer


def _info(path, capsys, *extra):
    assert main(["info", str(path), *extra]) == 0
    return capsys.readouterr().out


def _aedat4(tmp_path):
    path = tmp_path / "whole.aedat4"
    with Aedat4Writer(path, 64, 48) as wr:
        for k in range(10):  # ten packets
            wr.write(make_events(2000, 64, 48, t0_us=k * 10_000, duration_us=10_000, seed=k))
    return path


def _raw(tmp_path):
    path = tmp_path / "whole.raw"
    path.write_bytes(raw_file_bytes(make_events(20_000, 640, 480, duration_us=100_000), 3, 640, 480))
    return path


@pytest.mark.parametrize("make,cut", [(_aedat4, 0.6), (_raw, 0.6)])
def test_a_cut_file_says_where_it_was_cut(tmp_path, capsys, make, cut):
    whole = make(tmp_path)
    data = whole.read_bytes()
    cut_path = tmp_path / f"cut{whole.suffix}"
    n = int(len(data) * cut) | 1  # odd: mid-word for RAW, inside a packet for AEDAT4
    cut_path.write_bytes(data[:n])
    assert json.loads(_info(whole, capsys, "--json"))["decoder"]["truncated_at_byte"] is None
    assert "truncated" not in _info(whole, capsys)
    at = json.loads(_info(cut_path, capsys, "--json"))["decoder"]["truncated_at_byte"]
    assert isinstance(at, int) and 0 < at <= n
    assert f"truncated   the file is cut short: readable up to byte {at:,} " in _info(cut_path, capsys)
