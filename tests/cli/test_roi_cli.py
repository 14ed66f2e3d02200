"""``--roi X,Y,W,H`` on the command line: ``evfocus reconstruct`` and ``evfocus-live --headless``."""

from __future__ import annotations

import cv2
import pytest
from conftest import REAL_FILES, make_events
from pipeline_support import read_all

from evfocus_live.cli import main
from evfocus_live.cli.options import glue_dash_values
from evfocus_live.gui import app
from evfocus_live.gui.app import main as viewer_main
from evfocus_live.sources import open_source
from evfocus_live.writers.aedat4 import Aedat4Writer


def test_glue_dash_values_only_touches_a_dash_value_after_roi():
    assert glue_dash_values(["a.raw", "--roi", "-1,0,100,100", "-o", "x"]) == \
        ["a.raw", "--roi=-1,0,100,100", "-o", "x"]
    assert glue_dash_values(["--roi", "0,0,16,16", "-v"]) == ["--roi", "0,0,16,16", "-v"]
    assert glue_dash_values(["--roi", "-v"]) == ["--roi", "-v"]  # an option, not a value


@pytest.mark.parametrize("entry", ["evfocus", "evfocus-live"])
def test_negative_roi_is_the_roi_message_not_argparse_usage(entry, capsys, tmp_path):
    """``--roi -1,0,100,100`` gave argparse's "expected one argument" and the usage text."""
    try:
        if entry == "evfocus":
            rc = main(["reconstruct", str(tmp_path / "none.aedat4"), "-o", str(tmp_path / "o"),
                       "--roi", "-1,0,100,100"])
        else:
            rc = viewer_main(["--roi", "-1,0,100,100", "--headless", "--exit-after", "0.1"])
    except SystemExit as ex:  # argparse's own exit
        rc = ex.code
    err = capsys.readouterr().err
    assert rc == 2
    assert "not X,Y,W,H" in err and "expected one argument" not in err and "usage:" not in err, err


EVT2 = REAL_FILES["evt2"]


@pytest.mark.parametrize("bad,said", [("1,2,3", "not X,Y,W,H"), ("0,0,8,8", "at least 16"),
                                      ("600,0,100,100", "640x480")])
def test_reconstruct_refuses_a_bad_roi_in_one_line(tmp_path, capsys, bad, said):
    rc = main(["reconstruct", str(EVT2["path"]), "-o", str(tmp_path / "o"), "--roi", bad])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "--roi" in err and said in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


def test_reconstruct_writes_the_roi_downsampled_with_the_same_timestamps(tmp_path, tiny_ckpt):
    def rec(out, *extra):
        argv = ["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                "--window-ms", "10", "--end-s", "0.03", "--no-progress", "--post", "none", *extra]
        assert main(argv) == 0
        return (out / "timestamps.txt").read_text(), sorted(out.glob("frame_*.png"))

    ts1, full = rec(tmp_path / "full")
    ts2, small = rec(tmp_path / "roi", "--roi", "100,50,320,240", "--downsample", "2")
    assert ts1 == ts2 and len(small) == len(full) == 3
    assert {cv2.imread(str(p), 0).shape for p in small} == {(120, 160)}


@pytest.mark.parametrize("bad,said", [("0,0,346", "not X,Y,W,H"), ("0,0,10,100", "at least 16"),
                                      ("0,0,97,16", "96x72")])
def test_live_headless_refuses_a_bad_roi(tmp_path, capsys, bad, said):
    rec = tmp_path / "in.aedat4"
    with Aedat4Writer(rec, 96, 72) as wr:
        wr.write(make_events(1000, 96, 72))
    assert app.main([str(rec), "--headless", "--roi", bad, "--exit-after", "5"]) == app.EXIT_USER_ERROR
    err = capsys.readouterr().err.strip()
    assert "--roi" in err
    assert said in err and len(err.splitlines()) == 1, err


def test_headless_video_is_the_roi_and_the_recording_the_whole_sensor(tmp_path, tiny_ckpt):
    rec = tmp_path / "in.aedat4"
    ev = make_events(30_000, 64, 48, duration_us=150_000)
    ev[:10]["x"], ev[:10]["y"] = 63, 47  # outside the ROI: must be recorded as it came
    with Aedat4Writer(rec, 64, 48) as wr:
        wr.write(ev)
    out, video = tmp_path / "out.aedat4", tmp_path / "out.mp4"
    rc = app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none", "--speed", "0",
                   "--roi", "0,0,40,32", "--downsample", "2", "--record", str(out), "--video", str(video),
                   "--exit-after", "60"])
    assert rc == 0
    cap = cv2.VideoCapture(str(video))
    ok, img = cap.read()
    cap.release()
    assert ok and img.shape[:2] == (16, 20)
    src = open_source(str(out))
    assert (src.width, src.height) == (64, 48)
    got = read_all(src)
    assert len(got) == len(ev) and got["x"].max() == 63 and got["y"].max() == 47
