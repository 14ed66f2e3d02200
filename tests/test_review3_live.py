"""Third review round (a lab user's lens): the simulator CLI and the live sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types

import numpy as np
import pytest
from camera_support import use_nd_camera
from simulate_support import FULL_DISK_CLI

from evfocus_live.errors import DeviceError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_simulate_on_a_full_disk_is_one_line_and_leaves_no_truncated_sequence(tmp_path):
    """HDF5 hitting a full disk printed a storm of h5py tracebacks and crashed the process
    (SIGSEGV) while closing, leaving a truncated seq_00000.h5 that training would glob."""
    out = tmp_path / "d"
    p = subprocess.run([sys.executable, "-c", FULL_DISK_CLI, "20000", "-q", "simulate", str(out), "--sequences", "1",
                        "--duration", "0.1", "--resolution", "64x48", "--frame-ms", "20", "--no-aedat4"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    err = p.stderr.strip().splitlines()
    assert p.returncode == 2, (p.returncode, p.stderr[-2000:])
    assert len(err) == 1 and "seq_00000: cannot write (File too large)" in err[0], err
    assert not list(out.iterdir()), "a partial sequence file was left behind"


def _fake_nd(monkeypatch, life_packets=3, open_error=None):
    """neuromorphic-drivers as it lists an EVK4 (``name`` is an enum) and streams, then unplugs."""
    import enum

    from evfocus_live.sources import prophesee_camera

    class Name(enum.Enum):
        PROPHESEE_EVK4 = "Prophesee EVK4"

    dt = np.dtype([("t", "<u8"), ("x", "<u2"), ("y", "<u2"), ("on", "?")])

    class Dev:
        def properties(self):
            return types.SimpleNamespace(width=1280, height=720)

        def __exit__(self, *a):
            pass

        def __iter__(self):
            for k in range(life_packets):
                a = np.zeros(4, dt)
                a["t"] = 1000 * k + np.arange(4)
                a["x"], a["y"], a["on"] = 5, 6, True
                yield None, {"dvs_events": a}
            raise RuntimeError("LIBUSB_ERROR_NO_DEVICE\ntransfer failed")

    def open_(serial=None, **kw):
        if open_error:
            raise OSError(open_error)
        return Dev()

    nd = types.SimpleNamespace(
        list_devices=lambda: [types.SimpleNamespace(name=Name.PROPHESEE_EVK4, serial="00051501",
                                                    error="permission denied" if open_error else None)],
        open=open_)
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers", nd)
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")
    return prophesee_camera.PropheseeCameraSource


def test_prophesee_nd_sensor_name_is_the_model_not_the_enum_and_unplug_is_a_device_error(monkeypatch):
    """The sensor (status line, the recording's header) read 'Name.PROPHESEE_EVK4 00051501'."""
    cls = _fake_nd(monkeypatch)
    cam = cls(poll_timeout_s=0.5)
    try:
        assert cam.sensor == "Prophesee EVK4 00051501"
        assert (cam.width, cam.height) == (1280, 720)
        got = []
        with pytest.raises(DeviceError, match=r"^Prophesee EVK4 00051501: camera error \(RuntimeError: "
                                              r"LIBUSB_ERROR_NO_DEVICE\)$"):
            for _ in range(50):
                got.append(cam.read())
        assert sum(len(b) for b in got) == 12  # every event before the unplug was handed on
    finally:
        cam.close()
    assert cam.read() is None


def test_prophesee_nd_open_failure_says_why(monkeypatch):
    """Opening failed with only the exception's type: 'cannot open ... (OSError)'."""
    cls = _fake_nd(monkeypatch, open_error="device busy")
    with pytest.raises(DeviceError) as ei:
        cls()
    assert str(ei.value) == "cannot open Prophesee EVK4 (OSError: device busy; permission denied)"


def test_prophesee_queue_is_bounded_in_events_not_only_in_packets(monkeypatch):
    """256 packets were the only bound: in a burst a packet holds millions of events, and a
    reader that stalled (a slow model, a paused GUI thread) queued gigabytes."""
    import threading

    from evfocus_live.sources import prophesee_camera

    dt = np.dtype([("t", "<u8"), ("x", "<u2"), ("y", "<u2"), ("on", "?")])
    big = np.zeros(100_000, dt)
    done = threading.Event()

    class Dev:
        def properties(self):
            return types.SimpleNamespace(width=1280, height=720)

        def __iter__(self):
            for k in range(100):  # 10 M events while nobody reads
                big["t"] = k
                yield None, {"dvs_events": big}
            done.set()
            while True:
                yield None, None

    use_nd_camera(monkeypatch, Dev)
    cam = prophesee_camera.PropheseeCameraSource(max_buffer_events=1_000_000, poll_timeout_s=0.01)
    try:
        assert done.wait(30)
        got = []
        while True:
            b = cam.read()
            if not len(b):
                break
            got.append(b)
        n = sum(len(b) for b in got)
        assert n <= 1_000_000 and n + cam.dropped_events == 10_000_000, (n, cam.dropped_events)
        assert [int(b["t"][0]) for b in got] == list(range(100 - len(got), 100))  # the newest are kept
    finally:
        cam.close()


def test_focus_sweep_metadata_names_the_sweep_not_an_unused_focus_distance():
    """sim_meta's focus_m was the scene's fixed focus even in a sweep, where the lens never
    focuses there: the per-frame sigma maps disagreed with it."""
    from evfocus_live.simulate import SimConfig, simulate_sequence

    cfg = SimConfig(width=32, height=24, duration_s=0.1, frame_ms=20.0, focus_sweep=True, fg_layers=(0, 0))
    res = simulate_sequence(cfg, seed=3)
    sweep = res.meta["focus_sweep"]
    assert res.meta["focus_m"] is None and sweep["near_m"] < sweep["far_m"]
    from evfocus_live.simulate import sample_scene  # the scene simulate_sequence drew for this seed

    scene = sample_scene(cfg, np.random.default_rng(3))
    for t_us, sig in zip(res.t_us, res.sigma):  # every frame's sigma follows the recorded sweep
        u = (t_us * 1e-6 / sweep["period_s"] + sweep["phase"]) % 1.0
        tri = 2 * u if u < 0.5 else 2 - 2 * u
        focus_m = 1.0 / (1.0 / sweep["far_m"] + (1.0 / sweep["near_m"] - 1.0 / sweep["far_m"]) * tri)
        want = min(max(scene.lens.sigma_px_scalar(scene.layers[0].depth_m, focus_m), 0.0), 7.0)
        assert float(sig.mean()) == pytest.approx(want, abs=0.01)
    json.dumps(res.meta)  # stays JSON for the .h5 attribute


SIM_ARGS = ["--sequences", "3", "--duration", "0.05", "--resolution", "24x16", "--frame-ms", "25", "--seed", "40"]


def test_simulate_resume_finishes_an_interrupted_run_as_if_it_had_not_stopped(tmp_path, monkeypatch, capsys):
    """An interrupted run (Ctrl-C, reboot, full disk) left its finished sequences and no
    dataset.json; a rerun was refused and --overwrite threw hours of sequences away."""
    from evfocus_live.cli import main as cli_main
    from evfocus_live.simulate import sequence

    whole, cut = tmp_path / "whole", tmp_path / "cut"
    assert cli_main(["-q", "simulate", str(whole), *SIM_ARGS]) == 0
    assert cli_main(["-q", "simulate", str(cut), *SIM_ARGS]) == 0
    for p in (cut / "dataset.json", cut / "seq_00001.h5", cut / "seq_00001.aedat4"):
        p.unlink()  # what a run stopped during sequence 1 leaves (never a half-written file)
    (cut / "seq_00002.h5").write_bytes(b"\x89HDF\r\n\x1a\n broken")  # an unreadable one is made again
    assert cli_main(["-q", "simulate", str(cut), *SIM_ARGS]) == 2
    assert "use --resume to finish that run" in capsys.readouterr().err
    made = []
    real = sequence.simulate_to_files  # what the CLI writes each sequence with
    monkeypatch.setattr(sequence, "simulate_to_files",
                        lambda cfg, seed, *a, **k: made.append(seed) or real(cfg, seed, *a, **k))
    assert cli_main(["-q", "simulate", str(cut), *SIM_ARGS, "--resume"]) == 0
    assert made == [41, 42]
    assert sorted(p.name for p in cut.iterdir()) == sorted(p.name for p in whole.iterdir())
    for p in whole.iterdir():
        assert p.read_bytes() == (cut / p.name).read_bytes(), p.name
    m = json.loads((cut / "dataset.json").read_text())
    assert [s["seed"] for s in m["sequences"]] == [40, 41, 42]


def test_simulate_resume_refuses_sequences_of_other_options(tmp_path, capsys):
    from evfocus_live.cli import main as cli_main

    out = tmp_path / "o"
    assert cli_main(["-q", "simulate", str(out), *SIM_ARGS]) == 0
    assert cli_main(["-q", "simulate", str(out), *SIM_ARGS, "--resume", "--sigma-range", "4", "4"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "seq_00000.h5: made with another config or seed than this run" in err[0], err
    assert cli_main(["-q", "simulate", str(out), *SIM_ARGS, "--resume", "--overwrite"]) == 2
