"""Fixes of the third review: an AEDAT4 file with a cut last packet before its index, the
simulator's --resume with fewer sequences, a Prophesee device left open on a failed start."""

from __future__ import annotations

import json
import logging
import struct
import sys
import types

import numpy as np
import pytest

from conftest import make_events
from camera_support import threads_cannot_start
from evfocus_live.cli import main as cli_main
from evfocus_live.errors import DeviceError

# --- AEDAT4: half a packet, then a valid index -------------------------------------------


def _half_packet_then_index(tmp_path, list_cut_packet: bool, cut_header: bool = False):
    """A writer's file of three packets whose last one is cut short, followed by a valid
    LZ4 ``FTAB`` index (listing the cut packet or not) that the header points at: what a
    writer leaves that crashed mid-packet and then wrote its index on the way out."""
    import lz4.frame

    from evfocus_live.writers import Aedat4Writer
    from evfocus_live.writers.aedat4 import _DTP_FILE_OFFSET, data_table_bytes

    ev = make_events(3000, 64, 48, duration_us=300_000)
    whole = tmp_path / "whole.aedat4"
    w = Aedat4Writer(whole, 64, 48, max_packet_events=1000)
    w.write(ev)
    rows = [tuple(int(v) for v in r) for r in w.packet_index]
    w.close()
    off3, size3 = rows[2][0], rows[2][2]
    data = whole.read_bytes()
    body = data[:off3 - 5] if cut_header else data[:off3 + size3 // 2]
    index = data_table_bytes(rows if list_cut_packet else rows[:2])
    out = bytearray(body + lz4.frame.compress(index, content_checksum=False))
    struct.pack_into("<q", out, _DTP_FILE_OFFSET, len(body))
    p = tmp_path / "half.aedat4"
    p.write_bytes(bytes(out))
    return p, ev


@pytest.mark.parametrize("list_cut_packet, cut_header", [(False, False), (True, False), (False, True)],
                         ids=["index-without-it", "index-with-it", "cut-in-its-header"])
def test_aedat4_half_packet_before_a_valid_index_yields_the_events_before_it(
        tmp_path, caplog, list_cut_packet, cut_header):
    """The whole file was refused ("corrupt AEDAT4 packet header") though its first two
    packets were whole and dv-processing reads them through the index."""
    from evfocus_live.sources import open_file

    p, ev = _half_packet_then_index(tmp_path, list_cut_packet, cut_header)
    with caplog.at_level(logging.WARNING), open_file(p) as src:
        got = np.concatenate(list(src))
        assert np.array_equal(got, ev[:2000])
        assert src.time_range_us() == (int(ev["t"][0]), int(ev["t"][1999]))
        src.seek(int(ev["t"][1500]))  # seeking through the index still works
        assert np.array_equal(np.concatenate(list(src)), ev[1500:2000])
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "truncated" in warnings[0] and "2 complete event packets" in warnings[0]


def test_aedat4_half_packet_before_an_index_listing_later_packets_is_still_corrupt(tmp_path, capsys):
    """The index lists a packet after the broken one: the chain broke in the middle, and
    reading only the packets before it would silently lose that data."""
    import lz4.frame

    from evfocus_live.writers.aedat4 import _DTP_FILE_OFFSET, data_table_bytes

    p, _ = _half_packet_then_index(tmp_path, list_cut_packet=True)
    data = bytearray(p.read_bytes())
    dtp = struct.unpack_from("<q", data, _DTP_FILE_OFFSET)[0]
    index = data_table_bytes([(dtp + 100, 0, 50, 10, 0, 1)])  # a packet past the broken one
    data = data[:dtp] + lz4.frame.compress(index, content_checksum=False)
    p.write_bytes(bytes(data))
    assert cli_main(["info", str(p)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "corrupt AEDAT4 packet header" in err[0], err


# --- simulate --resume with fewer sequences than the earlier run ---------------------------

SIM = ["--duration", "0.05", "--resolution", "24x16", "--frame-ms", "25", "--seed", "40", "--no-aedat4"]


def test_simulate_resume_with_fewer_sequences_refuses_the_extras(tmp_path, capsys):
    """--resume --sequences 1 over a run of 3 left seq_00001/2.h5 beside a dataset.json
    listing one sequence; training globs seq_*.h5 and would silently use all three."""
    out = tmp_path / "ds"
    assert cli_main(["-q", "simulate", str(out), "--sequences", "3", *SIM]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert cli_main(["-q", "simulate", str(out), "--sequences", "1", "--resume", *SIM]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "2 sequence(s) past --sequences 1" in err[0] and "seq_00001.h5" in err[0], err
    assert "--sequences 3" in err[0] and "--overwrite" in err[0], err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing touched
    # the suggested commands work: the same count resumes, a larger one adds sequences
    assert cli_main(["-q", "simulate", str(out), "--sequences", "4", "--resume", *SIM]) == 0
    m = json.loads((out / "dataset.json").read_text())
    assert [s["name"] for s in m["sequences"]] == [f"seq_{i:05d}" for i in range(4)]
    assert sorted(p.name for p in out.glob("seq_*.h5")) == [f"seq_{i:05d}.h5" for i in range(4)]


# --- Prophesee (neuromorphic-drivers): a failure after nd.open closes the device -----------


def _fake_nd_failing(monkeypatch, fail_in):
    from evfocus_live.sources import prophesee_camera

    closed = []

    class Dev:
        def properties(self):
            if fail_in == "properties":
                raise RuntimeError("LIBUSB_ERROR_IO\ncontrol transfer failed")
            return types.SimpleNamespace(width=1280, height=720)

        def __exit__(self, *a):
            closed.append(a)

        def __iter__(self):
            return iter(())

    nd = types.SimpleNamespace(
        list_devices=lambda: [types.SimpleNamespace(name="Prophesee EVK4", serial="00051501", error=None)],
        open=lambda serial=None, **kw: Dev())
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers", nd)
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")
    return prophesee_camera, closed


def test_prophesee_nd_properties_failure_closes_the_device_and_is_one_line(monkeypatch):
    """properties() raising left the opened camera unclosed (the next open found it busy)
    and surfaced as a bare RuntimeError traceback."""
    mod, closed = _fake_nd_failing(monkeypatch, "properties")
    with pytest.raises(DeviceError) as ei:
        mod.PropheseeCameraSource()
    assert str(ei.value) == ("cannot read the properties of Prophesee EVK4 "
                             "(RuntimeError: LIBUSB_ERROR_IO)")
    assert len(closed) == 1


def test_prophesee_nd_reader_thread_failure_closes_the_device(monkeypatch):
    mod, closed = _fake_nd_failing(monkeypatch, None)
    threads_cannot_start(monkeypatch, mod)
    with pytest.raises(DeviceError, match=r"^cannot start the camera reader thread \(can't start new thread\)$"):
        mod.PropheseeCameraSource()
    assert len(closed) == 1
