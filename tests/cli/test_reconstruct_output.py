"""``evfocus reconstruct``'s outputs and exits: output folders and files that cannot be written, parallel
workers that fail, videos, reruns, inputs with times it cannot use."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import Future
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from aps_support import ckpt, read_ts, reconstruct  # noqa: F401 (ckpt: a fixture)
from cli_support import _npy, tiny_ckpt, write_aedat4  # noqa: F401 (fixtures)
from conftest import EVT2_FILE, EVT3_FILE, REAL_FILES, make_events
from reader_support import _garbage_tail, _late_said

from evfocus_live import __version__
from evfocus_live.cli import main, reconstruct as rec
from evfocus_live.errors import ConfigError


@pytest.mark.usefixtures("one_torch_thread")
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
    inp_out, n, err, _ = rec._job(str(inp), str(blocker), opts, 1, 0, 2)
    assert (inp_out, n) == (str(inp), 0)
    assert err and "blocker" in err and "\n" not in err


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
def test_fps_without_video_is_refused(tmp_path, tiny_ckpt, capsys):
    """--fps alone was silently ignored (as --side-by-side alone is refused)."""
    out = tmp_path / "out"
    rc = main(["reconstruct", str(_npy(tmp_path / "ev.npy")), "-o", str(out), "--model", str(tiny_ckpt),
               "--device", "cpu", "--fps", "10", "--no-progress"])
    assert rc == 2
    assert "--fps needs --video" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
def test_at_times_outside_the_recording_warn(tmp_path, tiny_ckpt, caplog, capsys):
    """Times relative to the start, given for a recording with absolute µs: every frame was
    empty, silently (then with a warning and exit 0; now refused: test_at_times_outside_the_events)."""
    inp = tmp_path / "abs.npy"
    np.save(inp, make_events(2000, 64, 48, t0_us=1_600_000_000_000_000, duration_us=100_000))
    at = tmp_path / "at.txt"
    at.write_text("0\n10000\n20000\n")
    rc = main(["reconstruct", str(inp), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt),
               "--device", "cpu", "--at", str(at), "--post", "none", "--no-progress"])
    assert rc == 2
    assert "before its events" in capsys.readouterr().err
    caplog.clear()
    at.write_text(f"{1_600_000_000_000_000 + 50_000}\n")
    with caplog.at_level(logging.WARNING, logger="evfocus_live.cli.reconstruct"):
        main(["reconstruct", str(inp), "-o", str(tmp_path / "out2"), "--model", str(tiny_ckpt),
              "--device", "cpu", "--at", str(at), "--post", "none", "--no-progress"])
    assert not [r for r in caplog.records if "--at" in r.getMessage()]


@pytest.mark.usefixtures("one_torch_thread")
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


def test_reconstruct_refuses_a_video_that_is_an_input(tmp_path, capsys):
    """The reader detects a recording by its content, so one named .mp4 was read and written
    over at once (a second input's video likewise: its turn comes later)."""
    from evfocus_live.cli import main

    a = write_aedat4(tmp_path / "a.mp4")
    (tmp_path / "out2" / "b").mkdir(parents=True)
    v = write_aedat4(tmp_path / "out2" / "b" / "v.mp4")  # input b's video, out2/b/v.mp4, is input v
    b = write_aedat4(tmp_path / "b.aedat4")
    before = a.read_bytes(), v.read_bytes()
    for argv in ([str(a), "-o", str(tmp_path / "out"), "--video", str(a)],
                 [str(v), str(b), "-o", str(tmp_path / "out2"), "--video", "v.mp4"],
                 [str(a), "-o", str(tmp_path / "out3"), "--video", str(a), "--overwrite"]):
        assert main(["reconstruct", *argv]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "is the input" in err, err
    assert (a.read_bytes(), v.read_bytes()) == before


def test_reconstruct_refuses_stdout_as_the_output_folder(tmp_path, monkeypatch, capsys):
    """``-o -`` made a folder named '-'."""
    from evfocus_live.cli import main
    from evfocus_live.cli.options import check_output_dir

    rec = write_aedat4(tmp_path / "rec.aedat4")
    monkeypatch.chdir(tmp_path)
    assert main(["reconstruct", str(rec), "-o", "-"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "stdout" in err, err
    assert not (tmp_path / "-").exists()
    with pytest.raises(ConfigError):
        check_output_dir("-o", "-")
    assert check_output_dir("-o", "./-x") is not None  # only the bare '-'


def _rec(inp, out, ckpt, *extra) -> int:
    return main(["reconstruct", str(inp), "-o", str(out), "--model", str(ckpt), "--device", "cpu",
                 "--window-ms", "50", "--no-progress", *extra])


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
def test_version_flag(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"evfocus {__version__}"


@pytest.mark.usefixtures("one_torch_thread")
def test_empty_output_folder_is_refused_not_the_current_folder(tmp_path, tiny_ckpt, capsys, monkeypatch):
    """``-o "$OUT"`` with OUT unset wrote the frames into the current folder."""
    monkeypatch.chdir(tmp_path)
    inp = _npy(tmp_path / "a.npy")
    assert _rec(inp, "", tiny_ckpt) == 2
    assert "-o: empty folder name" in capsys.readouterr().err
    assert not list(tmp_path.glob("frame_*.png")) and not (tmp_path / "timestamps.txt").exists()


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("ext", ["avi", "mkv"])
def test_avi_and_mkv_above_1000_fps_are_refused_before_any_work(tmp_path, tiny_ckpt, capsys, ext):
    """At 2000 fps the .avi muxer dropped frames (and .mkv miscounted them): the run ended, after
    all its work, with "video incomplete ... (disk full?)"."""
    inp, out = _npy(tmp_path / "a.npy"), tmp_path / "out"
    assert _rec(inp, out, tiny_ckpt, "--video", str(tmp_path / f"v.{ext}"), "--fps", "2000") == 2
    assert f".{ext} holds at most 1000 fps" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / f"v.{ext}").exists()


@pytest.mark.parametrize("how", [("--window-ms", "33"), ("--adaptive-ms", "5"), ("--window-ms", "33", "--roi", "0,0,64,64")])
def test_the_last_partial_window_is_not_stamped_past_the_recording(tmp_path, tiny_ckpt, how):
    """`evfocus reconstruct` of the 9 ms EVT3 file with 33 ms windows wrote one frame at 33 ms,
    24 ms past its last event (the partial window kept its full length; adaptive windows too).
    Now it ends 1 us after the last event read, the whole sensor's with an ROI."""
    from evfocus_live.cli import main

    evt3 = REAL_FILES["evt3"]
    out = tmp_path / "out"
    assert main(["reconstruct", str(evt3["path"]), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 *how, "--no-progress"]) == 0
    t_us = [int(line.split()[1]) for line in (out / "timestamps.txt").read_text().splitlines()]
    assert t_us[-1] == evt3["t_last_us"] + 1 and all(a < b for a, b in zip(t_us, t_us[1:]))


DAVIS = REAL_FILES["davis346"]


@pytest.fixture
def truncated_davis(tmp_path, shared_data):
    """The DAVIS recording cut in half: no packet index, a warning from the reader when opened."""
    data = (shared_data / DAVIS["path"].name).read_bytes()
    p = tmp_path / "cut.aedat4"
    p.write_bytes(data[: len(data) // 2])
    return p


@pytest.mark.parametrize("extra", [("--roi", "0,0,100,100", "--window-ms", "50"),
                                   ("--at", "aps"),
                                   ("--at", "aps", "--roi", "0,0,100,100", "--save-aps")])
def test_up_front_checks_do_not_repeat_the_readers_warnings(tmp_path, ckpt, truncated_davis, caplog, extra):
    """--roi and --at aps open each input before the run to check it; the run opens it again.
    The old code logged "file is truncated ..." once per opening (three times with both)."""
    out = tmp_path / "out"
    with caplog.at_level("WARNING"):
        assert reconstruct(truncated_davis, out, ckpt, *extra) == 0
    said = [r.getMessage() for r in caplog.records if "is truncated" in r.getMessage()]
    assert len(said) == 1, said
    assert len(read_ts(out)) >= 1
    assert logging.getLogger("evfocus_live.sources").level == logging.NOTSET  # put back


def test_up_front_check_errors_still_show(tmp_path, ckpt, shared_data, capsys):
    out = tmp_path / "out"
    assert reconstruct(shared_data / DAVIS["path"].name, out, ckpt, "--roi", "300,0,100,100") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "346x260" in err, err


def test_a_video_cut_short_is_one_line_without_ffmpegs_own(tmp_path):
    """A full disk leaves an MP4 without its index; finish() reopens it to check, and FFmpeg
    wrote "[mov,mp4,...] moov atom not found" on stderr before our line. In a fresh process:
    FFmpeg's log level is read when OpenCV first loads it."""
    code = textwrap.dedent(f"""
        import os, sys
        import numpy as np
        from types import SimpleNamespace
        from pathlib import Path
        from evfocus_live.cli.reconstruct import _VideoOut
        from evfocus_live.errors import InputError
        p = Path({str(tmp_path / 'v.mp4')!r})
        v = _VideoOut(p, 30.0, False)
        rng = np.random.default_rng(0)
        for _ in range(20):
            v.write(SimpleNamespace(image=rng.integers(0, 255, (64, 96), dtype=np.uint8), event_image=None))
        v._w.release(); v._w = None  # the file as a full disk leaves it: cut before its index
        with open(p, "r+b") as fh:
            fh.truncate(os.path.getsize(p) // 2)
        try:
            v.finish()
        except InputError as exc:
            print("ERR", exc)
    """)
    env = {k: v for k, v in os.environ.items() if k != "OPENCV_FFMPEG_LOGLEVEL"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert "ERR" in r.stdout and "video incomplete" in r.stdout, (r.stdout, r.stderr)
    assert "moov" not in r.stderr and r.stderr.strip() == "", r.stderr


@pytest.mark.parametrize("extra, why", [
    (("--roi", "0,0,16,16", "--window-ms", "10"), "no event inside --roi 0,0,16,16"),
    (("--end-s", "0.0000005"), "no event from --start-s 0 s to --end-s 5e-07 s"),
])
def test_a_run_that_makes_no_frame_is_one_line_and_exit_2(tmp_path, ckpt, shared_data, capsys, extra, why):
    """An ROI in a corner where the DAVIS recording has no event, or a range under 1 µs: the
    old code printed "0 frames -> OUT" and exited 0, so a script took the empty folder for done."""
    out = tmp_path / "out"
    assert reconstruct(shared_data / DAVIS["path"].name, out, ckpt, *extra) == 2
    cap = capsys.readouterr()
    err = cap.err.strip()
    assert len(err.splitlines()) == 1 and "no frame made" in err and why in err, err
    assert "0 frames" not in cap.out
    assert not list(out.glob("frame_*.png"))


def test_a_run_with_frames_in_a_corner_with_events_still_works(tmp_path, ckpt, shared_data):
    out = tmp_path / "out"
    assert reconstruct(shared_data / DAVIS["path"].name, out, ckpt, "--roi", "0,0,32,32", "--window-ms", "50") == 0
    assert len(read_ts(out)) >= 1


@pytest.fixture
def two_lengths(tmp_path):
    """A 0.3 s and a 0.05 s recording (.npy), a small sensor."""
    long_rec, short_rec = tmp_path / "long.npy", tmp_path / "short.npy"
    np.save(long_rec, make_events(30_000, 64, 48, duration_us=300_000, seed=1))
    np.save(short_rec, make_events(5_000, 64, 48, duration_us=50_000, seed=2))
    return long_rec, short_rec


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_start_past_one_inputs_end_names_that_input(tmp_path, two_lengths, tiny_ckpt, capsys, jobs):
    long_rec, short_rec = two_lengths
    out = tmp_path / "out"
    assert main(["reconstruct", str(long_rec), str(short_rec), "-o", str(out), "--model", str(tiny_ckpt),
                 "--device", "cpu", "--no-progress", "--start-s", "0.1", "--jobs", jobs]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if "error" in ln]
    assert len(err) == 1, err
    assert str(short_rec) in err[0] and "after the end of the recording" in err[0], err
    assert str(long_rec) not in err[0]
    assert not out.exists()  # (session 22: every input is checked up front, none is done first)


#: the real files' facts (../shared/data/SOURCES.md): events and (min t, max t)
REAL = {3: (EVT3_FILE, 219_596, (11_718_656, 11_727_457)), 2: (EVT2_FILE, 539_481, (1_317_888, 1_367_888))}


def test_garbage_tail_reconstruct(tmp_path, tiny_ckpt, caplog):
    path = _garbage_tail(tmp_path, 3, seed=1)
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", str(path), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                     "--no-progress", "--window-ms", "2"]) == 0
    ts = [int(ln.split()[-1]) for ln in (out / "timestamps.txt").read_text().splitlines()]
    assert 4 <= len(ts) <= 6 and max(ts) <= REAL[3][2][1] + 2_000  # 8.8 ms in 2 ms windows, not 16.7 s
    assert any("TIME_HIGH" in r.getMessage() for r in caplog.records)


def test_reversed_file_reconstruct_says_it_once_with_the_count(tmp_path, tiny_ckpt, caplog):
    ev = make_events(10_000, t0_us=0, duration_us=300_000, seed=1)[::-1].copy()
    np.save(tmp_path / "rev.npy", ev)
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", str(tmp_path / "rev.npy"), "-o", str(tmp_path / "out"), "--model",
                     str(tiny_ckpt), "--device", "cpu", "--no-progress", "--window-ms", "10"]) == 0
    said = _late_said(caplog)
    # before: one frame for 300 ms of events, no warning
    assert len(said) == 1, said
    late = int(np.count_nonzero(ev["t"] < np.maximum.accumulate(ev["t"]) - 10_000))
    assert said[0].startswith(f"{late} of 10000 events") and "10.0 ms" in said[0]
