"""Plugins: the two example packages (installed editable), discovery, contracts, and a
broken entry point that must be reported and skipped, never crash the viewer."""

from __future__ import annotations

import time
from importlib.metadata import EntryPoint

import numpy as np
import pytest

import evfocus_live.plugins as plugins_mod
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.plugins import MODELS, POSTPROCESSORS, SOURCES, Registry
from plugin_support import _with_extra, tiny_factory

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ---------------------------------------------------------------------- discovery
def test_example_plugins_are_discovered():
    from evfocus_plugin_median import MedianFilter
    from evfocus_plugin_pattern import PatternSource
    assert Registry(SOURCES).load("pattern") is PatternSource
    assert Registry(POSTPROCESSORS).load("median") is MedianFilter


def test_broken_plugin_is_recorded_and_skipped(monkeypatch):
    _with_extra(monkeypatch, [EntryPoint("broken", "nonexistent_mod:Thing", POSTPROCESSORS)])
    reg = Registry(POSTPROCESSORS)
    assert "broken" in reg.names()  # listed until someone tries it
    loaded = reg.load_all()
    assert "broken" not in loaded and "median" in loaded
    assert "broken" not in reg.names()
    assert "nonexistent_mod" in reg.failures["broken"]
    with pytest.raises(KeyError):
        reg.load("broken")


def test_uninstalled_checkout_reads_its_builtins_from_setup_cfg(monkeypatch, tmp_path):
    """Run from a checkout with PYTHONPATH only (no entry points of ours, as on a bare GPU
    machine): the built-in sources still open files, and plugins still add to them."""
    from evfocus_live import sources

    def installed_nothing(group=None, **kw):
        return [EntryPoint("pattern", "evfocus_plugin_pattern:PatternSource", SOURCES)] if group == SOURCES else []
    monkeypatch.setattr(plugins_mod, "entry_points", installed_nothing)
    monkeypatch.setattr(sources, "_registry", None)
    reg = Registry(SOURCES)
    assert {"aedat4", "evt2", "evt3", "hdf5", "npy", "text", "sim", "pattern"} <= set(reg.names())
    assert {"evfocus", "e2vid", "firenet"} <= set(Registry(MODELS).names())
    ev = np.zeros(3, EVENT_DTYPE)
    ev["t"] = [1, 2, 3]
    np.save(tmp_path / "ev.npy", ev)
    assert sources.detect_format(tmp_path / "ev.npy")[0] == "npy"


# ---------------------------------------------------------------------- pattern source
def test_pattern_source_contract():
    from evfocus_live.sources import open_source
    src = open_source("pattern")
    assert src.is_live and src.resolution == (346, 260)
    src.close()
    from evfocus_plugin_pattern import PatternSource
    a = PatternSource(width=80, height=60, realtime=False, seed=3)
    b = PatternSource(width=80, height=60, realtime=False, seed=3)
    ev = np.concatenate([a.read() for _ in range(10)])
    ev_b = np.concatenate([b.read() for _ in range(10)])
    assert ev.dtype == EVENT_DTYPE and len(ev) > 1000
    assert np.array_equal(ev, ev_b), "same seed, same stream"
    assert np.all(np.diff(ev["t"]) >= 0)
    assert ev["x"].max() < 80 and ev["y"].max() < 60
    assert 0.2 < ev["p"].mean() < 0.8  # both polarities
    assert ev["t"][0] >= 0 and ev["t"][-1] <= 100_000  # 10 reads x 10 ms
    a.close()
    assert a.read() is None


def test_pattern_source_realtime_follows_the_wall_clock():
    from evfocus_plugin_pattern import PatternSource
    src = PatternSource(width=64, height=48)
    t_end = time.monotonic() + 0.4
    last = 0
    while time.monotonic() < t_end:
        b = src.read()
        if len(b):
            last = int(b["t"][-1])
    assert 0.2e6 < last < 0.6e6, f"sensor clock at {last} us after 0.4 s of wall time"


def test_pattern_source_rejects_tiny_sensor():
    from evfocus_plugin_pattern import PatternSource
    with pytest.raises(ValueError):
        PatternSource(width=4, height=4)


