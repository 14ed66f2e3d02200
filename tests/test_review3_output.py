"""Third review round, outputs/reconstruct/plugins as a lab user: reruns after a failed run,
``--version``."""

from __future__ import annotations


import numpy as np
import pytest
from conftest import make_events
from cli_support import _npy, tiny_ckpt  # noqa: F401 (the shared fixture and helper)

from evfocus_live import __version__
from evfocus_live.cli import main

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _rec(inp, out, ckpt, *extra) -> int:
    return main(["reconstruct", str(inp), "-o", str(out), "--model", str(ckpt), "--device", "cpu",
                 "--window-ms", "50", "--no-progress", *extra])


def test_a_run_that_failed_before_its_first_frame_does_not_block_the_rerun(tmp_path, tiny_ckpt, capsys,
                                                                            monkeypatch):
    """A broken post-processor fails on the first frame, leaving an empty timestamps.txt; the
    fixed rerun was refused ("already holds reconstructed frames (timestamps.txt, ...)")."""
    from evfocus_live.core import postprocess

    inp, out = _npy(tmp_path / "a.npy"), tmp_path / "out"

    def broken(filters, frame, t_us=None):
        raise postprocess.ConfigError("post-processor 'x' failed: boom")

    with monkeypatch.context() as m:
        m.setattr("evfocus_live.pipeline.apply_frame_filters", broken)
        assert _rec(inp, out, tiny_ckpt) == 2
    assert "boom" in capsys.readouterr().err
    assert not list(out.glob("frame_*.png")) and (out / "timestamps.txt").read_text() == ""
    assert _rec(inp, out, tiny_ckpt) == 0, capsys.readouterr().err
    assert len((out / "timestamps.txt").read_text().splitlines()) == len(list(out.glob("frame_*.png"))) == 4
    # a timestamps.txt that lists frames still needs --overwrite
    capsys.readouterr()
    assert _rec(inp, out, tiny_ckpt) == 2
    assert "already holds reconstructed frames" in capsys.readouterr().err


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"evfocus {__version__}"


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


def test_writer_refuses_records_without_event_fields(tmp_path):
    from evfocus_live.writers import Hdf5Writer

    with Hdf5Writer(tmp_path / "w.h5", 64, 48) as w:
        with pytest.raises(ValueError, match="fields t, x, y, p"):
            w.write(np.zeros(3, [("ts", "<i8"), ("x", "<u2"), ("y", "<u2"), ("p", "u1")]))


def test_empty_output_folder_is_refused_not_the_current_folder(tmp_path, tiny_ckpt, capsys, monkeypatch):
    """``-o "$OUT"`` with OUT unset wrote the frames into the current folder."""
    monkeypatch.chdir(tmp_path)
    inp = _npy(tmp_path / "a.npy")
    assert _rec(inp, "", tiny_ckpt) == 2
    assert "-o: empty folder name" in capsys.readouterr().err
    assert not list(tmp_path.glob("frame_*.png")) and not (tmp_path / "timestamps.txt").exists()


@pytest.mark.parametrize("ext", ["avi", "mkv"])
def test_avi_and_mkv_above_1000_fps_are_refused_before_any_work(tmp_path, tiny_ckpt, capsys, ext):
    """At 2000 fps the .avi muxer dropped frames (and .mkv miscounted them): the run ended, after
    all its work, with "video incomplete ... (disk full?)"."""
    inp, out = _npy(tmp_path / "a.npy"), tmp_path / "out"
    assert _rec(inp, out, tiny_ckpt, "--video", str(tmp_path / f"v.{ext}"), "--fps", "2000") == 2
    assert f".{ext} holds at most 1000 fps" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / f"v.{ext}").exists()


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
