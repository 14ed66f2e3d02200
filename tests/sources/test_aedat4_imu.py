"""The AEDAT4 reader's IMU and trigger streams, against dv-processing's, on files that change."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import hdf5_file, npy_file
from evfocus_live.sources.aedat4_file import Aedat4FileSource


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


@pytest.fixture
def _small_batches(monkeypatch):
    monkeypatch.setattr(npy_file, "BATCH_EVENTS", 1000)
    monkeypatch.setattr(hdf5_file, "BATCH_EVENTS", 1000)


DAVIS = "davis346_pegboard_aestream.aedat4"


def _dv_imu_and_triggers(path):
    """The reference: dv-processing's reading of the IMU and trigger streams."""
    dv = pytest.importorskip("dv_processing")
    r = dv.io.MonoCameraRecording(str(path))
    imu = [(m.timestamp, m.accelerometerX, m.accelerometerY, m.accelerometerZ, m.gyroscopeX,
            m.gyroscopeY, m.gyroscopeZ) for _ in iter(lambda: r.isRunning("imu"), False)
           for m in (r.getNextImuBatch() or [])]
    r = dv.io.MonoCameraRecording(str(path))
    trig = [(m.timestamp, int(m.type)) for _ in iter(lambda: r.isRunning("triggers"), False)
            for m in (r.getNextTriggerBatch() or [])]
    return imu, trig


@pytest.mark.usefixtures("_small_batches")
def test_aedat4_imu_and_triggers_match_dv_processing(shared_data):
    path = shared_data / DAVIS
    ref_imu, ref_trig = _dv_imu_and_triggers(path)
    with Aedat4FileSource(path) as src:
        imu, trig = src.read_imu(), src.read_triggers()
    assert len(imu) == 130 and len(trig) == 15
    assert imu.tolist() == ref_imu  # (float32 values: dv gives the same doubles)
    assert trig.tolist() == ref_trig


@pytest.mark.usefixtures("_small_batches")
def test_aedat4_imu_and_triggers_of_a_rotated_recording_come_from_the_file_opened(tmp_path, shared_data):
    """dv-processing opened the path again: after a rotation it read the new file's IMU
    samples and triggers, shown beside the old file's events."""
    path = tmp_path / "rec.aedat4"
    shutil.copyfile(shared_data / DAVIS, path)
    with Aedat4FileSource(path) as src:
        data = (shared_data / DAVIS).read_bytes()
        (tmp_path / "next.aedat4").write_bytes(data[:len(data) // 3])  # another, shorter one
        os.replace(tmp_path / "next.aedat4", path)
        assert len(src.read_imu()) == 130 and len(src.read_triggers()) == 15
        assert sum(len(b) for b in src) == 117_667


@pytest.mark.usefixtures("_small_batches")
def test_aedat4_imu_and_triggers_of_a_copy_in_progress(tmp_path, shared_data):
    """A recording still being copied (its header names an index not there yet) or written
    (header 'no index'): the IMU samples and triggers of the complete packets so far, as
    the events. dv-processing refused the first ("FileDataTable set but not present")."""
    data = (shared_data / DAVIS).read_bytes()
    with Aedat4FileSource(shared_data / DAVIS) as src:
        imu_all, trig_all = src.read_imu(), src.read_triggers()
    path = tmp_path / "rec.aedat4"
    path.write_bytes(data[:int(len(data) * 0.3)])
    with Aedat4FileSource(path) as src:
        imu, trig = src.read_imu(), src.read_triggers()
    assert 0 < len(imu) < 130 and 0 < len(trig) < 15
    assert np.array_equal(imu, imu_all[:len(imu)]) and np.array_equal(trig, trig_all[:len(trig)])


@pytest.mark.usefixtures("_small_batches")
def test_aedat4_imu_of_a_shrunk_or_corrupt_file_is_one_line(tmp_path, shared_data):
    data = (shared_data / DAVIS).read_bytes()
    path = tmp_path / "rec.aedat4"
    path.write_bytes(data)
    with Aedat4FileSource(path) as src:
        src.read()
        os.truncate(path, len(data) // 2)
        with pytest.raises(InputError, match="shrank"):
            src.read_imu()
    with Aedat4FileSource(shared_data / DAVIS) as src:
        off, n = src._other_packets[2][2:4]  # the second IMU packet (flat offset, size pairs)
    bad = bytearray(data)
    bad[off:off + 4] = b"\xff" * 4  # its LZ4 frame's magic
    path.write_bytes(bytes(bad))
    with Aedat4FileSource(path) as src:
        assert sum(len(b) for b in src) == 117_667  # the events are not touched
        with pytest.raises(InputError, match=rf"corrupt AEDAT4 (imu )?packet at byte {off}"):
            src.read_imu()
        assert len(src.read_triggers()) == 15