# ---------------------------------------------------------------------- median post-processor
def test_median_removes_salt_noise_and_keeps_shape():
    from evfocus_plugin_median import MedianFilter
    rng = np.random.default_rng(0)
    frame = np.full((60, 80), 100, np.uint8)
    noisy = frame.copy()
    idx = rng.choice(frame.size, 200, replace=False)
    noisy.flat[idx] = 255
    proc = MedianFilter(ksize=3)
    assert proc.stage == "frame"
    out = proc(noisy, 0)
    assert out.dtype == np.uint8 and out.shape == frame.shape
    assert np.abs(out.astype(int) - 100).mean() < 0.2 * np.abs(noisy.astype(int) - 100).mean()
    proc.reset()
    with pytest.raises(ValueError):
        MedianFilter(ksize=4)
    with pytest.raises(ValueError):
        proc(np.zeros((4, 4, 3), np.uint8))


FRAME_POSTPROCESSORS = sorted(n for n, c in Registry(POSTPROCESSORS).load_all().items()
                              if getattr(c, "stage", "frame") == "frame")


def test_frame_postprocessors_include_the_plugin():
    assert "median" in FRAME_POSTPROCESSORS


@pytest.mark.parametrize("name", FRAME_POSTPROCESSORS)
def test_every_frame_postprocessor_maps_uint8_to_uint8(name):
    proc = Registry(POSTPROCESSORS).load(name)()
    frame = (np.arange(48 * 64) % 251).astype(np.uint8).reshape(48, 64)
    out = proc(frame, 0)
    assert out.dtype == np.uint8 and out.shape == frame.shape


def test_median_runs_inside_the_pipeline():
    from evfocus_plugin_pattern import PatternSource

    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.pipeline import Pipeline
    src = PatternSource(width=64, height=48, realtime=False)
    pipe = Pipeline(src, WindowConfig(mode="events", window_events=800), post=PostConfig(steps=("median",)),
                    model_obj=tiny_factory("tiny", "cpu"))
    frames = []
    for fr in pipe.frames():
        frames.append(fr)
        if len(frames) == 2:
            break
    assert type(pipe.frame_filters[0]).__name__ == "MedianFilter"
    assert frames[-1].image.shape == (48, 64)


# ---------------------------------------------------------------------- in the viewer
def test_plugins_appear_in_the_viewer_and_failures_are_reported(qtbot, monkeypatch, tmp_path):
    from evfocus_plugin_pattern import PatternSource

    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.gui.window import MainWindow, ViewerOptions
    _with_extra(monkeypatch, [
        EntryPoint("broken_src", "nonexistent_mod:Thing", SOURCES),
        EntryPoint("broken_post", "nonexistent_mod:Other", POSTPROCESSORS),
        EntryPoint("tinynet", "test_plugins:tiny_factory", MODELS),
    ])
    win = MainWindow(ViewerOptions(source=PatternSource(width=64, height=48), model_obj=tiny_factory("tiny", "cpu"), post=PostConfig(steps=()),
                                   window=WindowConfig(mode="events", window_events=800),
                                   snapshot_dir=tmp_path))
    qtbot.addWidget(win)
    win.show()
    # sources in the source box and menu, post-processors as checkboxes, models in the model box
    sources = [win.source_combo.itemText(i) for i in range(win.source_combo.count())]
    assert "pattern" in sources and "broken_src" not in sources
    assert "pattern" in [a.text() for a in win.source_menu.actions()]
    assert "median" in win.post_checks and "broken_post" not in win.post_checks
    models = [win.model_combo.itemText(i) for i in range(win.model_combo.count())]
    assert "tinynet" in models
    # failures: in the status bar and in the Plugins dialog
    assert any("broken_src" in m and "broken_post" in m for m in win.status_log), win.status_log
    dlg = win.show_plugins_dialog()
    from PySide6 import QtWidgets
    text = dlg.findChild(QtWidgets.QPlainTextEdit).toPlainText()
    assert "broken_src" in text and "FAILED" in text and "nonexistent_mod" in text
    assert "median" in text and "pattern" in text
    dlg.close()
    # the viewer is still alive and a plugin model works
    qtbot.waitUntil(lambda: win.frames_painted >= 1, timeout=30_000)
    win.set_model("tinynet")
    assert any(m.startswith("model: tinynet") for m in win.status_log), win.status_log
    n = win.frames_painted
    qtbot.waitUntil(lambda: win.frames_painted > n, timeout=30_000)
    # the pattern source picked from the box opens at its default size
    win.open_source("pattern")
    assert win.session.source.format == "pattern" and win.session.source.width == 346
    win.close()


