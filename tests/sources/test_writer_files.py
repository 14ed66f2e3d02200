"""The event and video writers on disk: files replaced not truncated, links, append mode, full disks,
fields by name, the packet index's size."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from cli_support import write_aedat4
from conftest import make_events

from evfocus_live.writers.aedat4 import Aedat4Writer
from evfocus_live.writers.hdf5 import Hdf5Writer


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("ext", ["aedat4", "h5"])
def test_writers_take_fields_by_name_and_minus_one_is_off(tmp_path, ext):
    """Aedat4Writer cast an (x, y, t, p) record array by position (x written as t...), and both
    writers wrote a -1 polarity as ON."""
    from evfocus_live.sources import open_file
    from evfocus_live.writers import Aedat4Writer, Hdf5Writer

    ev = np.zeros(4, [("x", "<u2"), ("y", "<u2"), ("t", "<i8"), ("p", "i1")])
    ev["t"], ev["x"], ev["y"], ev["p"] = [10, 20, 30, 40], [1, 2, 3, 63], [4, 5, 6, 47], [1, -1, 1, -1]
    path = tmp_path / f"w.{ext}"
    with (Aedat4Writer if ext == "aedat4" else Hdf5Writer)(path, 64, 48) as w:
        w.write(ev[:0])
        w.write(ev)
    with open_file(path) as src:
        got = np.concatenate(list(src))
    assert got["t"].tolist() == [10, 20, 30, 40] and got["x"].tolist() == [1, 2, 3, 63]
    assert got["y"].tolist() == [4, 5, 6, 47] and got["p"].tolist() == [1, 0, 1, 0]


@pytest.mark.usefixtures("one_torch_thread")
def test_writer_refuses_records_without_event_fields(tmp_path):
    from evfocus_live.writers import Hdf5Writer

    with Hdf5Writer(tmp_path / "w.h5", 64, 48) as w:
        with pytest.raises(ValueError, match="fields t, x, y, p"):
            w.write(np.zeros(3, [("ts", "<i8"), ("x", "<u2"), ("y", "<u2"), ("p", "u1")]))


class _FullDisk:
    """A file whose next write stores half its bytes, then fails as a full disk does."""

    def __init__(self, f, skip: int = 0):
        self.f, self.skip, self.failed = f, skip, False

    def write(self, b):
        if self.skip:
            self.skip -= 1
        elif not self.failed:
            self.failed = True
            self.f.write(bytes(b)[: len(b) // 2])
            raise OSError(28, "No space left on device")
        return self.f.write(b)

    def __getattr__(self, name):
        return getattr(self.f, name)


@pytest.mark.usefixtures("one_torch_thread")
def test_aedat4_write_that_fails_midway_leaves_a_file_our_reader_reads(tmp_path):
    """A full disk mid-packet left half a packet before the index: our reader refused the whole
    recording ("corrupt AEDAT4 packet header") though every earlier packet was complete."""
    from evfocus_live.sources import open_file
    from evfocus_live.writers import Aedat4Writer

    ev = make_events(3000, 64, 48, duration_us=300_000)
    path = tmp_path / "rec.aedat4"
    w = Aedat4Writer(path, 64, 48, max_packet_events=1000)
    w.write(ev[:1000])
    real, w._fh = w._fh, _FullDisk(w._fh)
    with pytest.raises(OSError):
        w.write(ev[1000:2000])
    w._fh = real
    w.write(ev[2000:])  # space freed: recording goes on
    w._fh = _FullDisk(w._fh, skip=1)  # a write of two packets: the second fails
    with pytest.raises(OSError):
        w.write(_later(ev[:2000], 400_000))
    assert w.events_written == 3000
    w._fh = w._fh.f
    w.close()
    with open_file(path) as src:
        got = np.concatenate(list(src))
    assert np.array_equal(got, np.concatenate([ev[:1000], ev[2000:], _later(ev[:1000], 400_000)]))


def _later(ev, dt_us: int):
    out = ev.copy()
    out["t"] += dt_us
    return out


@pytest.mark.usefixtures("one_torch_thread")
def test_hdf5_write_that_fails_midway_leaves_columns_of_one_length(tmp_path):
    """A full disk while writing one column left /events/t longer than /events/p: our reader
    then refused the whole recording ("event columns have different lengths")."""
    from evfocus_live.sources import open_file
    from evfocus_live.writers import Hdf5Writer

    class _Failing:
        def __init__(self, ds):
            self.ds = ds

        def resize(self, shape):
            return self.ds.resize(shape)

        def __setitem__(self, key, value):
            raise OSError(28, "No space left on device")

    ev = make_events(3000, 64, 48, duration_us=300_000)
    path = tmp_path / "rec.h5"
    w = Hdf5Writer(path, 64, 48)
    w.write(ev[:1000])
    real, w._ds["y"] = w._ds["y"], _Failing(w._ds["y"])
    with pytest.raises(OSError):
        w.write(ev[1000:2000])
    w._ds["y"] = real
    w.close()  # the recording stops at the fault
    with open_file(path) as src:
        got = np.concatenate(list(src))
    assert np.array_equal(got, ev[:1000])


@pytest.mark.usefixtures("one_torch_thread")
def test_aedat4_writer_on_a_full_disk_is_one_error_line(tmp_path, monkeypatch):
    import builtins

    from evfocus_live.errors import InputError
    from evfocus_live.writers import Aedat4Writer

    real_open = builtins.open
    monkeypatch.setattr(builtins, "open", lambda *a, **k: _FullDisk(real_open(*a, **k)))
    with pytest.raises(InputError, match="cannot write .*No space left"):
        Aedat4Writer(tmp_path / "rec.aedat4", 64, 48)
    monkeypatch.undo()
    assert (tmp_path / "rec.aedat4").stat().st_size == 0


@pytest.mark.parametrize("kind", ["aedat4", "h5"])
def test_writer_replaces_a_file_that_is_open_instead_of_truncating_it(tmp_path, kind):
    """Truncating in place crashed a process that had the old file mapped (SIGBUS); the old
    file is now unlinked first, so a reader keeps its copy and the new file is whole."""
    path = tmp_path / f"rec.{kind}"
    old = make_events(5_000, 64, 48)
    new = make_events(3_000, 64, 48, seed=1)
    Writer = Aedat4Writer if kind == "aedat4" else Hdf5Writer
    with Writer(path, 64, 48) as w:
        w.write(old)
    old_bytes = path.read_bytes()
    with open(path, "rb") as fh:
        with Writer(path, 64, 48) as w:
            w.write(new)
        assert fh.read() == old_bytes  # the reader's copy, untouched
    from evfocus_live.sources import open_source
    with open_source(str(path)) as src:
        got = np.concatenate(list(src))
    assert np.array_equal(got["t"], new["t"]) and np.array_equal(got["x"], new["x"])


def test_hdf5_append_mode_still_appends(tmp_path):
    path = tmp_path / "rec.h5"
    a, b = make_events(2_000, 64, 48), make_events(1_000, 64, 48, t0_us=200_000, seed=2)
    with Hdf5Writer(path, 64, 48) as w:
        w.write(a)
    ino = path.stat().st_ino
    with Hdf5Writer(path, 64, 48, mode="a") as w:
        assert w.events_written == len(a)
        w.write(b)
    assert path.stat().st_ino == ino
    import h5py
    with h5py.File(path, "r") as f:
        assert np.array_equal(f["events/t"][:], np.concatenate([a["t"], b["t"]]))


def test_writer_writes_through_a_link_and_leaves_it_a_link(tmp_path):
    target = tmp_path / "target.aedat4"
    write_aedat4(target, n=100)
    link = tmp_path / "link.aedat4"
    link.symlink_to(target)
    with Aedat4Writer(link, 64, 48) as w:
        w.write(make_events(50, 64, 48))
    assert link.is_symlink() and w.events_written == 50


@pytest.mark.usefixtures("one_torch_thread")
def test_hdf5_append_to_fixed_size_columns_is_one_error_and_leaves_the_file(tmp_path):
    """mode="a" on a file whose /events columns are not resizable built fine, then the first
    write raised h5py's TypeError (a traceback), after rewriting the file's attributes."""
    import h5py

    from evfocus_live.errors import InputError
    from evfocus_live.writers import Hdf5Writer

    ev = make_events(100)
    path = tmp_path / "fixed.h5"
    with h5py.File(path, "w") as f:
        f.attrs["width"] = 640
        for name in "txyp":
            f.create_dataset(f"events/{name}", data=ev[name][:10])
    with pytest.raises(InputError, match="cannot be appended"):
        Hdf5Writer(path, 346, 260, mode="a")
    with h5py.File(path, "r") as f:
        assert f.attrs["width"] == 640 and f["events/t"].shape == (10,)
    ok = tmp_path / "ok.h5"
    with Hdf5Writer(ok, 346, 260) as w:
        w.write(ev[:40])
    with Hdf5Writer(ok, 346, 260, mode="a") as w:
        w.write(ev[40:])
        assert w.events_written == 100


@pytest.mark.parametrize("writer", ["viewer", "reconstruct"])
def test_video_writers_replace_an_old_video_rather_than_truncate_it(tmp_path, writer):
    """OpenCV opens the path in place: a player (or a copy through a hard link) of the old
    video saw it cut to nothing. The old file is now unlinked first, as the event writers do."""
    import os
    from types import SimpleNamespace

    path, kept = tmp_path / "out.mp4", tmp_path / "kept.mp4"
    path.write_bytes(b"old video " * 100)
    os.link(path, kept)  # the old inode, as an open player holds it
    frame = np.full((48, 64), 128, np.uint8)
    if writer == "viewer":
        from evfocus_live.gui.recording import VideoSink
        sink = VideoSink(path, fps=30.0)
        sink.write(frame, 0)
        sink.write(frame, 33_000)
        sink.close()
    else:
        from evfocus_live.cli.reconstruct import _VideoOut
        out = _VideoOut(path, 30.0, False)
        out.write(SimpleNamespace(image=frame, event_image=None))
        out.close()
    assert kept.read_bytes() == b"old video " * 100
    assert path.stat().st_size > 0 and not os.path.samefile(path, kept)


def test_aedat4_writer_packet_index_costs_under_100_bytes_a_packet(tmp_path):
    """The writer keeps its packet index in memory for the table at the end: as a list of
    tuples that was ~190 bytes a packet (an hour of the viewer's small packets: ~0.3 GB)."""
    from evfocus_live.sources import open_file
    from evfocus_live.writers import Aedat4Writer

    ev = make_events(10, duration_us=1_000)
    n = 5_000
    w = Aedat4Writer(tmp_path / "many.aedat4", 346, 260, compression="none")
    w.write(ev)  # (first-call allocations out of the count)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for k in range(1, n):
            ev["t"] += 1_000
            w.write(ev)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    w.close()
    assert grown / n < 100, f"{grown / n:.0f} bytes per packet"
    with open_file(tmp_path / "many.aedat4") as src:  # the table is still right
        assert sum(len(b) for b in src) == 10 * n
        assert src.time_range_us() == (int(ev["t"][0]) - 1_000 * (n - 1), int(ev["t"][-1]))
