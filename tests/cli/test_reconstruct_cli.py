"""``evfocus reconstruct``: frames, timestamps, --at, video, blur maps, several inputs, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import REAL_FILES

from evfocus_live.cli import main
from evfocus_live.nn.registry import build_model, save_checkpoint

EVT2 = REAL_FILES["evt2"]
EVT3 = REAL_FILES["evt3"]


@pytest.fixture(scope="module")
def tiny_ckpt(tmp_path_factory) -> Path:
    """A small random-init FireNet saved by the NN engineer's own checkpoint code."""
    import torch

    torch.manual_seed(0)
    return save_checkpoint(tmp_path_factory.mktemp("ckpt") / "firenet_tiny.pt", build_model("firenet", {"base": 2}))


@pytest.fixture(scope="module")
def evfocus_ckpt(tmp_path_factory) -> Path:
    import torch

    torch.manual_seed(0)
    model = build_model("evfocus", {"base": 4, "kernel": 3, "num_deblur_blocks": 1})
    return save_checkpoint(tmp_path_factory.mktemp("ckpt") / "evfocus_tiny.pt", model)


def read_ts(d: Path) -> list[tuple[int, int]]:
    return [tuple(int(v) for v in ln.split()) for ln in (d / "timestamps.txt").read_text().splitlines()]


def test_window_ms_frames_and_timestamps(tmp_path, tiny_ckpt, capsys):
    out = tmp_path / "out"
    rc = main(["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
               "--window-ms", "10", "--end-s", "0.03", "--no-progress"])
    assert rc == 0
    ts = read_ts(out)
    assert [i for i, _ in ts] == [0, 1, 2]
    assert [t for _, t in ts] == [EVT2["t_first_us"] + 10_000 * k for k in (1, 2, 3)]
    pngs = sorted(out.glob("frame_*.png"))
    assert [p.name for p in pngs] == [f"frame_{i:010d}.png" for i in range(3)]
    img = cv2.imread(str(pngs[1]), cv2.IMREAD_UNCHANGED)
    assert img.shape == (EVT2["height"], EVT2["width"]) and img.dtype == np.uint8
    assert "3 frames" in capsys.readouterr().out
    # same input -> same frames
    out2 = tmp_path / "out2"
    main(["reconstruct", str(EVT2["path"]), "-o", str(out2), "--model", str(tiny_ckpt), "--device", "cpu",
          "--window-ms", "10", "--end-s", "0.03", "--no-progress"])
    assert all(np.array_equal(cv2.imread(str(a), 0), cv2.imread(str(out2 / a.name), 0)) for a in pngs)


def test_at_one_frame_per_line(tmp_path, tiny_ckpt):
    t0 = EVT2["t_first_us"]
    lines = [t0 + 1000, t0 + 2500, t0 + 2500, t0 + 900_000]  # repeated, and past the end
    ts_file = tmp_path / "ts.txt"
    ts_file.write_text("# frame times\n" + "\n".join(str(t) for t in lines) + "\n")
    out = tmp_path / "at"
    rc = main(["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
               "--at", str(ts_file), "--post", "none", "--no-progress"])
    assert rc == 0
    assert read_ts(out) == list(enumerate(lines))
    assert len(list(out.glob("frame_*.png"))) == len(lines)
    assert cv2.imread(str(out / "frame_0000000000.png"), 0).shape == (480, 640)


def test_video_side_by_side_and_blur_maps(tmp_path, evfocus_ckpt):
    out = tmp_path / "v"
    video = tmp_path / "v" / "recon.mp4"
    rc = main(["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(evfocus_ckpt), "--device", "cpu",
               "--window-ms", "10", "--end-s", "0.02", "--video", str(video), "--side-by-side", "--save-blur-map",
               "--no-progress"])
    assert rc == 0
    assert len(list(out.glob("blur_*.png"))) == 2
    cap = cv2.VideoCapture(str(video))
    ok, frame = cap.read()
    n = 1 if ok else 0
    while cap.read()[0]:
        n += 1
    cap.release()
    assert ok and frame.shape == (EVT2["height"], 2 * EVT2["width"], 3) and n == 2


