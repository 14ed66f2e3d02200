"""Fixes to the viewer app, the writers and ``evfocus reconstruct``: an output written onto
the input, the headless log's skipped windows, a source switch waiting twice on a busy
worker, and ``-o -``."""

from __future__ import annotations

import logging
import os
import re
import threading

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.errors import ConfigError
from evfocus_live.gui import app
from evfocus_live.writers.aedat4 import Aedat4Writer
from evfocus_live.writers.hdf5 import Hdf5Writer

TIMEOUT_MS = 30_000


def write_aedat4(path, n=20_000, duration_us=100_000, w=64, h=48):
    with Aedat4Writer(path, w, h) as wr:
        wr.write(make_events(n, w, h, duration_us=duration_us))
    return path


# ---------------------------------------------------------------------- output onto the input
@pytest.mark.parametrize("flag", ["--record", "--video", "--screenshot"])
@pytest.mark.parametrize("headless", [True, False])
def test_live_refuses_an_output_that_is_the_input(tmp_path, monkeypatch, capsys, flag, headless):
    """``evfocus-live --headless rec.aedat4 --record rec.aedat4`` truncated the file the
    reader had mapped: Bus error (exit 135) and an 842-byte rec.aedat4. Refused before any
    run, also under another spelling of the path or through a hard link."""
    rec = write_aedat4(tmp_path / "rec.aedat4")
    before = rec.read_bytes()
    os.link(rec, tmp_path / "hard.aedat4")

    def must_not_run(*a, **k):
        raise AssertionError("the run started")

    monkeypatch.setattr(app, "run_headless", must_not_run)
    monkeypatch.setattr(app, "run_window", must_not_run)
    for out in (rec, tmp_path / "sub" / ".." / "rec.aedat4", tmp_path / "hard.aedat4"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        argv = [str(rec), flag, str(out), "--exit-after", "1"] + (["--headless"] if headless else [])
        assert app.main(argv) == app.EXIT_USER_ERROR
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "is the input" in err and flag in err, err
    assert rec.read_bytes() == before


def test_live_accepts_an_output_beside_the_input(tmp_path, monkeypatch):
    rec = write_aedat4(tmp_path / "rec.aedat4")
    ran = []
    monkeypatch.setattr(app, "run_headless", lambda *a: ran.append(a) or 0)
    assert app.main([str(rec), "--headless", "--record", str(tmp_path / "copy.aedat4")]) == 0
    assert ran


def test_window_record_to_refuses_the_source_file(qtbot, tmp_path, tiny_model):
    """The Record button makes new names; a caller naming the source's own file is refused
    visibly, and the file is left whole."""
    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.gui.window import MainWindow, ViewerOptions

    rec = write_aedat4(tmp_path / "rec.aedat4")
    before = rec.read_bytes()
    win = MainWindow(ViewerOptions(model_obj=tiny_model, post=PostConfig(steps=()), source=str(rec),
                                   window=WindowConfig(mode="events", window_events=1500),
                                   record_dir=tmp_path / "recs", snapshot_dir=tmp_path))
    qtbot.addWidget(win)
    assert win.session is not None
    assert not win.record_to(rec, None, overwrite=True)
    assert "is the input" in win.status_log[-1]
    assert not win.session.recorder.active and not win.record_button.isChecked()
    win.close()
    assert rec.read_bytes() == before


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


# ---------------------------------------------------------------------- headless log
def test_headless_log_line_counts_skipped_windows(tmp_path, tiny_ckpt, caplog, monkeypatch):
    """The once-a-second line said dropped= but not the windows a paced run skipped to keep
    up, so a slow model dropped windows without a visible count."""
    from evfocus_live import pipeline

    monkeypatch.setattr(pipeline.PipelineStats, "skipped_windows", 7)  # (a class default: the field's)
    rec = write_aedat4(tmp_path / "rec.aedat4", n=60_000, duration_us=5_000_000)
    with caplog.at_level(logging.INFO, logger="evfocus_live.gui"):
        rc = app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none",
                       "--window-events", "2000", "--exit-after", "1.5"])
    assert rc == 0
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("t=")]
    assert lines and all(re.search(r" skipped=\d+", ln) for ln in lines), lines


