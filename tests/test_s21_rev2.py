"""Review fixes of session 21's merged changes (rev2)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from evfocus_live.errors import InputError


@pytest.mark.skipif(not hasattr(os, "preadv"), reason="the lock path reads through readinto")
def test_read_checks_the_file_again_after_its_pread(tmp_path, monkeypatch):
    """A rewrite landing between FileReader.read's check and its pread (AEDAT4's prefetch
    threads read packets this way) is said as a rewrite, not handed on as this file's bytes:
    readinto checked after its read, read's one-pread path did not."""
    from evfocus_live.sources import fileio

    path = tmp_path / "rec.bin"
    path.write_bytes(bytes(range(256)) * 16)
    real = os.pread
    calls = []

    def racing(fd, n, off):
        calls.append(off)
        if len(calls) == 1:  # a recorder truncates and rewrites the file under the reader now
            with open(path, "r+b") as f:
                f.truncate(0)
                f.write(b"\xff" * 8192)
        return real(fd, n, off)

    with open(path, "rb") as fh:
        r = fileio.FileReader(fh, path)
        assert r.read(0, 100) == (bytes(range(256)) * 16)[:100]
        monkeypatch.setattr(fileio.os, "pread", racing)
        with pytest.raises(InputError, match="rewritten while being read"):
            r.read(100, 100)


def test_runtime_log_line_of_an_error_skips_a_blank_first_line():
    """A torch error whose text starts with a newline was logged as "RuntimeError: " alone."""
    from evfocus_live.nn.runtime import _first_line

    assert _first_line(RuntimeError("\nshape mismatch\nat line 3")) == "RuntimeError: shape mismatch"
    assert _first_line(ValueError()) == "ValueError: no detail"


def test_aedat4_imu_and_trigger_packet_index_is_flat_int64(shared_data):
    """The IMU/trigger packets found when an AEDAT4 file opens are kept as flat int64 pairs
    (16 bytes a packet), not a Python tuple each (~120 bytes: ~200 packets a second of a DAVIS
    recording, ~80 MB an hour held for reads that rarely come); read_imu/read_triggers as before."""
    from evfocus_live.sources.aedat4_file import Aedat4FileSource

    path = shared_data / "davis346_pegboard_aestream.aedat4"
    if not path.is_file():
        pytest.skip("real DAVIS recording missing")
    with Aedat4FileSource(path) as src:
        n = 0
        for packets in src._other_packets.values():
            mv = memoryview(packets)  # (a list of tuples has no buffer: TypeError)
            assert mv.itemsize == 8 and len(mv) % 2 == 0
            n += len(mv) // 2
        assert n > 0
        imu, trig = src.read_imu(), src.read_triggers()
        assert len(imu) and (imu["t"][1:] >= imu["t"][:-1]).all()
        g = np.sqrt(imu["ax"] ** 2 + imu["ay"] ** 2 + imu["az"] ** 2)
        assert 0.8 < float(np.median(g)) < 1.2  # gravity, in g


def test_at_aps_check_of_frames_all_off_the_sensor_does_not_say_no_frame_stream(tmp_path):
    """``reconstruct --at aps``'s up-front check reads the frame times quietly (the run says
    what it leaves out), so when it leaves out every frame its line is all the user sees: it
    said "no frame stream in it" of a file that has one (frames placed off the sensor)."""
    pytest.importorskip("dv_processing")
    from aps_support import W, H, write_davis

    from evfocus_live.cli.reconstruct import _check_aps

    path = write_davis(tmp_path / "off.aedat4", [(30_000, 40, 30, 32, 20)])  # (64x48 sensor)
    with pytest.raises(InputError) as err:
        _check_aps(str(path))
    msg = str(err.value)
    assert "no frame stream" not in msg and f"fits its {W}x{H} sensor" in msg, msg