def test_list_plugins_prints_groups_names_and_failures(monkeypatch, capsys):
    from evfocus_live.gui.app import main
    _with_extra(monkeypatch, [EntryPoint("broken", "nonexistent_mod:Thing", POSTPROCESSORS)])
    assert main(["--list-plugins"]) == 0
    out = capsys.readouterr().out
    for group in (SOURCES, MODELS, POSTPROCESSORS):
        assert f"{group}:" in out
    assert "pattern" in out and "median" in out
    line = [ln for ln in out.splitlines() if "broken" in ln][0]
    assert "FAILED" in line and "nonexistent_mod" in line


# ---------------------------------------------------------------------- broken plugins
class CtorRaises:
    """A post-processor whose constructor fails (a missing licence, a device...)."""
    stage = "frame"

    def __init__(self):
        raise RuntimeError("needs a licence key")


class NoReset:
    stage = "frame"

    def __call__(self, frame, t_us=None):
        return frame


class CallRaises:
    stage = "frame"

    def __call__(self, frame, t_us=None):
        raise ValueError("bad frame\nsecond line")

    def reset(self):
        pass


class WrongShape:
    stage = "frame"

    def __call__(self, frame, t_us=None):
        return np.zeros((3, 3), np.float64)

    def reset(self):
        pass


class EventsRaise:
    stage = "events"

    def __call__(self, events):
        raise ValueError("bad events")

    def reset(self):
        pass


class EventsNotEvents:
    stage = "events"

    def __call__(self, events):
        return [1, 2, 3]

    def reset(self):
        pass


class PlainModel:
    """A model that is not an nn.Module but has the pipeline's contract."""

    def reset_states(self):
        pass

    def __call__(self, vox):
        import torch
        return {"image": torch.sigmoid(vox[:, :1].float())}


def plain_factory(name: str, device: str):
    return PlainModel()


def none_factory(name: str, device: str):
    return None


def object_factory(name: str, device: str):
    return object()


BROKEN_POST = [EntryPoint(n, f"test_plugins:{c}", POSTPROCESSORS) for n, c in
               (("ctor_raises", "CtorRaises"), ("no_reset", "NoReset"), ("call_raises", "CallRaises"),
                ("wrong_shape", "WrongShape"), ("events_raise", "EventsRaise"),
                ("events_not_events", "EventsNotEvents"))]
TEST_MODELS = [EntryPoint(n, f"test_plugins:{f}", MODELS) for n, f in
               (("tinynet", "tiny_factory"), ("plainnet", "plain_factory"), ("nonenet", "none_factory"),
                ("objnet", "object_factory"))]


@pytest.fixture
def npy_recording(tmp_path):
    from conftest import make_events
    path = tmp_path / "rec.npy"
    np.save(path, make_events(20_000, width=64, height=48, duration_us=200_000))
    return path


@pytest.mark.parametrize("name, why", [("ctor_raises", "RuntimeError: needs a licence key"),
                                       ("no_reset", "lacks reset()")])
def test_broken_postprocessor_is_refused_when_built(monkeypatch, name, why):
    """A constructor that raises anything, or an object without reset(), is refused by
    build_postprocessors with one line naming it, not left to fail in the pipeline."""
    from evfocus_live.core.postprocess import build_postprocessors
    from evfocus_live.errors import ConfigError
    _with_extra(monkeypatch, BROKEN_POST)
    with pytest.raises(ConfigError) as ei:
        build_postprocessors([name])
    msg = str(ei.value)
    assert f"'{name}'" in msg and why in msg and "\n" not in msg


@pytest.mark.parametrize("name, why", [("events_raise", "failed: ValueError: bad events"),
                                       ("events_not_events", "returned a list, not events"),
                                       ("call_raises", "failed: ValueError: bad frame"),
                                       ("wrong_shape", "returned a float64 array of shape 3x3, not a uint8 48x64")])
def test_filter_fault_is_an_error_naming_it(monkeypatch, name, why):
    """Synchronous mode: an event or frame filter that raises or returns no events / no frame
    raises a one-line ConfigError naming it, instead of a traceback or a 3x3 'frame'."""
    from evfocus_plugin_pattern import PatternSource

    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.errors import ConfigError
    from evfocus_live.pipeline import Pipeline
    _with_extra(monkeypatch, BROKEN_POST)
    pipe = Pipeline(PatternSource(width=64, height=48, realtime=False), WindowConfig(mode="events", window_events=800),
                    post=PostConfig(steps=(name,)), model_obj=tiny_factory("tiny", "cpu"))
    with pytest.raises(ConfigError) as ei:
        next(pipe.frames())
    assert str(ei.value).startswith(f"post-processor '{name}' ") and why in str(ei.value)
    assert "\n" not in str(ei.value)