@pytest.mark.slow
def test_several_inputs_sequential_and_parallel(tmp_path, tiny_ckpt):
    common = ["--model", str(tiny_ckpt), "--device", "cpu", "--window-ms", "4", "--end-s", "0.004", "--no-progress"]
    out = tmp_path / "seq"
    assert main(["reconstruct", str(EVT2["path"]), str(EVT3["path"]), "-o", str(out), *common]) == 0
    for f in (EVT2, EVT3):
        d = out / Path(f["path"]).stem
        assert len(read_ts(d)) == 1 and len(list(d.glob("frame_*.png"))) == 1
    par = tmp_path / "par"
    assert main(["reconstruct", str(EVT2["path"]), str(EVT3["path"]), "-o", str(par), "--jobs", "2", *common]) == 0
    for f in (EVT2, EVT3):
        a, b = out / Path(f["path"]).stem, par / Path(f["path"]).stem
        assert read_ts(a) == read_ts(b)
        assert np.array_equal(cv2.imread(str(a / "frame_0000000000.png"), 0),
                              cv2.imread(str(b / "frame_0000000000.png"), 0))


@pytest.mark.parametrize("case", ["unknown_model", "corrupt_ckpt", "missing_input", "garbage_input", "bad_at",
                                  "bad_window"])
def test_errors_one_line_exit_2(tmp_path, tiny_ckpt, capsys, case):
    args = ["reconstruct", str(EVT2["path"]), "-o", str(tmp_path / "o"), "--model", str(tiny_ckpt),
            "--device", "cpu", "--no-progress", "--window-ms", "10"]
    if case == "unknown_model":
        args[args.index("--model") + 1] = "no-such-model"
    elif case == "corrupt_ckpt":
        bad = tmp_path / "bad.pt"
        bad.write_bytes(b"not a checkpoint at all")
        args[args.index("--model") + 1] = str(bad)
    elif case == "missing_input":
        args[1] = str(tmp_path / "missing.raw")
    elif case == "garbage_input":
        g = tmp_path / "garbage.raw"
        g.write_bytes(bytes(range(256)) * 10)
        args[1] = str(g)
    elif case == "bad_at":
        (tmp_path / "ts.txt").write_text("12\nhello\n")
        args = args[:-2] + ["--at", str(tmp_path / "ts.txt")]
    elif case == "bad_window":
        args[-1] = "-3"
    rc = main(args)
    err = capsys.readouterr().err.strip().splitlines()
    err = [ln for ln in err if not ln.startswith("WARNING evfocus_live.plugins")]
    assert rc == 2
    assert len(err) == 1 and err[0].startswith("evfocus reconstruct: error:"), err
    assert not list((tmp_path / "o").glob("frame_*.png"))


def test_console_script_no_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "evfocus_live", "reconstruct", str(tmp_path / "nope.raw"),
                        "-o", str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "nope.raw" in r.stderr


def test_runtime_options_give_the_same_frames_as_eager(tmp_path, evfocus_ckpt):
    """--backend/--threads change speed, not the picture (bf16 only by a grey level or two)."""
    def run(name, *extra):
        out = tmp_path / name
        rc = main(["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(evfocus_ckpt), "--device", "cpu",
                   "--window-ms", "10", "--end-s", "0.04", "--post", "none", "--no-progress", *extra])
        assert rc == 0
        return [cv2.imread(str(p), 0).astype(int) for p in sorted(out.glob("frame_*.png"))]

    eager = run("eager", "--backend", "eager", "--threads", "1")
    jit = run("jit", "--backend", "jit", "--threads", "1")
    bf16 = run("bf16", "--backend", "eager", "--precision", "bf16")
    assert len(eager) == len(jit) == len(bf16) == 4
    assert max(np.abs(a - b).max() for a, b in zip(eager, jit)) <= 1
    assert max(np.abs(a - b).mean() for a, b in zip(eager, bf16)) < 3


def _one_error_line(capsys, command: str) -> str:
    err = [ln for ln in capsys.readouterr().err.strip().splitlines()
           if not ln.startswith(("WARNING evfocus_live.plugins", "INFO "))]
    assert len(err) == 1 and err[0].startswith(f"evfocus {command}: error:"), err
    return err[0]


@pytest.mark.parametrize("opts, needle", [
    (["--window-ms", "nan"], "--window-ms"), (["--window-ms", "inf"], "--window-ms"),
    (["--window-ms", "0.0001"], "--window-ms"),  # > 0, but rounds to a window of 0 µs
    (["--adaptive-ms", "nan"], "--adaptive-ms"),
    (["--window-events", "99999999999"], "--window-events"),  # would allocate 4.7 TiB
    (["--fps", "nan", "--window-ms", "5"], "--fps"), (["--threads", "-1"], "--threads"),
    (["-o", "{file}/sub"], "not a folder"), (["--video", "{file}/x.mp4"], "not a folder"),
    (["--video", "{dir}"], "is a folder"),
])
def test_bad_window_and_output_options_fail_up_front(tmp_path, tiny_ckpt, capsys, opts, needle):
    afile = tmp_path / "afile"
    afile.write_text("")
    opts = [o.format(file=afile, dir=tmp_path) for o in opts]
    args = ["reconstruct", str(EVT2["path"]), "-o", str(tmp_path / "o"), "--model", str(tiny_ckpt),
            "--device", "cpu", "--no-progress", *opts]
    assert main(args) == 2
    assert needle in _one_error_line(capsys, "reconstruct")
    assert not (tmp_path / "o").exists()  # nothing done before the check


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_output_folder_that_cannot_be_created(tmp_path, tiny_ckpt, capsys):
    """/proc refuses new entries even to root (where os.access says yes)."""
    assert main(["reconstruct", str(EVT2["path"]), "-o", "/proc/evfocus-test/o", "--model", str(tiny_ckpt),
                 "--no-progress"]) == 2
    assert "/proc" in _one_error_line(capsys, "reconstruct")


