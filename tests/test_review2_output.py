"""Second review round, outputs/plugins/CLI: parallel workers that fail or die, output
subfolders, odd-sized videos, --fps without --video, plugin name clashes, post-processor
options out of range."""

from __future__ import annotations

import logging
import os
import signal
from concurrent.futures import Future
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from conftest import make_events
from cli_support import tiny_ckpt, _npy  # noqa: F401 (fixtures)

import evfocus_live.plugins as plugins_mod
from evfocus_live.cli import main
from evfocus_live.cli import reconstruct as rec
from evfocus_live.core.postprocess import AutoHdr, NoiseFilter, UnsharpMask
from evfocus_live.errors import ConfigError
from evfocus_live.nn.registry import build_model, save_checkpoint
from evfocus_live.plugins import POSTPROCESSORS, Registry

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ---------------------------------------------------------------------- reconstruct --jobs
def test_worker_os_error_is_an_error_line_not_an_exception(tmp_path, tiny_ckpt):
    """An OSError in a worker (its output folder is a file) used to propagate to the parent,
    which then waited for every other job and never reported their results."""
    inp = _npy(tmp_path / "ev.npy")
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    import argparse

    parser = argparse.ArgumentParser()
    rec.add_parser(parser.add_subparsers())  # the real parser: its defaults follow new options
    args = parser.parse_args(["reconstruct", str(inp), "-o", str(blocker), "--model", str(tiny_ckpt),
                              "--device", "cpu", "--window-ms", "50", "--post", "none", "--no-progress",
                              "--threads", "1", "--backend", "eager", "--precision", "fp32", "--jobs", "2"])
    opts = rec._options(args)
    inp_out, n, err = rec._job(str(inp), str(blocker), opts, 1, 0, 2)
    assert (inp_out, n) == (str(inp), 0)
    assert err and "blocker" in err and "\n" not in err


def test_dead_worker_is_one_line_and_exit_2(tmp_path, tiny_ckpt, monkeypatch, capsys):
    """A worker killed by the OOM killer (BrokenProcessPool) was a traceback."""
    import concurrent.futures
    from concurrent.futures.process import BrokenProcessPool

    class DeadPool:
        def __init__(self, *a, **kw):
            self._processes = {}

        def submit(self, *a, **kw):
            f = Future()
            f.set_exception(BrokenProcessPool("A process in the process pool was terminated abruptly"))
            return f

        def shutdown(self, *a, **kw):
            pass

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", DeadPool)
    a, b = _npy(tmp_path / "a.npy"), _npy(tmp_path / "b.npy")
    rc = main(["reconstruct", str(a), str(b), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt),
               "--device", "cpu", "--jobs", "2", "--no-progress"])
    assert rc == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if "error" in ln]
    assert len(err) == 2 and all("worker process died" in ln for ln in err)


def test_subfolder_held_by_a_file_is_refused_before_any_work(tmp_path, tiny_ckpt, capsys):
    """With several inputs, out/<stem> being a file failed only at that input's turn, after
    the inputs before it were reconstructed (and with 'File exists' as the only words)."""
    a, b = _npy(tmp_path / "a.npy"), _npy(tmp_path / "b.npy")
    out = tmp_path / "out"
    out.mkdir()
    (out / "b").write_text("not a folder")
    rc = main(["reconstruct", str(a), str(b), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
               "--window-ms", "50", "--no-progress"])
    assert rc == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert not (out / "a").exists()


def test_fps_without_video_is_refused(tmp_path, tiny_ckpt, capsys):
    """--fps alone was silently ignored (as --side-by-side alone is refused)."""
    out = tmp_path / "out"
    rc = main(["reconstruct", str(_npy(tmp_path / "ev.npy")), "-o", str(out), "--model", str(tiny_ckpt),
               "--device", "cpu", "--fps", "10", "--no-progress"])
    assert rc == 2
    assert "--fps needs --video" in capsys.readouterr().err
    assert not out.exists()