def test_frame_filter_fault_in_threaded_mode_is_one_status_line(monkeypatch, caplog):
    """Threaded mode: the worker ends with the one-line error as its status (what the GUI
    shows and headless exits 2 on), and nothing logs a traceback."""
    from evfocus_plugin_pattern import PatternSource

    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.pipeline import Pipeline
    _with_extra(monkeypatch, BROKEN_POST)
    pipe = Pipeline(PatternSource(width=64, height=48, realtime=False), WindowConfig(mode="events", window_events=800),
                    post=PostConfig(steps=("call_raises",)), model_obj=tiny_factory("tiny", "cpu"), speed=0)
    pipe.start()
    deadline = time.monotonic() + 30
    while not pipe.drained and time.monotonic() < deadline:
        time.sleep(0.02)
    status = pipe.stats.status
    pipe.close()
    assert status == "worker error: post-processor 'call_raises' failed: ValueError: bad frame", status
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


@pytest.mark.parametrize("name", [ep.name for ep in BROKEN_POST])
def test_broken_postprocessor_ends_cli_runs_with_one_line(monkeypatch, capsys, caplog, npy_recording, tmp_path, name):
    """``evfocus reconstruct`` and headless ``evfocus-live``: exit 2, one line naming the
    plugin, no traceback, no garbage frames."""
    from evfocus_live.cli import main as cli_main
    from evfocus_live.gui.app import main as live_main
    _with_extra(monkeypatch, BROKEN_POST + TEST_MODELS)
    out = tmp_path / "out"
    rc = cli_main(["reconstruct", str(npy_recording), "-o", str(out), "--post", name, "--model", "tinynet",
                   "--device", "cpu", "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and f"error: post-processor '{name}'" in err and "Traceback" not in err, err
    assert not list(out.rglob("*.png"))
    rc = live_main(["--headless", str(npy_recording), "--post", name, "--model", "tinynet", "--device", "cpu",
                    "--speed", "0", "--exit-after", "20"])
    err = capsys.readouterr().err
    lines = [ln for ln in (err + "\n" + caplog.text).splitlines() if f"'{name}'" in ln]
    assert rc == 2 and lines, (err, caplog.text)
    assert "Traceback" not in err + caplog.text
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("name, what", [("nonenet", "returned None"), ("objnet", "returned an object")])
def test_model_plugin_returning_no_model_is_a_checkpoint_error(monkeypatch, name, what):
    from evfocus_live.errors import CheckpointError
    from evfocus_live.nn.registry import load_model
    _with_extra(monkeypatch, TEST_MODELS)
    with pytest.raises(CheckpointError) as ei:
        load_model(name, "cpu")
    assert str(ei.value).startswith(f"model plugin '{name}' {what}, not a model") and "\n" not in str(ei.value)


def test_model_plugin_with_the_contract_but_no_module_runs(monkeypatch, npy_recording, tmp_path, capsys):
    """The Pipeline accepts any object with reset_states() and __call__: so does load_model
    (no .eval() on it), and reconstruct writes its frames."""
    from evfocus_live.cli import main as cli_main
    from evfocus_live.nn.registry import load_model
    _with_extra(monkeypatch, TEST_MODELS)
    assert isinstance(load_model("plainnet", "cpu"), PlainModel)
    out = tmp_path / "out"
    rc = cli_main(["reconstruct", str(npy_recording), "-o", str(out), "--model", "plainnet", "--device", "cpu",
                   "--no-progress", "--window-events", "5000"])
    assert rc == 0, capsys.readouterr().err
    assert len(list(out.rglob("*.png"))) >= 3


def test_plugin_calling_sys_exit_at_import_is_reported_and_skipped(monkeypatch, tmp_path, capsys):
    """README: a plugin that fails to import is reported and skipped -- sys.exit() included."""
    from evfocus_live.gui.app import main
    (tmp_path / "exiting_plugin.py").write_text("import sys\nsys.exit('no licence')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _with_extra(monkeypatch, [EntryPoint("mycam", "exiting_plugin:Cam", SOURCES)])
    reg = Registry(SOURCES)
    assert "mycam" not in reg.load_all() and "pattern" in reg.load_all()
    assert reg.failures["mycam"].startswith("SystemExit") and "no licence" in reg.failures["mycam"]
    with pytest.raises(KeyError):
        reg.load("mycam")
    assert main(["--list-plugins"]) == 0
    line = [ln for ln in capsys.readouterr().out.splitlines() if "mycam" in ln][0]
    assert "FAILED" in line and "no licence" in line
