"""Shared fixtures: the real recordings in ../shared/data and synthetic events."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import numpy as np
import pytest

from evfocus_live.events import EVENT_DTYPE

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A suite started in the background of a non-interactive shell (`cmd &`, nohup) inherits SIGINT
# ignored, and Python keeps it so: the Ctrl-C tests, and the commands they start in subprocesses,
# then saw no interrupt (4 failed and one hung, started that way). Python's own handler, as in a terminal.
signal.signal(signal.SIGINT, signal.default_int_handler)

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

DAVIS_FILE = SHARED_DATA / "davis346_pegboard_aestream.aedat4"
EVT3_FILE = SHARED_DATA / "prophesee_gen41_evk3_street_evt3.raw"
EVT2_FILE = SHARED_DATA / "prophesee_gen3_spinner_evt2.raw"

#: facts from ../shared/data/SOURCES.md
REAL_FILES = {
    "davis346": dict(path=DAVIS_FILE, format="aedat4", width=346, height=260, events=117_667,
                     t_first_us=1633953690975950, t_last_us=1633953691105949),
    "evt3": dict(path=EVT3_FILE, format="evt3", width=1280, height=720, events=219_596,
                 t_first_us=11_718_656, t_last_us=11_727_457),
    "evt2": dict(path=EVT2_FILE, format="evt2", width=640, height=480, events=539_481,
                 t_first_us=1_317_888, t_last_us=1_367_888),
}


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, monkeypatch) -> Path:
    """The viewer's settings (recent files, last folder, window geometry) in a fresh folder per
    test, so that no test reads or writes the user's own: ``EVFOCUS_SETTINGS_DIR``, which
    ``gui.settings`` honours (and subprocesses inherit). Where Qt is loaded, its per-user
    settings folders point there too (Qt's own file dialog keeps its state in them)."""
    d = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("EVFOCUS_SETTINGS_DIR", str(d))
    qtcore = sys.modules.get("PySide6.QtCore")  # (not imported here: the core tests run without Qt)
    if qtcore is not None:
        for fmt in (qtcore.QSettings.Format.IniFormat, qtcore.QSettings.Format.NativeFormat):
            qtcore.QSettings.setPath(fmt, qtcore.QSettings.Scope.UserScope, str(d / "qt"))
    return d


@pytest.fixture(scope="session")
def shared_data() -> Path:
    assert SHARED_DATA.is_dir(), f"real recordings expected in {SHARED_DATA}"
    return SHARED_DATA


def make_events(n: int = 10_000, width: int = 346, height: int = 260, t0_us: int = 0,
                duration_us: int = 100_000, seed: int = 0) -> np.ndarray:
    """Random time-sorted events inside the sensor."""
    rng = np.random.default_rng(seed)
    ev = np.empty(n, dtype=EVENT_DTYPE)
    ev["t"] = np.sort(rng.integers(t0_us, t0_us + duration_us, n))
    ev["x"] = rng.integers(0, width, n)
    ev["y"] = rng.integers(0, height, n)
    ev["p"] = rng.integers(0, 2, n)
    return ev


@pytest.fixture
def random_events() -> np.ndarray:
    return make_events()


#: a tiny EvFocus config for GUI/plugin tests (fast on 2 cores)
TINY = dict(base=4, num_encoders=2, num_residual_blocks=1, kernel=3, rec_kernel=3, num_deblur_blocks=1)


@pytest.fixture(autouse=True)
def _fresh_shared_steps():
    """Each test builds its own inference steps: ``nn.runtime`` shares them between models of
    the same weights, and a step from an earlier test would skip a builder a test patches."""
    runtime = sys.modules.get("evfocus_live.nn.runtime")
    if runtime is not None:
        runtime._STEP_CACHE.clear()
    yield


@pytest.fixture(scope="module")
def tiny_model():
    """A tiny EvFocus (``TINY``): fast enough for the viewer's and the CLI's tests."""
    import torch

    from evfocus_live.nn.registry import build_model
    with torch.random.fork_rng(devices=[]):  # (the same weights in every run: a test that looks
        torch.manual_seed(0)  # at frames, e.g. the screenshot's contrast, failed on some draws)
        return build_model("evfocus", TINY).eval()


@pytest.fixture(scope="module")
def tiny_ckpt(tmp_path_factory, tiny_model):
    from evfocus_live.nn.registry import save_checkpoint
    return save_checkpoint(tmp_path_factory.mktemp("ckpt") / "tiny.pt", tiny_model)


@pytest.fixture
def one_torch_thread():
    """Inference beside the GUI/reader threads on a 2-core box: one OpenMP thread avoids
    spin-wait starvation (the pipeline's default too); restored afterwards."""
    import torch
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