def test_simulate_negative_seed_and_eval_bad_out_are_one_line(tmp_path, capsys, monkeypatch):
    """Other subcommands' option checks: one line, exit 2, before any work."""
    from evfocus_live.train import evaluate

    monkeypatch.setattr(evaluate, "evaluate", lambda *a, **k: pytest.fail("evaluated despite a bad --out"))
    assert main(["simulate", str(tmp_path / "sim"), "--seed", "-5", "--sequences", "1", "--duration", "0.1"]) == 2
    assert "--seed" in _one_error_line(capsys, "simulate")
    afile = tmp_path / "afile"
    afile.write_text("")
    assert main(["eval", "--data", str(tmp_path), "--out", str(afile)]) == 2
    assert "not a folder" in _one_error_line(capsys, "eval")


def _spawned_children(pid: int) -> list[int]:
    """The multiprocessing workers among a process's children (Linux /proc)."""
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for c in (task / "children").read_text().split():
            try:
                if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes():
                    kids.append(int(c))
            except OSError:
                pass
    return kids


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_sigint_to_the_parent_alone_stops_parallel_workers(tmp_path):
    """`kill -INT <parent>` (not a Ctrl-C to the whole group): the parent must stop its
    workers at once, keep what they wrote and exit 130, not wait for every job to end."""
    import os
    import signal
    import time

    inputs = []
    for name in ("a.raw", "b.raw"):  # two long jobs: ~88 windows of 100 µs at 1280x720
        (tmp_path / name).symlink_to(EVT3["path"])
        inputs.append(str(tmp_path / name))
    out = tmp_path / "o"
    p = subprocess.Popen([sys.executable, "-m", "evfocus_live", "reconstruct", *inputs, "-o", str(out),
                          "--jobs", "2", "--window-ms", "0.1", "--no-progress"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        t0 = time.monotonic()
        while not all((out / d / "timestamps.txt").is_file() for d in "ab"):  # both workers are at work
            assert p.poll() is None and time.monotonic() - t0 < 150, p.communicate()
            time.sleep(0.2)
        kids = _spawned_children(p.pid)
        assert kids
        os.kill(p.pid, signal.SIGINT)
        _, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
    assert p.returncode == 130 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1] == "evfocus reconstruct: interrupted"
    deadline = time.monotonic() + 5
    while not all(_gone(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_gone(k) for k in kids)
    for d in (out / "a", out / "b"):  # timestamps.txt was closed, not lost (at most the last line)
        assert len(read_ts(d)) >= len(list(d.glob("frame_*.png"))) - 1


# --- output folders: earlier runs, several inputs, full disks, video options -------------------------

def _recon(out, *extra, inp=None, model=None):
    return main(["reconstruct", str(inp or EVT2["path"]), "-o", str(out), "--model", str(model), "--device", "cpu",
                 "--window-ms", "10", "--no-progress", *extra])


def test_rerun_into_a_folder_with_earlier_frames_needs_overwrite(tmp_path, tiny_ckpt, capsys):
    """A second run must not leave the first run's frames beside its own timestamps.txt."""
    out = tmp_path / "o"
    assert _recon(out, "--end-s", "0.03", model=tiny_ckpt) == 0
    (out / "blur_0000000007.png").write_bytes(b"old")  # an earlier --save-blur-map run
    (out / "notes.txt").write_text("mine")
    video = tmp_path / "old.mp4"
    video.write_bytes(b"an earlier run's video")
    capsys.readouterr()
    assert _recon(out, "--end-s", "0.01", model=tiny_ckpt) == 2
    assert "--overwrite" in _one_error_line(capsys, "reconstruct")
    assert len(read_ts(out)) == 3 and len(list(out.glob("frame_*.png"))) == 3  # refused: nothing touched
    # --overwrite: exactly this run's outputs (frames, blur maps, timestamps, video); other files stay
    assert _recon(out, "--end-s", "0.01", "--overwrite", "--video", str(video), model=tiny_ckpt) == 0
    assert sorted(p.name for p in out.iterdir()) == ["frame_0000000000.png", "notes.txt", "timestamps.txt"]
    assert len(read_ts(out)) == 1 and (out / "notes.txt").read_text() == "mine"
    cap = cv2.VideoCapture(str(video))
    assert cap.get(cv2.CAP_PROP_FRAME_COUNT) == 1
    cap.release()


def test_several_inputs_get_distinct_folders_and_videos(tmp_path, tiny_ckpt, capsys):
    from evfocus_live.cli.reconstruct import _output_dirs, _video_path

    names = ["a/rec.aedat4", "b/rec.raw", "rec_1.aedat4", "c/REC.h5", "rec.npy"]
    dirs = _output_dirs(names, tmp_path)
    assert [d.name for d in dirs] == ["rec", "rec_2", "rec_1", "REC_3", "rec_4"]  # stable, case-blind
    vids = [_video_path(str(tmp_path / "v.mp4"), len(names), d, n) for n, d in zip(names, dirs)]
    assert len({str(v).casefold() for v in vids}) == len(names)
    # end to end: three inputs named alike, one absolute --video -> three folders and three videos
    for sub, name in (("a", "rec.raw"), ("b", "rec.raw"), (".", "rec_1.raw")):
        (tmp_path / sub).mkdir(exist_ok=True)
        (tmp_path / sub / name).symlink_to(EVT2["path"])
    inputs = [str(tmp_path / "a/rec.raw"), str(tmp_path / "b/rec.raw"), str(tmp_path / "rec_1.raw")]
    out = tmp_path / "o"
    rc = main(["reconstruct", *inputs, "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
               "--window-ms", "10", "--end-s", "0.01", "--no-progress", "--video", str(tmp_path / "v.mp4")])
    assert rc == 0
    assert sorted(p.name for p in out.iterdir()) == ["rec", "rec_1", "rec_2"]
    assert all(len(read_ts(d)) == 1 for d in out.iterdir())
    assert sorted(p.name for p in tmp_path.glob("v_*.mp4")) == ["v_rec.mp4", "v_rec_1.mp4", "v_rec_2.mp4"]
    assert len(set(capsys.readouterr().out.split("->")[1:])) == 3  # three distinct folders named


def test_the_same_input_twice_is_refused(tmp_path, tiny_ckpt, capsys, monkeypatch):
    import evfocus_live.pipeline

    monkeypatch.setattr(evfocus_live.pipeline, "Pipeline", lambda *a, **k: pytest.fail("worked on a duplicate"))
    other = str(EVT2["path"].parent / ".." / EVT2["path"].parent.name / EVT2["path"].name)
    assert main(["reconstruct", str(EVT2["path"]), other, "-o", str(tmp_path / "o"), "--model", str(tiny_ckpt),
                 "--no-progress", "--jobs", "2"]) == 2
    assert "given twice" in _one_error_line(capsys, "reconstruct")
    assert not (tmp_path / "o").exists()


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs /dev/full")
@pytest.mark.parametrize("fails", ["frame_0000000002.png", "blur_0000000001.png", "timestamps.txt"])
def test_a_full_disk_stops_with_one_line_and_keeps_the_folder_consistent(tmp_path, tiny_ckpt, evfocus_ckpt,
                                                                          capsys, monkeypatch, fails):
    """The file named ``fails`` lands on /dev/full (a real ENOSPC from the kernel, which
    cv2.imwrite does not always report: True for a small PNG). Exit 2, one line naming it; timestamps.txt lists exactly the
    frames (and blur maps) on disk, none of them empty or truncated."""
    import builtins

    from evfocus_live.cli import reconstruct as rmod

    real_open = builtins.open

    def open_on_a_full_disk(file, mode="r", *a, **k):
        if Path(file).name == fails:
            real_open(file, mode).close()  # the file appears, as it does on a full disk
            return real_open("/dev/full", mode, *a, **k)
        return real_open(file, mode, *a, **k)

    monkeypatch.setattr(rmod, "open", open_on_a_full_disk, raising=False)
    out = tmp_path / "o"
    blur = fails.startswith("blur")
    rc = _recon(out, "--end-s", "0.05", *(["--save-blur-map"] if blur else []),
                model=evfocus_ckpt if blur else tiny_ckpt)
    assert rc == 2
    line = _one_error_line(capsys, "reconstruct")
    assert fails in line and "No space left on device" in line
    n_ok = {"frame_0000000002.png": 2, "blur_0000000001.png": 1, "timestamps.txt": 0}[fails]
    assert [i for i, _ in read_ts(out)] == list(range(n_ok))
    for kind in ("frame", "blur") if blur else ("frame",):
        files = sorted(out.glob(f"{kind}_*.png"))
        assert [p.name for p in files] == [f"{kind}_{i:010d}.png" for i in range(n_ok)]
        assert all(cv2.imread(str(p), 0) is not None for p in files)


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs /dev/full")
def test_png_writer_reports_a_full_disk(tmp_path):
    from evfocus_live.cli.reconstruct import _write_png
    from evfocus_live.errors import InputError

    link = tmp_path / "frame_0000000000.png"
    link.symlink_to("/dev/full")
    with pytest.raises(InputError, match="frame_0000000000.png: cannot write .No space left on device"):
        _write_png(link, np.zeros((8, 8), np.uint8))  # cv2.imwrite says True here
    assert Path("/dev/full").is_char_device() and not link.is_symlink()


def test_a_video_missing_frames_is_an_error(tmp_path, tiny_ckpt, capsys, monkeypatch):
    """OpenCV's VideoWriter.write reports nothing: a full disk shows as a video that does not
    hold (or open with) the frames written. Here the writer drops all frames after the first."""
    real = cv2.VideoWriter

    class Dropping:
        def __init__(self, *a):
            self._w, self._n = real(*a), 0

        def isOpened(self):
            return self._w.isOpened()

        def write(self, img):
            self._n += 1
            if self._n == 1:
                self._w.write(img)

        def release(self):
            self._w.release()

    monkeypatch.setattr(cv2, "VideoWriter", Dropping)
    video = tmp_path / "v.mp4"
    assert _recon(tmp_path / "o", "--end-s", "0.03", "--video", str(video), model=tiny_ckpt) == 2
    assert str(video) in _one_error_line(capsys, "reconstruct")


@pytest.mark.parametrize("opts, needle", [
    (["--video", "{tmp}/outvideo"], "no extension"), (["--video", "{tmp}/v.webm"], "'.webm'"),
    (["--video", "{tmp}/v.mp4", "--window-ms", "3600000"], "give --fps"),
    (["--video", "{tmp}/v.mp4", "--window-ms", "10", "--fps", "100000"], "--fps"),
    (["--video", "{tmp}/v.mp4", "--window-ms", "10", "--fps", "0.001"], "--fps"),
])
def test_bad_video_options_fail_before_any_work(tmp_path, tiny_ckpt, capsys, monkeypatch, opts, needle):
    import evfocus_live.pipeline

    monkeypatch.setattr(evfocus_live.pipeline, "Pipeline", lambda *a, **k: pytest.fail("started work"))
    opts = [o.format(tmp=tmp_path) for o in opts]
    assert main(["reconstruct", str(EVT2["path"]), "-o", str(tmp_path / "o"), "--model", str(tiny_ckpt),
                 "--no-progress", *opts]) == 2
    assert needle in _one_error_line(capsys, "reconstruct")
    assert not (tmp_path / "o").exists() and not list(tmp_path.glob("v*"))


def test_video_frame_rates_mp4v_cannot_represent_are_rounded(tmp_path, tiny_ckpt):
    """1000/7 = 142.857... fps (--window-ms 7) has no MPEG-4 time base: OpenCV's writer refuses
    it. The rate is rounded as little as needed; checked against the real writer."""
    from evfocus_live.cli.reconstruct import VIDEO_FPS_MAX, VIDEO_FPS_MIN, _mp4v_time_base, _writer_fps

    def opens(fps):
        w = cv2.VideoWriter(str(tmp_path / "p.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), fps, (16, 16))
        ok = w.isOpened()
        w.release()
        return ok

    for fps in (VIDEO_FPS_MIN, 0.0123, 1 / 3, 29.97, 1000 / 7, 1000 / 3, 1000 / 0.3, 12345.678, VIDEO_FPS_MAX):
        assert opens(_writer_fps(fps)), fps
        assert abs(_writer_fps(fps) - fps) <= 0.5 and opens(fps) == (_mp4v_time_base(fps)[0] <= 65535), fps
    video = tmp_path / "v.mp4"
    assert _recon(tmp_path / "o", "--end-s", "0.021", "--video", str(video), "--window-ms", "7",
                  model=tiny_ckpt) == 0
    cap = cv2.VideoCapture(str(video))
    assert cap.get(cv2.CAP_PROP_FRAME_COUNT) == 3 and abs(cap.get(cv2.CAP_PROP_FPS) - 1000 / 7) < 0.01
    cap.release()
