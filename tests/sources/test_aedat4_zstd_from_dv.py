"""A ZSTD-compressed AEDAT4 file as dv-processing writes it, from the real DAVIS346 recording's first
events: our reader gives the events dv-processing reads back from it, on the reading thread and on
the prefetch threads (both decompress ZSTD). ZSTD was tested on synthetic events only."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DAVIS_FILE
from reader_support import read_with_dv

from evfocus_live.sources import aedat4_file
from evfocus_live.sources.aedat4_file import Aedat4FileSource

FIRST_EVENTS = 60_000


def _dv_zstd_file(tmp_path, compression: str):
    """The real recording's first ~FIRST_EVENTS events (its own batches), written by dv-processing."""
    dv = pytest.importorskip("dv_processing")
    rec = dv.io.MonoCameraRecording(str(DAVIS_FILE))
    path = tmp_path / f"pegboard_{compression}.aedat4"
    w = dv.io.MonoCameraWriter(str(path), dv.io.MonoCameraWriter.EventOnlyConfig(
        rec.getCameraName(), rec.getEventResolution(), getattr(dv.CompressionType, compression)))
    n = 0
    while n < FIRST_EVENTS and rec.isRunning():
        b = rec.getNextEventBatch()
        if b is not None:
            w.writeEventPacket(b.toPacket())  # (not writeEvents: ../shared/docs/IO.md §2)
            n += len(b)
    del w  # dv closes the file when the writer is released
    return path


@pytest.mark.parametrize("compression", ["ZSTD", "ZSTD_HIGH"])
@pytest.mark.parametrize("inline_bytes", [aedat4_file.INLINE_BYTES, 0])  # (0: every packet on the prefetch threads)
def test_a_zstd_file_written_by_dv_reads_as_dv_reads_it(tmp_path, monkeypatch, compression, inline_bytes):
    path = _dv_zstd_file(tmp_path, compression)
    theirs, _ = read_with_dv(path)
    monkeypatch.setattr(aedat4_file, "INLINE_BYTES", inline_bytes)
    with Aedat4FileSource(path) as src:
        assert src.compression == "zstd" and len(src._offs) > 4
        ours = np.concatenate(list(src))
        assert len(ours) >= FIRST_EVENTS and np.array_equal(ours, theirs)
        t = int(theirs["t"][len(theirs) // 2])
        src.seek(t)  # (through the file's index)
        assert np.array_equal(np.concatenate(list(src)), theirs[np.flatnonzero(theirs["t"] >= t)[0]:])
