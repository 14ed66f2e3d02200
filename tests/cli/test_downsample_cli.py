"""``--downsample N`` on the command line: ``evfocus reconstruct`` and ``evfocus-live --headless``."""

from __future__ import annotations

import cv2
import pytest
from conftest import REAL_FILES, make_events
from pipeline_support import read_all

from evfocus_live.cli import main
from evfocus_live.gui import app
from evfocus_live.sources import open_source
from evfocus_live.writers.aedat4 import Aedat4Writer


EVT2 = REAL_FILES["evt2"]


@pytest.mark.parametrize("bad", ["0", "9"])
def test_reconstruct_refuses_a_factor_outside_1_to_8_in_one_line(tmp_path, capsys, bad):
    rc = main(["reconstruct", str(EVT2["path"]), "-o", str(tmp_path / "o"), "--downsample", bad])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "--downsample" in err and "1..8" in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


def test_reconstruct_writes_small_frames_with_the_same_timestamps(tmp_path, tiny_ckpt):
    def rec(out, *extra):
        argv = ["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                "--window-ms", "10", "--end-s", "0.03", "--no-progress", "--post", "none", *extra]
        assert main(argv) == 0
        return (out / "timestamps.txt").read_text(), sorted(out.glob("frame_*.png"))

    ts1, full = rec(tmp_path / "n1")
    ts2, small = rec(tmp_path / "n2", "--downsample", "2")
    assert ts1 == ts2 and len(small) == len(full) == 3
    assert cv2.imread(str(full[0]), 0).shape == (480, 640)
    assert {cv2.imread(str(p), 0).shape for p in small} == {(240, 320)}


def test_live_refuses_a_bad_factor(capsys):
    assert app.main(["--headless", "--downsample", "9"]) == app.EXIT_USER_ERROR
    err = capsys.readouterr().err.strip()
    assert "--downsample" in err and len(err.splitlines()) == 1, err


def test_headless_video_is_small_and_the_recording_full_size(tmp_path, tiny_ckpt):
    rec = tmp_path / "in.aedat4"
    ev = make_events(30_000, 64, 48, duration_us=150_000)
    ev[:10]["x"], ev[:10]["y"] = 63, 47  # the corner pixel: must be recorded as it came
    with Aedat4Writer(rec, 64, 48) as wr:
        wr.write(ev)
    out, video = tmp_path / "out.aedat4", tmp_path / "out.mp4"
    rc = app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none", "--speed", "0",
                   "--downsample", "2", "--record", str(out), "--video", str(video), "--exit-after", "60"])
    assert rc == 0
    cap = cv2.VideoCapture(str(video))
    ok, img = cap.read()
    cap.release()
    assert ok and img.shape[:2] == (24, 32)
    src = open_source(str(out))
    assert (src.width, src.height) == (64, 48)
    got = read_all(src)
    assert len(got) == len(ev) and got["x"].max() == 63 and got["y"].max() == 47
