"""Fixes the lead made in the eighteenth session, outside the reviewers' files."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import open_source


def test_text_bad_row_past_the_head_yields_the_good_rows_of_its_block_first(tmp_path):
    """A bad row far into a text file threw away the good rows before it in the same 4 MiB
    block (~250 k events read as 0 frames); they are events: they come first, then the error."""
    n, bad_at = 60_000, 50_000
    t = np.arange(n) * 10
    rows = [f"{t[i]} {i % 346} {i % 260} {i % 2}" for i in range(n)]
    rows[bad_at] = "1 2 bogus 4"
    p = tmp_path / "ev.txt"
    p.write_text("346 260\n" + "\n".join(rows) + "\n")
    got = []
    with open_source(p) as src:
        with pytest.raises(InputError, match=f"malformed event row on line {bad_at + 2}: 'bogus'"):
            for b in src:
                got.append(b)
    ev = np.concatenate(got)
    assert len(ev) == bad_at and np.array_equal(ev["t"], t[:bad_at])


def test_headless_source_error_is_one_line_and_exit_2(tmp_path):
    """A bad row replayed headless was said three times (pipeline twice, then the app)."""
    import os
    import subprocess
    import sys

    rows = ["346 260"] + [f"{i * 10} {i % 346} {i % 260} {i % 2}" for i in range(60_000)]
    rows[50_001] = "1 2 bogus 4"
    p = tmp_path / "bad.txt"
    p.write_text("\n".join(rows) + "\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", "evfocus_live.gui.app", "--headless", str(p), "--speed", "0",
                           "--post", "none", "--exit-after", "60"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    said = [ln for ln in proc.stderr.splitlines() if "bogus" in ln]
    assert len(said) == 1 and "line 50002" in said[0] and "ERROR" in said[0], proc.stderr[-2000:]


def test_prophesee_close_stops_the_reader_on_a_stream_of_empty_packets(monkeypatch):
    """A camera watching a still scene gives packets without events; the reader's filter never
    returned to the pump's stop check, so close() left a thread spinning a core (it slowed
    every later test of the suite to half speed)."""
    import sys
    import threading
    import types

    from evfocus_live.sources import prophesee_camera

    class Dev:
        def properties(self):
            return types.SimpleNamespace(width=64, height=48)

        def __iter__(self):
            while True:
                yield None, None

    from camera_support import use_nd_camera

    use_nd_camera(monkeypatch, Dev)
    cam = prophesee_camera.PropheseeCameraSource(poll_timeout_s=0.01)
    assert len(cam.read()) == 0
    cam.close()
    assert not [t for t in threading.enumerate() if t.name == "prophesee-reader" and t.is_alive()]


def test_fresh_training_run_keeps_the_earlier_runs_log_beside_its_checkpoint(tmp_path, caplog, one_torch_thread):
    """A fresh run in a used folder kept the earlier run's checkpoints as *.prev.pt but wrote its
    own log.csv over theirs; and a last.pt there (a forgotten --resume?) was an info line."""
    import csv
    import logging

    from evfocus_live.nn.registry import load_model
    from evfocus_live.train import trainer
    from evfocus_live.train.synth import simulate_minimal

    data = tmp_path / "data"
    simulate_minimal(data / "seq_00000.h5", width=64, height=48, n_frames=8, sigma_range=(1, 3), seed=1)
    out = tmp_path / "run"
    cfg = trainer.normalize_config({
        "model": {"arch": "firenet", "base": 4}, "data": {"train": str(data), "seq_len": 3, "batch_size": 1},
        "augment": {"crop": 32}, "train": {"steps": 3, "out": str(out), "threads": 1, "device": "cpu",
                                           "log_every": 1, "ckpt_every_s": 3600}})
    trainer.train(cfg, progress=False)
    with caplog.at_level(logging.INFO, logger="evfocus_live.train.trainer"):
        trainer.train(cfg, steps=1, progress=False)
    with open(out / "log.prev.csv") as f:
        assert [int(r["step"]) for r in csv.DictReader(f)] == [1, 2, 3]
    with open(out / "log.csv") as f:
        assert [int(r["step"]) for r in csv.DictReader(f)] == [1]
    assert load_model(str(out / "final.prev.pt")).meta["step"] == 3
    warned = [r for r in caplog.records if "last.prev.pt" in r.getMessage()]
    assert warned and warned[0].levelno == logging.WARNING


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