# ---------------------------------------------------------------------- source switch
def test_source_switch_waits_once_for_a_busy_worker(qtbot, tmp_path, tiny_model, monkeypatch):
    """A switch while the model is still in a window (slow model): the pipeline stop waited
    5 s, then ``old.stop()`` waited 5 s more with the window frozen. The second wait is
    short; the new source plays while the old worker finishes, and it does finish."""
    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.gui.session import LiveSession
    from evfocus_live.gui.window import MainWindow, ViewerOptions
    from evfocus_live.pipeline import Pipeline

    gate, entered, release = {"armed": False}, threading.Event(), threading.Event()
    orig_on_frame, orig_stop = LiveSession._on_frame, Pipeline.stop

    def on_frame(self, fr):  # the worker thread, as a slow model's window would hold it
        if gate["armed"]:
            gate["armed"] = False
            entered.set()
            release.wait(TIMEOUT_MS / 1000)
        orig_on_frame(self, fr)

    waits = []

    def stop(self, timeout_s=5.0):  # record the wait asked for, wait a little (no 5 s test)
        waits.append(timeout_s)
        orig_stop(self, min(timeout_s, 0.2))

    monkeypatch.setattr(LiveSession, "_on_frame", on_frame)
    monkeypatch.setattr(Pipeline, "stop", stop)
    a, b = write_aedat4(tmp_path / "a.aedat4", duration_us=2_000_000), write_aedat4(tmp_path / "b.aedat4")
    win = MainWindow(ViewerOptions(model_obj=tiny_model, post=PostConfig(steps=()), source=str(a), speed=0.0,
                                   window=WindowConfig(mode="events", window_events=1500),
                                   record_dir=tmp_path / "recs", snapshot_dir=tmp_path))
    qtbot.addWidget(win)
    try:
        old = win.session
        gate["armed"] = True
        assert entered.wait(TIMEOUT_MS / 1000)
        waits.clear()
        assert win.open_source(str(b))
        assert win.session is not old
        assert sum(waits) <= 5.0 + 0.1, waits  # one full wait at most, not two
        worker = [t for t in old.pipeline._threads if t.name == "evfocus-worker"]
        assert worker and worker[0].is_alive()  # still in its window: kept listed
        start = win.frames_painted
        qtbot.waitUntil(lambda: win.frames_painted > start, timeout=TIMEOUT_MS)  # the new source plays
    finally:
        release.set()
    worker[0].join(TIMEOUT_MS / 1000)
    assert not worker[0].is_alive()
    win.close()


# ---------------------------------------------------------------------- -o -
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


# ---------------------------------------------------------------------- memory after switches
def test_source_switch_frees_the_old_session_and_returns_its_heap(qtbot, tmp_path, tiny_model, monkeypatch):
    """24 source switches grew the viewer from ~580 MB to ~1.6 GB: freed sessions (found by
    the cycle collector only) left their memory in glibc's per-thread arenas. A switch now
    collects the old session and trims the heap, before the new session's threads start."""
    import weakref

    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.gui import session as session_mod
    from evfocus_live.gui import window as window_mod
    from evfocus_live.gui.window import MainWindow, ViewerOptions

    calls, orig = [], session_mod.release_freed_memory
    monkeypatch.setattr(window_mod, "release_freed_memory", lambda: (calls.append(1), orig()))
    a, b = write_aedat4(tmp_path / "a.aedat4"), write_aedat4(tmp_path / "b.aedat4")
    win = MainWindow(ViewerOptions(model_obj=tiny_model, post=PostConfig(steps=()), source=str(a),
                                   window=WindowConfig(mode="events", window_events=1500),
                                   record_dir=tmp_path / "recs", snapshot_dir=tmp_path))
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.frames_painted >= 1, timeout=TIMEOUT_MS)
    assert not calls  # (the first source replaces nothing)
    ref = weakref.ref(win.session)
    assert win.open_source(str(b))
    assert calls == [1] and ref() is None
    win.close()


def test_release_freed_memory_is_a_no_op_without_glibc(monkeypatch):
    from evfocus_live.gui import session as session_mod

    monkeypatch.setattr(session_mod, "_malloc_trim", None)
    monkeypatch.setattr(session_mod.sys, "platform", "darwin")
    session_mod.release_freed_memory()
    assert session_mod._malloc_trim is False
