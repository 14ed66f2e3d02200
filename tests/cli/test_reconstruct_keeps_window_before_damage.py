"""``evfocus reconstruct`` on an AEDAT4 file with a packet in the middle that does not decode keeps
the frames before it, then says the error. The window open at the damage was lost: its events
were read and sound, but no frame was made of them (up to a whole ``--window-ms`` of the
recording before the error line; the flipped-byte DAVIS346 file lost its last 10 ms window).
Now that window's frame is made, as at a recording's end, ending 1 µs after its last event."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.writers.aedat4 import Aedat4Writer


def _damaged(tmp_path):
    """30,000 events over 300 ms in packets of 3000; packet 5's LZ4 payload is garbage."""
    ev = make_events(30_000, t0_us=1_000_000, duration_us=300_000, seed=3)
    path = tmp_path / "rec.aedat4"
    with Aedat4Writer(path, 346, 260, max_packet_events=3000) as w:
        w.write(ev)
        off, _, size = (int(v) for v in w.packet_index[5][:3])
    data = bytearray(path.read_bytes())
    data[off + 8:off + size] = np.random.default_rng(0).integers(0, 256, size - 8, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    return path, ev[:15_000]


@pytest.mark.parametrize("window", [["--window-ms", "33"], ["--adaptive-ms", "33"]], ids=["duration", "adaptive"])
def test_the_window_open_at_the_damage_gets_its_frame(tmp_path, capsys, window):
    path, before = _damaged(tmp_path)
    out = tmp_path / "out"
    assert main(["reconstruct", str(path), "-o", str(out), *window, "--no-progress"]) == 2
    err = capsys.readouterr()
    assert "corrupt AEDAT4 packet" in err.err and "INCOMPLETE" in err.out
    t = np.loadtxt(out / "timestamps.txt", dtype=np.int64, ndmin=2)[:, 1]
    assert t[-1] == int(before["t"][-1]) + 1  # (the last window: up to the last event before the damage)
    assert len(list(out.glob("frame_*.png"))) == len(t)
    assert f"up to t={t[-1]} µs only" in err.out