def test_sigterm_stops_like_ctrl_c_and_keeps_the_video(tmp_path, tiny_ckpt, monkeypatch, capsys):
    """kill/timeout (SIGTERM) ended the process at once: the MP4 had no index and did not play.
    (A handler of the test's own stands in for the default, which would end pytest.)"""
    got = []

    def mine(signum, frame):
        got.append(signum)

    outer = signal.signal(signal.SIGTERM, mine)
    real, count = rec._write_png, [0]

    def write_then_term(path, img):
        real(path, img)
        count[0] += 1
        if count[0] == 3:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(rec, "_write_png", write_then_term)
    out = tmp_path / "out"
    try:
        rc = main(["reconstruct", str(_npy(tmp_path / "ev.npy")), "-o", str(out), "--model", str(tiny_ckpt),
                   "--device", "cpu", "--window-ms", "10", "--video", str(out / "v.mp4"), "--no-progress"])
    finally:
        restored = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, outer)
    assert rc == 130 and "interrupted" in capsys.readouterr().err
    assert restored is mine  # the command's handler is gone again
    listed = (out / "timestamps.txt").read_text().splitlines()
    cap = cv2.VideoCapture(str(out / "v.mp4"))
    n_video = 0
    while cap.read()[0]:
        n_video += 1
    cap.release()
    assert len(listed) == len(list(out.glob("frame_*.png"))) == n_video == 2


def test_odd_sized_video_keeps_every_row_and_column(tmp_path):
    """The mp4v encoder cropped a 65x49 frame to 64x48: the video lost the last column and row."""
    img = np.zeros((49, 65), np.uint8)
    img[:, -1] = 255
    img[-1, :] = 255
    path = tmp_path / "odd.mp4"
    v = rec._VideoOut(path, 10.0, side_by_side=False)
    for _ in range(3):
        v.write(SimpleNamespace(image=img, event_image=None))
    v.finish()
    cap = cv2.VideoCapture(str(path))
    ok, f = cap.read()
    cap.release()
    assert ok and f.shape[:2] == (50, 66)
    g = f[:, :, 0].astype(int)
    assert g[:49, 64].mean() > 200 and g[48, :65].mean() > 200 and g[:40, 30].mean() < 50


# ---------------------------------------------------------------------- plugin name clashes
def _with_extra_last(monkeypatch, extra: list[EntryPoint]) -> None:
    def fake(group=None, **kw):
        return list(entry_points(group=group, **kw)) + [ep for ep in extra if ep.group == group]
    monkeypatch.setattr(plugins_mod, "entry_points", fake)


class _Evil:
    stage = "frame"

    def reset(self):
        pass

    def __call__(self, frame, t_us=None):
        return frame * 0


class _Other(_Evil):
    pass


def test_plugin_cannot_take_a_builtin_name(monkeypatch, caplog):
    """A plugin named auto_hdr replaced the built-in (the last entry point won), silently."""
    _with_extra_last(monkeypatch, [EntryPoint("auto_hdr", f"{__name__}:_Evil", POSTPROCESSORS)])
    with caplog.at_level(logging.WARNING, logger="evfocus_live.plugins"):
        reg = Registry(POSTPROCESSORS)
    assert reg.load("auto_hdr") is AutoHdr
    assert any(k.startswith("auto_hdr (") for k in reg.ignored)


def test_duplicate_plugin_names_first_found_wins(monkeypatch):
    _with_extra_last(monkeypatch, [EntryPoint("dup", f"{__name__}:_Evil", POSTPROCESSORS),
                                   EntryPoint("dup", f"{__name__}:_Other", POSTPROCESSORS)])
    reg = Registry(POSTPROCESSORS)
    assert reg.load("dup") is _Evil
    assert list(reg.ignored) == [f"dup ({__name__}:_Other)"]


# ---------------------------------------------------------------------- post-processor options
@pytest.mark.parametrize("cls, kw", [
    (AutoHdr, dict(min_range=0)), (AutoHdr, dict(min_range=-1)), (AutoHdr, dict(smoothing_ms=float("nan"))),
    (UnsharpMask, dict(amount=float("nan"))), (UnsharpMask, dict(sigma=float("inf"))),
    (NoiseFilter, dict(duration_us=-5)),
])
def test_postprocessor_options_out_of_range_are_refused(cls, kw):
    """Each gave garbage frames (NaN cast to uint8), a ZeroDivisionError on a flat frame, an
    OpenCV assertion on the first frame, or dropped every event."""
    with pytest.raises(ConfigError):
        cls(**kw)


