"""``evfocus reconstruct --at aps [--save-aps]`` and ``evfocus info`` on DAVIS recordings with APS frames:
the frame times with ``--start-s/--end-s``, ``--roi`` and ``--downsample``, the up-front check, frames read once."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import cv2
import numpy as np
import pytest
from aps_support import (H, KEPT, ROI_FRAMES, SYN_APS_US, SYN_H, SYN_W, W, aps_of, block_means, ckpt,
    davis_synth, expected_frames, read_ts, reconstruct, roi_file, syn_aps_image)  # noqa: F401 (fixtures)
from conftest import REAL_FILES, make_events
from reader_support import _info_json

from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.sources import aedat4_file
from evfocus_live.sources.aedat4_file import Aedat4FileSource
from evfocus_live.writers.aedat4 import Aedat4Writer


def test_save_aps_writes_the_frames_placed_on_the_sensor(tmp_path, roi_file, tiny_ckpt, caplog):
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", str(roi_file), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                     "--no-progress", "--at", "aps", "--save-aps"]) == 0
    exp = expected_frames()
    ts = [tuple(int(v) for v in ln.split()) for ln in (out / "timestamps.txt").read_text().splitlines()]
    assert ts == [(k, t) for k, (t, _) in enumerate(exp)]
    for k, (_, img) in enumerate(exp):
        assert np.array_equal(cv2.imread(str(out / f"aps_{k:010d}.png"), cv2.IMREAD_UNCHANGED), img)
    # no "does not line up" any more: they do (the pipeline's size warning is for other sources)
    assert "does not line up" not in caplog.text
    # with --roi: the placed frame cropped as the reconstruction is
    out2 = tmp_path / "out2"
    assert main(["reconstruct", str(roi_file), "-o", str(out2), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", "--at", "aps", "--save-aps", "--roi", "8,4,40,30"]) == 0
    for k, (_, img) in enumerate(exp):
        got = cv2.imread(str(out2 / f"aps_{k:010d}.png"), cv2.IMREAD_UNCHANGED)
        assert np.array_equal(got, img[4:34, 8:48])


class PixelReads:
    """Counts the frame packets whose pixels are decoded (``_packet_frame(pixels=True)``)."""

    def __init__(self, monkeypatch):
        self.pixels = self.headers = 0
        orig = Aedat4FileSource._packet_frame

        def spy(src, off, n, pixels=True):
            if pixels:
                self.pixels += 1
            else:
                self.headers += 1
            return orig(src, off, n, pixels)
        monkeypatch.setattr(Aedat4FileSource, "_packet_frame", spy)


@pytest.mark.parametrize("save_aps, decoded", [(False, 0), (True, len(ROI_FRAMES))])
def test_at_aps_decodes_each_frame_once_with_save_aps_and_never_without(tmp_path, roi_file, tiny_ckpt,
                                                                          monkeypatch, save_aps, decoded):
    reads = PixelReads(monkeypatch)
    out = tmp_path / "out"
    assert main(["reconstruct", str(roi_file), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", "--at", "aps", *(["--save-aps"] if save_aps else [])]) == 0
    # (before: every packet's pixels twice, the check's read and the reconstruction's)
    assert reads.pixels == decoded
    assert len((out / "timestamps.txt").read_text().splitlines()) == len(KEPT)
    assert len(list(out.glob("aps_*.png"))) == (len(KEPT) if save_aps else 0)


def test_the_check_and_the_reconstruction_agree_at_the_memory_cap(tmp_path, roi_file, tiny_ckpt, monkeypatch,
                                                                    capsys, caplog):
    monkeypatch.setattr(aedat4_file, "MAX_APS_BYTES", 2 * W * H)  # two sensor-sized frames
    with Aedat4FileSource(roi_file) as src:
        assert list(src.aps_times_us()) == [t for t, _ in src.aps_frames()] == [20_000, 40_000]
    # the only frame at or after 0.05 s is past the cap: refused before any work, one line
    args = ["reconstruct", str(roi_file), "--model", str(tiny_ckpt), "--device", "cpu", "--no-progress",
            "--at", "aps", "--save-aps"]
    assert main([*args, "-o", str(tmp_path / "late"), "--start-s", "0.05"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "none of its 2 APS frames lies between" in err[0], err
    assert not (tmp_path / "late").exists()
    # otherwise: the frames kept and no more, said once (by the reconstruction, not its check too)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert main([*args, "-o", str(tmp_path / "out")]) == 0
    ts = (tmp_path / "out" / "timestamps.txt").read_text().split()
    assert ts == ["0", "20000", "1", "40000"] and len(list((tmp_path / "out").glob("aps_*.png"))) == 2
    assert sum("only the first 2 APS frames" in r.getMessage() for r in caplog.records) == 1


DAVIS = REAL_FILES["davis346"]


EVT2 = REAL_FILES["evt2"]


def test_at_aps_on_the_real_davis_file(tmp_path, ckpt, shared_data, capsys):
    path = shared_data / DAVIS["path"].name
    aps = aps_of(path)
    out = tmp_path / "out"
    assert reconstruct(path, out, ckpt, "--at", "aps", "--save-aps") == 0
    assert "3 frames" in capsys.readouterr().out
    assert read_ts(out) == [(k, t) for k, (t, _) in enumerate(aps)]
    for k, (_, img) in enumerate(aps):
        assert np.array_equal(cv2.imread(str(out / f"aps_{k:010d}.png"), cv2.IMREAD_UNCHANGED), img)
        frame = cv2.imread(str(out / f"frame_{k:010d}.png"), cv2.IMREAD_UNCHANGED)
        assert frame.shape == img.shape
    assert len(list(out.glob("aps_*.png"))) == 3
    # the same as --at with a file of those times: the first window holds every event before the
    # first APS frame (here only 0.6 ms of them), the events after the last one are not used
    ts_file = tmp_path / "aps_times.txt"
    ts_file.write_text("".join(f"{t}\n" for t, _ in aps))
    out2 = tmp_path / "out2"
    assert reconstruct(path, out2, ckpt, "--at", str(ts_file)) == 0
    assert read_ts(out2) == read_ts(out)
    for k in range(3):
        name = f"frame_{k:010d}.png"
        assert np.array_equal(cv2.imread(str(out / name), 0), cv2.imread(str(out2 / name), 0)), name
    assert not list(out2.glob("aps_*.png"))
    # a folder holding APS frames of an earlier run is refused like its frames, and --overwrite clears them
    assert reconstruct(path, out, ckpt, "--at", "aps") == 2
    assert "already holds" in capsys.readouterr().err
    assert reconstruct(path, out, ckpt, "--at", "aps", "--overwrite") == 0
    assert not list(out.glob("aps_*.png")) and len(read_ts(out)) == 3


def test_at_aps_on_a_synthetic_davis_file_with_downsample(tmp_path, ckpt, davis_synth):
    out = tmp_path / "out"
    assert reconstruct(davis_synth, out, ckpt, "--at", "aps", "--save-aps", "--downsample", "2") == 0
    assert read_ts(out) == list(enumerate(SYN_APS_US))
    for k in range(3):  # APS frames binned as the reconstructions are (2x2 means; s20-apseval)
        binned = (syn_aps_image(k).astype(int).reshape(SYN_H // 2, 2, SYN_W // 2, 2).sum((1, 3)) + 2) // 4
        assert np.array_equal(cv2.imread(str(out / f"aps_{k:010d}.png"), cv2.IMREAD_UNCHANGED), binned)
        assert cv2.imread(str(out / f"frame_{k:010d}.png"), 0).shape == (SYN_H // 2, SYN_W // 2)


def test_at_aps_without_aps_frames_is_one_line_and_exit_2(tmp_path, ckpt, capsys):
    from evfocus_live.writers.hdf5 import Hdf5Writer
    ours = tmp_path / "ours.aedat4"
    with Aedat4Writer(ours, 346, 260) as w:
        w.write(make_events(2_000))
    h5 = tmp_path / "ev.h5"
    with Hdf5Writer(h5, 346, 260) as w:
        w.write(make_events(2_000))
    for inp, why in ((EVT2["path"], "evt2 recordings have none"), (ours, "no frame stream"),
                     (h5, "recordings have none")):
        out = tmp_path / f"out_{Path(inp).suffix[1:]}"
        assert reconstruct(inp, out, ckpt, "--at", "aps") == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "has no APS (grey-level) frames" in err and why in err, err
        assert "Traceback" not in err
        assert not out.exists() or not any(out.iterdir())  # checked before any work
    # several inputs: one without frames stops the run before the first is reconstructed
    out = tmp_path / "several"
    assert reconstruct(REAL_FILES["davis346"]["path"], out, ckpt, "--at", "aps") == 0  # (sanity)
    assert main(["reconstruct", str(REAL_FILES["davis346"]["path"]), str(EVT2["path"]), "-o",
                 str(tmp_path / "several2"), "--model", str(ckpt), "--at", "aps", "--no-progress"]) == 2
    assert not (tmp_path / "several2").exists() or not any((tmp_path / "several2").rglob("frame_*"))


def test_save_aps_needs_at_aps(tmp_path, ckpt, capsys):
    assert reconstruct(DAVIS["path"], tmp_path / "o", ckpt, "--save-aps") == 2
    assert "--save-aps needs --at aps" in capsys.readouterr().err
    ts = tmp_path / "ts.txt"
    ts.write_text(f"{DAVIS['t_first_us'] + 50_000}\n")
    assert reconstruct(DAVIS["path"], tmp_path / "o", ckpt, "--at", str(ts), "--save-aps") == 2
    assert "--save-aps needs --at aps" in capsys.readouterr().err


def test_info_lists_aps_frames(capsys, davis_synth):
    assert main(["info", str(DAVIS["path"])]) == 0
    out = capsys.readouterr().out
    aps = [t for t, _ in aps_of(DAVIS["path"])]
    assert f"aps frames  3  ({aps[0]:,} .. {aps[-1]:,} µs, 0.080000 s, 25.0 fps)" in out
    assert main(["info", str(davis_synth), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["aps_frames"] == 3 and info["aps_t_first_us"] == SYN_APS_US[0]
    assert info["aps_t_last_us"] == SYN_APS_US[-1] and info["aps_duration_us"] == 60_000
    assert main(["info", str(EVT2["path"]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["aps_frames"] == 0
    assert main(["info", str(EVT2["path"])]) == 0
    assert "aps frames" not in capsys.readouterr().out


@pytest.mark.usefixtures("one_torch_thread")
def test_save_aps_with_roi_matches_the_frames(tmp_path, davis_synth, tiny_ckpt):  # noqa: F811
    import cv2
    out = tmp_path / "out"
    assert main(["reconstruct", str(davis_synth), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", "--at", "aps", "--save-aps", "--roi", "10,8,40,32", "--downsample", "2"]) == 0
    for k in range(3):
        aps = cv2.imread(str(out / f"aps_{k:010d}.png"), cv2.IMREAD_UNCHANGED)
        assert aps.shape == cv2.imread(str(out / f"frame_{k:010d}.png"), 0).shape == (16, 20)
        assert np.array_equal(aps, block_means(syn_aps_image(k)[8:40, 10:50], 2))


@pytest.mark.parametrize("at, expect", [("", "--at needs a file of frame times or 'aps'"),
                                        ("APS", "has no APS (grey-level) frames")])
def test_reconstruct_at_empty_is_refused_and_at_aps_ignores_case(tmp_path, capsys, at, expect):
    """``--at ''`` made the default windows in silence; ``--at APS`` looked for a file named APS."""
    from conftest import make_events

    from evfocus_live.cli import main

    ev = tmp_path / "ev.npy"
    np.save(ev, make_events(2000, 64, 48, duration_us=200_000))
    assert main(["reconstruct", str(ev), "-o", str(tmp_path / "out"), "--at", at, "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expect in err[0], err


#: the DAVIS file's APS frame times, µs after its first event
APS_REL_US = (568, 40_568, 80_568)


def test_at_aps_keeps_only_the_aps_frames_between_start_and_end(tmp_path, ckpt, shared_data):
    """--at aps --start-s/--end-s made a frame at every APS frame of the file: those before the
    start held no event (and --save-aps wrote them all); now only the APS frames in the range."""
    t0 = DAVIS["t_first_us"]
    out = tmp_path / "out"
    assert reconstruct(shared_data / DAVIS["path"].name, out, ckpt, "--at", "aps", "--save-aps",
                       "--start-s", "0.03", "--end-s", "0.05", "--roi", "10,20,200,100", "--downsample", "2") == 0
    assert read_ts(out) == [(0, t0 + APS_REL_US[1])]
    assert sorted(p.name for p in out.glob("*.png")) == ["aps_0000000000.png", "frame_0000000000.png"]
    out2 = tmp_path / "out2"
    assert reconstruct(shared_data / DAVIS["path"].name, out2, ckpt, "--at", "aps", "--start-s", "0.03") == 0
    assert read_ts(out2) == [(0, t0 + APS_REL_US[1]), (1, t0 + APS_REL_US[2])]


@pytest.mark.parametrize("rng", [("--start-s", "0.1"), ("--end-s", "0.0003"), ("--start-s", "0.001", "--end-s", "0.03")])
def test_at_aps_with_no_aps_frame_in_the_range_is_one_line_and_exit_2(tmp_path, ckpt, shared_data, capsys, rng):
    """(The old code wrote 3 frames from no events, with a hint to add the start to the times.)"""
    out = tmp_path / "out"
    assert reconstruct(shared_data / DAVIS["path"].name, out, ckpt, "--at", "aps", *rng) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "none of its 3 APS frames lies between" in err, err
    assert "0.000568..0.080568 s" in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())  # checked before any work


def test_at_aps_check_calls_a_plugins_aps_times_us_as_the_contract_has_it(monkeypatch):
    """The check of ``--at aps`` called ``aps_times_us(quiet=True)``: a plugin source's method
    without that argument (it is not in the contract) raised TypeError."""
    import evfocus_live.sources as sources
    from evfocus_live.cli.reconstruct import _check_aps

    class PluginSource:
        format, width, height, has_aps = "plugin", 64, 48, True

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def aps_times_us(self):
            return [3, 1_000]

        def time_range_us(self):
            return 0, 2_000

    monkeypatch.setattr(sources, "open_file", lambda path: PluginSource())
    _check_aps("rec.plugin")  # (raises on no frame in range)


def test_at_aps_check_of_frames_all_off_the_sensor_does_not_say_no_frame_stream(tmp_path):
    """``reconstruct --at aps``'s up-front check reads the frame times quietly (the run says
    what it leaves out), so when it leaves out every frame its line is all the user sees: it
    said "no frame stream in it" of a file that has one (frames placed off the sensor)."""
    pytest.importorskip("dv_processing")
    from aps_support import W, H, write_davis

    from evfocus_live.cli.reconstruct import _check_aps

    path = write_davis(tmp_path / "off.aedat4", [(30_000, 40, 30, 32, 20)])  # (64x48 sensor)
    with pytest.raises(InputError) as err:
        _check_aps(str(path))
    msg = str(err.value)
    assert "no frame stream" not in msg and f"fits its {W}x{H} sensor" in msg, msg


def test_info_counts_the_aps_frames_reconstruct_uses(tmp_path, capsys, caplog, tiny_ckpt):
    from aps_support import KEPT, ROI_FRAMES, write_davis

    path = write_davis(tmp_path / "roi.aedat4", ROI_FRAMES)
    with caplog.at_level(logging.WARNING):
        info = _info_json(capsys, path)
    # before: 6 (every frame packet), while --at aps gave 4
    assert info["aps_frames"] == len(KEPT) == 4 and info["aps_frames_left_out"] == 2
    assert (info["aps_t_first_us"], info["aps_t_last_us"]) == (KEPT[0][0], KEPT[-1][0])
    assert any("does not fit" in r.getMessage() for r in caplog.records)
    assert main(["info", str(path)]) == 0
    assert "2 more frame(s) in the file left out" in capsys.readouterr().out
    out = tmp_path / "out"
    assert main(["reconstruct", str(path), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", "--at", "aps"]) == 0
    assert len((out / "timestamps.txt").read_text().splitlines()) == info["aps_frames"]


def test_info_on_the_real_davis_file_leaves_nothing_out(capsys):
    from conftest import DAVIS_FILE

    info = _info_json(capsys, DAVIS_FILE)
    assert info["aps_frames"] == 3 and "aps_frames_left_out" not in info
