"""Session 19, three small gaps: ``--device cuda:N`` in the viewer and ``evfocus reconstruct``
(and everything downstream placing on that GPU), the Metavision camera released on a failed
open, and every earlier generation of a fresh training run's logs kept."""

from __future__ import annotations

import csv
import logging
import sys
import types

import numpy as np
import pytest
import torch
from conftest import make_events
from gui_support import make_window, pattern, wait_frames  # noqa: F401 (shared viewer helpers)
from train_support import tiny_cfg, tiny_data  # noqa: F401 (the shared training data fixture)

from evfocus_live.config import ModelConfig, PostConfig, WindowConfig
from evfocus_live.errors import ConfigError, DeviceError

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def two_gpus(monkeypatch):
    """A machine with two CUDA devices, as far as the device checks can tell."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)


def _reconstruct_args(*argv):
    import argparse

    from evfocus_live.cli import reconstruct

    sub = argparse.ArgumentParser().add_subparsers()
    return reconstruct.add_parser(sub).parse_args(["in.npy", "-o", "out", *argv])


# ---------------------------------------------------------------------- 1. --device cuda:N
@pytest.mark.parametrize("given,parsed", [("cuda:1", "cuda:1"), ("CUDA:01", "cuda:1"), (" cuda ", "cuda"),
                                          ("cpu", "cpu"), ("auto", "auto")])
def test_device_option_takes_a_gpu_number_in_the_viewer_and_reconstruct(given, parsed):
    """``--device`` was limited to auto/cpu/cuda in evfocus-live and evfocus reconstruct, so a
    lab with two GPUs could not put the viewer on the second one."""
    from evfocus_live.cli.reconstruct import _options
    from evfocus_live.gui.app import _configs, build_parser

    _, _, model, _ = _configs(build_parser().parse_args(["--device", given]))
    assert model == ModelConfig(name="evfocus", device=parsed)
    assert _options(_reconstruct_args("--device", given))["device"] == parsed


@pytest.mark.parametrize("bad", ["gpu", "cuda:", "cuda:-1", "cuda:1.5", "cuda1", "mps", ""])
def test_device_nonsense_is_one_line(bad):
    from evfocus_live.cli.options import check_device

    with pytest.raises(ConfigError, match=r"^--device .*: not a device \(auto, cpu, cuda, or cuda:N for GPU N from 0\)$"):
        check_device("--device", bad)


def test_device_nonsense_exits_2_with_one_line(tmp_path, capsys):
    from evfocus_live.cli import main as cli_main
    from evfocus_live.gui.app import main as live_main

    assert live_main(["--headless", "--device", "gpu:1", "--exit-after", "5"]) == 2
    assert cli_main(["reconstruct", str(tmp_path / "x.npy"), "-o", str(tmp_path / "out"), "--device", "gpu:1",
                     "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all("--device 'gpu:1': not a device" in ln for ln in err), err
    assert not (tmp_path / "out").exists()


def test_a_gpu_number_past_the_machines_gpus_exits_2_with_one_line(tmp_path, capsys, caplog, two_gpus):
    """``cuda:7`` on a machine with two GPUs: resolve_device's one line, exit 2, nothing written."""
    from evfocus_live.cli import main as cli_main
    from evfocus_live.gui.app import main as live_main

    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(2000, 64, 48, seed=3))
    out = tmp_path / "out"
    assert cli_main(["reconstruct", str(rec), "-o", str(out), "--device", "cuda:7", "--no-progress"]) == 2
    assert live_main(["--headless", str(rec), "--device", "cuda:7", "--exit-after", "5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2, err
    assert all("device 'cuda:7' requested but this machine has 2 CUDA device(s) (cuda:0 .. cuda:1)" in ln
               for ln in err), err
    assert not out.exists()


class _Recorder(torch.nn.Module):
    """A model that records where it is put (``to``) without moving (no GPU here)."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(1))
        self.placed: list[torch.device] = []

    def to(self, *args, **kw):
        self.placed.append(torch.device(args[0]) if args else kw.get("device"))
        return self

    def reset_states(self):
        pass

    def forward(self, voxel):
        return {"image": torch.sigmoid(voxel.float().mean(1, keepdim=True))}


def test_the_pipeline_places_voxels_model_and_sync_on_the_gpu_asked_for(tmp_path, monkeypatch, two_gpus):
    """cuda:1 runs as cuda does (fp16 by default) but on GPU 1: the voxel grid is built there,
    the model moved there, and the per-frame synchronize waits on that GPU (a bare one waited
    on GPU 0 and opened a context there)."""
    from evfocus_live import pipeline as pipeline_mod

    built_on, synced = [], []
    real_voxel_grid = pipeline_mod.voxel_grid

    def voxel_grid(*args, device="cpu", **kw):
        built_on.append(device)
        return real_voxel_grid(*args, device="cpu", **kw)  # (built on the CPU: no GPU here)

    monkeypatch.setattr(pipeline_mod, "voxel_grid", voxel_grid)
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: synced.append(device))
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(3000, 64, 48, seed=4))
    model = _Recorder()
    pipe = pipeline_mod.Pipeline(str(rec), WindowConfig(mode="events", window_events=1000),
                                 ModelConfig(name="rec", device="cuda:1"), PostConfig(steps=()), model_obj=model,
                                 reconnect=False)
    try:
        frames = list(pipe.frames())
    finally:
        pipe.close()
    gpu1 = torch.device("cuda", 1)
    assert len(frames) == 3
    assert pipe.device == gpu1 and pipe.stats.device == "cuda:1" and pipe.half  # auto fp16 on any GPU
    assert model.placed == [gpu1]
    assert built_on[1:] == [gpu1] * 3  # (the first: the kernel's warm-up on the CPU)
    assert synced == [gpu1] * 3


@pytest.mark.gui
def test_the_viewers_device_box_lists_each_gpu_and_shows_what_runs(qtbot, tmp_path, tiny_model, two_gpus):
    """With two GPUs the box offers cuda:0 and cuda:1; a switch that cannot happen (here: torch
    without CUDA) leaves it showing the device that runs."""
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, model=ModelConfig(device="cpu"))
    box = win.device_combo
    assert [box.itemText(i) for i in range(box.count())] == ["auto", "cpu", "cuda", "cuda:0", "cuda:1"]
    assert box.currentText() == "cpu"
    wait_frames(qtbot, win)
    win.set_model(win.model_combo.currentText(), "cuda:1")
    assert any("keeping the current model" in m for m in win.status_log), win.status_log
    assert box.currentText() == "cpu" and win.session.pipeline.device.type == "cpu"
    wait_frames(qtbot, win)
    win.close()


@pytest.mark.gui
def test_the_device_box_shows_a_device_asked_for_that_it_does_not_list(qtbot, tmp_path, tiny_model, monkeypatch):
    """``--device cuda:3`` (no such GPU): the box named 'auto' until a source ran, as a
    non-editable box ignores a text it does not hold; now it lists and shows the one asked for."""
    from evfocus_live.gui import window as wmod

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(wmod.MainWindow, "open_source", lambda self, *a, **k: False)  # no source starts
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, model=ModelConfig(device="cuda:3"))
    box = win.device_combo
    assert [box.itemText(i) for i in range(box.count())] == ["auto", "cpu", "cuda", "cuda:3"]
    assert win.session is None and box.currentText() == "cuda:3"
    win.close()


# ---------------------------------------------------------------------- 2. Metavision released
def _fake_metavision(monkeypatch, size):
    """``metavision_core.event_io`` with an OpenEB-like EventsIterator: its ``reader`` is a
    context manager whose exit releases the camera (counted in ``released``); ``size`` is what
    get_size() gives, or an exception it raises."""
    from evfocus_live.sources import prophesee_camera

    released = []

    class Reader:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            released.append(exc)

    ev = np.zeros(5, dtype=[("x", "<u2"), ("y", "<u2"), ("p", "<i2"), ("t", "<i8")])

    class EventsIterator:
        def __init__(self, input_path, **kw):
            self.reader = Reader()

        def get_size(self):
            if isinstance(size, Exception):
                raise size
            return size

        def __iter__(self):
            with self.reader:
                yield ev

    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "metavision")
    monkeypatch.setitem(sys.modules, "metavision_core", types.SimpleNamespace())
    monkeypatch.setitem(sys.modules, "metavision_core.event_io", types.SimpleNamespace(EventsIterator=EventsIterator))
    return prophesee_camera, released


@pytest.mark.parametrize("size,message", [
    (RuntimeError("No I_Geometry facility\nat hal/device.cpp:12"), r"\(RuntimeError: No I_Geometry facility\)$"),
    ((None, None), r"\(ValueError: it reports None x None pixels\)$"),  # was a bare TypeError traceback
])
def test_metavision_size_failure_releases_the_camera_and_is_one_line(monkeypatch, size, message):
    """get_size() failing after EventsIterator opened the camera dropped the iterator without
    releasing it: the DeviceError's traceback kept it, and the next open found the camera busy."""
    mod, released = _fake_metavision(monkeypatch, size)
    with pytest.raises(DeviceError, match=r"^cannot read the sensor size of the Prophesee camera via "
                                          r"Metavision " + message) as ei:
        mod.PropheseeCameraSource()
    assert "\n" not in str(ei.value)
    assert len(released) == 1


def test_metavision_reader_thread_failure_releases_the_camera(monkeypatch):
    from camera_support import threads_cannot_start

    mod, released = _fake_metavision(monkeypatch, (480, 640))
    threads_cannot_start(monkeypatch, mod)
    with pytest.raises(DeviceError, match=r"^cannot start the camera reader thread"):
        mod.PropheseeCameraSource()
    assert len(released) == 1


def test_metavision_close_releases_the_camera(monkeypatch):
    """(A guard: the explicit release beside the generator's own must not break a plain close.)"""
    mod, released = _fake_metavision(monkeypatch, (480, 640))
    cam = mod.PropheseeCameraSource(poll_timeout_s=0.5)
    assert (cam.width, cam.height) == (640, 480) and len(cam.read()) == 5
    cam.close()
    cam.close()  # safe twice
    assert released and not cam._thread.is_alive() and cam.read() is None


# ---------------------------------------------------------------------- 3. every earlier run kept
def _steps(path) -> list[int]:
    with open(path) as f:
        return [int(r["step"]) for r in csv.DictReader(f)]


def test_every_earlier_fresh_run_is_kept(tiny_data, tmp_path, caplog):  # noqa: F811 (fixture)
    """A second fresh run in a used folder wrote its predecessor's logs and checkpoints over
    the first one's *.prev.*: now .prev is the newest earlier run, .prev2 the one before."""
    from evfocus_live.nn.registry import load_model
    from evfocus_live.train.trainer import train

    out = tmp_path / "run"
    train(tiny_cfg(tiny_data, out, steps=3), progress=False)
    train(tiny_cfg(tiny_data, out, steps=2), progress=False)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="evfocus_live.train.trainer"):
        train(tiny_cfg(tiny_data, out, steps=1), progress=False)
    assert _steps(out / "log.csv") == [1]
    assert _steps(out / "log.prev.csv") == [1, 2]
    assert _steps(out / "log.prev2.csv") == [1, 2, 3]
    for name, step in (("final.prev.pt", 2), ("final.prev2.pt", 3), ("last.prev.pt", 2), ("last.prev2.pt", 3)):
        assert load_model(str(out / name)).meta["step"] == step, name
    for name in ("log.prev.json", "log.prev2.json", "loss.prev.png", "loss.prev2.png"):
        assert (out / name).is_file(), name
    assert not list(out.glob("*.prev3.*"))
    said = [r.getMessage() for r in caplog.records]
    assert "moved the earlier run's log.csv aside to log.prev.csv (the older one now log.prev2.csv)" in said
    warned = [r for r in caplog.records if "last.pt: starting afresh" in r.getMessage()]
    assert len(warned) == 1 and warned[0].levelno == logging.WARNING
    assert warned[0].getMessage().endswith("it is kept as last.prev.pt (the older one now last.prev2.pt)")


def test_moving_aside_fills_the_first_gap_and_overwrites_nothing(tmp_path):
    from evfocus_live.train.trainer import _move_aside

    for name, text in (("log.csv", "new"), ("log.prev.csv", "gen1"), ("log.prev3.csv", "gen3")):
        (tmp_path / name).write_text(text)
    assert _move_aside(tmp_path, "log.csv") == ("log.prev.csv", 1)
    got = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert got == {"log.prev.csv": "new", "log.prev2.csv": "gen1", "log.prev3.csv": "gen3"}
    (tmp_path / "log.csv").write_text("newer")
    assert _move_aside(tmp_path, "log.csv") == ("log.prev.csv", 3)
    got = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert got == {"log.prev.csv": "newer", "log.prev2.csv": "new", "log.prev3.csv": "gen1", "log.prev4.csv": "gen3"}