def test_hot_pixel_list_outside_the_sensor_masks_no_other_pixel(tmp_path):
    """'400 0' on a 346-wide sensor masked pixel (54, 1) of the next row; past the last row
    it raised IndexError."""
    from evfocus_live.core.postprocess import HotPixelMask
    from evfocus_live.events import EVENT_DTYPE

    lst = tmp_path / "hot.txt"
    lst.write_text("400 0\n10 300\n5 5\n")
    hp = HotPixelMask(path=str(lst), learn_s=0, width=346, height=260)
    assert sorted(map(tuple, hp.hot_pixels.tolist())) == [(5, 5), (10, 300), (400, 0)]
    ev = np.zeros(3, EVENT_DTYPE)
    ev["x"], ev["y"], ev["t"] = [54, 5, 345], [1, 5, 259], [1, 2, 3]
    assert hp(ev)["x"].tolist() == [54, 345]


# ---------------------------------------------------------------------- writers
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


# ---------------------------------------------------------------------- example plugins
@pytest.mark.parametrize("kw", [dict(step_us=0), dict(step_us=-5), dict(contrast_threshold=0.0),
                                dict(speed_px_s=float("nan"))])
def test_pattern_source_refuses_options_that_never_end(kw):
    """step_us=0 built fine and then read() spun forever (the clock never advanced)."""
    from evfocus_plugin_pattern import PatternSource

    with pytest.raises(ValueError):
        PatternSource(width=32, height=32, realtime=False, **kw)


def test_at_times_outside_the_recording_warn(tmp_path, tiny_ckpt, caplog):
    """Times relative to the start, given for a recording with absolute µs: every frame was
    empty, silently."""
    inp = tmp_path / "abs.npy"
    np.save(inp, make_events(2000, 64, 48, t0_us=1_600_000_000_000_000, duration_us=100_000))
    at = tmp_path / "at.txt"
    at.write_text("0\n10000\n20000\n")
    with caplog.at_level(logging.WARNING, logger="evfocus_live.cli.reconstruct"):
        rc = main(["reconstruct", str(inp), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt),
                   "--device", "cpu", "--at", str(at), "--post", "none", "--no-progress"])
    assert rc == 0
    assert any("before its events" in r.getMessage() for r in caplog.records)
    caplog.clear()
    at.write_text(f"{1_600_000_000_000_000 + 50_000}\n")
    with caplog.at_level(logging.WARNING, logger="evfocus_live.cli.reconstruct"):
        main(["reconstruct", str(inp), "-o", str(tmp_path / "out2"), "--model", str(tiny_ckpt),
              "--device", "cpu", "--at", str(at), "--post", "none", "--no-progress"])
    assert not [r for r in caplog.records if "--at" in r.getMessage()]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_output_file_that_is_a_fifo_nobody_reads_is_refused_not_a_hang(tmp_path):
    """check_output_file opened an existing FIFO for appending, which blocks until a reader
    comes: `--video x.mp4` on such a path hung before any work."""
    from evfocus_live.cli.options import check_output_file

    import threading

    fifo = tmp_path / "x.mp4"
    os.mkfifo(fifo)
    got = []

    def check():
        try:
            check_output_file("--video", fifo)
            got.append(None)
        except ConfigError as exc:
            got.append(exc)

    th = threading.Thread(target=check, daemon=True)
    th.start()
    th.join(10)
    if th.is_alive():  # blocked in open(): let it go, then fail
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        th.join(5)
        pytest.fail("check_output_file blocked on a FIFO without a reader")
    assert got and isinstance(got[0], ConfigError) and "pipe nobody reads" in str(got[0])
    reg = tmp_path / "old.mp4"
    reg.write_bytes(b"keep")
    assert check_output_file("--video", reg) == reg and reg.read_bytes() == b"keep"
