"""The plugin story as a plugin author meets it: names the registry refuses, a package
installed twice, the contract checks on what a source or model returns, the model example
plugin, the README's author guide; and the faults a plugin caused in the pipeline, the CLI
and the source/model lookup. Nothing is installed: entry points are faked
(``plugin_support._with_extra``) or come from dist-info folders in ``tmp_path`` on sys.path."""

from __future__ import annotations

import logging
import re
import threading
from importlib.metadata import EntryPoint
from pathlib import Path

import numpy as np
import pytest
import torch

import evfocus_live.plugins as plugins_mod
from conftest import make_events
from evfocus_live.errors import CheckpointError, EvFocusError, InputError
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.plugins import MODELS, POSTPROCESSORS, SOURCES, Registry, check_events, check_model_output
from evfocus_live.sources.base import EventSource
from plugin_support import _with_extra, fresh_sources, tiny_factory  # noqa: F401 (a fixture)

REPO = Path(__file__).resolve().parents[2]
INTEGRATOR = REPO / "plugins" / "evfocus-plugin-integrator"

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ---------------------------------------------------------------------- plugins a test registers
class LiveSource(EventSource):
    """A well-behaved 64x48 camera; subclasses break one rule each."""
    format = "testcam"
    is_live = True
    width, height = 64, 48

    def __init__(self):
        self._t_us = 0

    def events(self) -> np.ndarray:
        ev = make_events(2000, width=64, height=48, t0_us=self._t_us, duration_us=20_000)
        self._t_us = int(ev["t"][-1]) + 1
        return ev

    def read(self):
        if self._t_us > 400_000:
            return None
        return self.events()


class FloatRowsSource(LiveSource):
    """Returns an N x 4 float array (t, x, y, p) instead of EVENT_DTYPE events."""
    def read(self):
        ev = self.events()
        return np.stack([ev["t"], ev["x"], ev["y"], ev["p"]], 1).astype(np.float64)


class FloatRowsFile(FloatRowsSource):
    """The same as a file format (magic b'FRW1', extension .frw)."""
    is_live = False
    extensions = (".frw",)

    @classmethod
    def sniff(cls, head, path):
        return head.startswith(b"FRW1")

    def __init__(self, path):
        super().__init__()


class LabCsv(EventSource):
    """A lab's own CSV (a '# labcsv' line, then t_s,x,y,pol rows): claims it by content."""
    format = "labcsv"
    extensions = (".csv",)
    width, height = 64, 48

    @classmethod
    def sniff(cls, head, path):
        return head.startswith(b"# labcsv")

    def __init__(self, path):
        self._done = False

    def read(self):
        if self._done:
            return None
        self._done = True
        return make_events(100, width=64, height=48)


def make_cam_factory(**kw):
    """A camera entry point that is a function, not an EventSource subclass."""
    return LiveSource()


class FnModel:
    """A plain-object model whose output is ``fn(voxel)``."""
    def __init__(self, fn):
        self.fn = fn

    def reset_states(self):
        pass

    def __call__(self, voxel):
        return self.fn(voxel)


def model_factory(fn):
    return lambda name, device: FnModel(fn)


BAD_MODELS = {
    "no_image": lambda v: {"img": torch.sigmoid(v[:, :1])},
    "half_size": lambda v: {"image": torch.sigmoid(v[:, :1, ::2, ::2])},
    "two_d": lambda v: {"image": torch.sigmoid(v[0, 0])},
    "numpy": lambda v: {"image": torch.sigmoid(v[:, :1]).numpy()},
    "scale_255": lambda v: {"image": 128 + 127 * torch.tanh(v[:, :1])},
}
nan_factory = model_factory(lambda v: {"image": v[:, :1] * float("nan")})
plain_factory = model_factory(lambda v: {"image": torch.sigmoid(v[:, :1].sum(1, keepdim=True))})


def reset_raises_factory(name, device):
    m = FnModel(lambda v: {"image": torch.sigmoid(v[:, :1])})

    def boom():
        raise RuntimeError("reset failed")
    m.reset_states = boom
    return m


@pytest.fixture
def npy_rec(tmp_path):
    path = tmp_path / "rec.npy"
    np.save(path, make_events(20_000, width=64, height=48, duration_us=200_000))
    return path


def _pipeline(source, model_obj):
    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.pipeline import Pipeline
    return Pipeline(source, WindowConfig(mode="events", window_events=800), post=PostConfig(steps=()),
                    model_obj=model_obj)


def _one_line(exc: BaseException, *words: str) -> None:
    msg = str(exc)
    assert "\n" not in msg and all(w in msg for w in words), msg


# ---------------------------------------------------------------------- names the registry refuses
@pytest.mark.parametrize("group, name, why", [
    (SOURCES, "auto", "reserved name"),
    (POSTPROCESSORS, "none", "reserved name"),
    (POSTPROCESSORS, "median,sharp", "comma"),
    (MODELS, "mynet.pt", "checkpoint file"),
    (MODELS, "lab/net", "checkpoint file"),
])
def test_a_name_the_commands_read_otherwise_is_ignored_and_said(monkeypatch, group, name, why):
    """`--camera auto`, `--post none`, `--post a,b` and `--model x.pt` never reach a plugin of
    that name: it was listed as if usable and silently never ran."""
    _with_extra(monkeypatch, [EntryPoint(name, "lab_plugin:Thing", group)])
    reg = Registry(group)
    assert name not in reg.names()
    (key,) = [k for k in reg.ignored if k.startswith(f"{name} (")]
    assert why in reg.ignored[key]


# ---------------------------------------------------------------------- a package installed twice
def _dist(root: Path, version: str, value: str, name: str = "evfocus-labgamma") -> Path:
    """A dist-info folder as pip --target leaves it (no code needed: entry points are lazy)."""
    d = root / f"{name.replace('-', '_')}-{version}.dist-info"
    d.mkdir(parents=True)
    (d / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (d / "entry_points.txt").write_text(f"[evfocus_live.postprocessors]\nlabgamma = {value}\n")
    return root


def test_a_plugin_installed_twice_is_listed_with_both_versions(monkeypatch, tmp_path, caplog, capsys):
    """An old version in one folder and a new one in another on sys.path: Python's
    entry_points() silently keeps the first; the registry says which one runs and why."""
    from evfocus_live.gui.app import main
    caplog.set_level(logging.WARNING, logger="evfocus_live.plugins")  # (--list-plugins raises it in-process)
    old = _dist(tmp_path / "old", "0.1.0", "labgamma:Gamma")
    new = _dist(tmp_path / "new", "0.2.0", "labgamma:GammaV2")
    monkeypatch.syspath_prepend(str(new))
    monkeypatch.syspath_prepend(str(old))  # first on sys.path: this one is used
    reg = Registry(POSTPROCESSORS)
    assert reg.entry_point("labgamma").value == "labgamma:Gamma"
    (key,) = [k for k in reg.ignored if k.startswith("labgamma (")]
    why = reg.ignored[key]
    assert "0.2.0" in key and "installed twice" in why and str(new) in why and str(old) in why, why
    assert any("installed twice" in r.getMessage() for r in caplog.records)
    assert main(["--list-plugins"]) == 0
    line = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith("labgamma (")][0]
    assert "IGNORED" in line and "0.1.0" in line and "0.2.0" in line


def test_the_same_copy_seen_twice_is_not_reported(monkeypatch, tmp_path):
    """A checkout's stale .egg-info beside the install (same version, same entry points) is
    one package, not two: no warning on every run from the repository root."""
    a = _dist(tmp_path / "a", "0.1.0", "labgamma:Gamma")
    b = _dist(tmp_path / "b", "0.1.0", "labgamma:Gamma")
    monkeypatch.syspath_prepend(str(b))
    monkeypatch.syspath_prepend(str(a))
    reg = Registry(POSTPROCESSORS)
    assert "labgamma" in reg.names() and not [k for k in reg.ignored if k.startswith("labgamma")]


# ---------------------------------------------------------------------- contract checks
def test_check_events_passes_events_and_converts_same_named_fields():
    ev = make_events(10, width=64, height=48)
    assert check_events(ev, "cam") is ev and check_events(None, "cam") is None
    narrow = np.zeros(3, [("t", "<i4"), ("x", "<i2"), ("y", "<i2"), ("p", "?")])
    narrow["t"], narrow["x"], narrow["p"] = [1, 2, 3], [5, 6, 7], [True, False, True]
    out = check_events(narrow, "cam")
    assert out.dtype == EVENT_DTYPE and out["t"].tolist() == [1, 2, 3] and out["p"].tolist() == [1, 0, 1]


@pytest.mark.parametrize("batch, what", [
    (np.zeros((5, 4)), "a float64 array of shape 5x4"),
    ([(1, 2, 3, 1)], "a list"),
    (np.zeros(3, [("ts", "<f8"), ("x", "<u2"), ("y", "<u2"), ("pol", "i1")]), "fields ts float64"),
    (np.zeros(3, [("t", "<f8"), ("x", "<u2"), ("y", "<u2"), ("p", "u1")]), "fields t float64"),
    (np.zeros((2, 3), EVENT_DTYPE), "array of shape 2x3"),
])
def test_check_events_names_the_source_and_what_it_returned(batch, what):
    with pytest.raises(InputError) as ei:
        check_events(batch, "labcam")
    _one_line(ei.value, "source 'labcam' returned", what, "EVENT_DTYPE")


def test_check_model_output_accepts_the_contract_and_nan():
    img = torch.rand(1, 1, 48, 64)
    assert check_model_output({"image": img, "sigma": None}, "m", 64, 48) is img
    assert check_model_output(img, "m", 64, 48) is img  # a bare tensor, as the pipeline always took
    check_model_output({"image": torch.full((1, 1, 48, 64), float("nan"))}, "m", 64, 48)  # the pipeline drops it


@pytest.mark.parametrize("kind, what", [
    ("no_image", "without 'image' (keys: img)"),
    ("half_size", "shape 1x1x24x32, not 1x1x48x64"),
    ("two_d", "shape 48x64, not 1x1x48x64"),
    ("numpy", "image as a float32 array of shape 1x1x48x64, not a torch tensor"),
    ("scale_255", "not 0..1"),
])
def test_check_model_output_names_the_model_and_the_fault(kind, what):
    out = BAD_MODELS[kind](torch.rand(1, 5, 48, 64))
    with pytest.raises(CheckpointError) as ei:
        check_model_output(out, "labnet", 64, 48)
    _one_line(ei.value, "model 'labnet' returned", what)
    with pytest.raises(CheckpointError, match="uint8 image"):
        check_model_output({"image": torch.zeros(1, 1, 48, 64, dtype=torch.uint8)}, "labnet", 64, 48)


# ---------------------------------------------------------------------- the model example plugin
@pytest.fixture
def integrator(monkeypatch):
    monkeypatch.syspath_prepend(str(INTEGRATOR))
    _with_extra(monkeypatch, [EntryPoint("integrator", "evfocus_plugin_integrator:make_model", MODELS)])


def test_integrator_example_keeps_the_model_contract(integrator):
    from evfocus_live.nn.registry import load_model, model_num_bins
    model = load_model("integrator", "cpu")
    bins = model_num_bins(model)
    vox = torch.randn(1, bins, 48, 64)
    model.reset_states()
    a = [model(vox)["image"] for _ in range(3)]
    model.reset_states()
    b = model(vox)["image"]
    assert check_model_output({"image": a[0]}, "integrator", 64, 48) is a[0]
    assert torch.equal(a[0], b), "reset_states() forgets the state"
    assert not torch.equal(a[0], a[2]), "it integrates over windows"
    assert 0 <= float(a[2].min()) and float(a[2].max()) <= 1


def test_integrator_example_runs_in_reconstruct_and_the_viewer(integrator, npy_rec, tmp_path, capsys):
    from evfocus_live.cli import main as cli_main
    from evfocus_live.gui.app import main as live_main
    out = tmp_path / "out"
    rc = cli_main(["reconstruct", str(npy_rec), "-o", str(out), "--model", "integrator", "--device", "cpu",
                   "--no-progress", "--window-events", "4000"])
    assert rc == 0, capsys.readouterr().err
    assert len(list(out.glob("frame_*.png"))) >= 4
    rc = live_main(["--headless", str(npy_rec), "--model", "integrator", "--device", "cpu", "--speed", "0",
                    "--exit-after", "20"])
    assert rc == 0, capsys.readouterr().err


def test_every_example_is_in_readme_and_ci():
    """README's author guide names each example (one per group) and CI installs each."""
    section = re.search(r"^## Plugins\n(.*?)^## ", (REPO / "README.md").read_text(encoding="utf-8"), re.M | re.S)[1]
    ci = (REPO / ".ci" / "run").read_text()
    examples = sorted(p.name for p in (REPO / "plugins").iterdir() if (p / "setup.cfg").is_file())
    assert "evfocus-plugin-integrator" in examples
    for name in examples:
        assert f"`{name}`" in section and f"-e plugins/{name}" in ci, name
    groups = {g for p in examples for g in (SOURCES, MODELS, POSTPROCESSORS)
              if f"{g} =" in (REPO / "plugins" / p / "setup.cfg").read_text()}
    assert groups == {SOURCES, MODELS, POSTPROCESSORS}


def test_readme_tells_a_plugin_author_the_contract():
    """What an author cannot guess from the names: dtype and units, constructor calls, what
    forward returns, threads, close(), file-format detection."""
    section = re.search(r"^## Plugins\n(.*?)^## ", (REPO / "README.md").read_text(encoding="utf-8"), re.M | re.S)[1]
    text = " ".join(section.split())
    for must in ("EVENT_DTYPE", "int64 µs", "uint16", "1 = ON", "`None` at the end", "is_live = True",
                 "`cls()`", "`cls(path)`", "sniff(head, path)", "factory(name, device)", "reset_states()",
                 "`[1, bins, H, W]`", "`[1, 1, H, W]` in 0..1", "reader thread", "worker thread",
                 "`close()`", "safe to call twice", "`reset()`", 'stage = "frame"', 'stage = "events"',
                 "installed twice"):
        assert must in text, must


# ---------------------------------------------------------------------- fixes the lead applies
@pytest.mark.parametrize("kind", sorted(BAD_MODELS))
def test_a_model_breaking_the_output_contract_is_one_line(kind):
    """No 'image' was a KeyError traceback, a numpy image a TypeError traceback; a half-size
    or 2-D image was written as a smaller or 1x1 PNG (and crashed the viewer: exit 139), a
    0..255 image as a white frame."""
    pipe = _pipeline(LiveSource(), FnModel(BAD_MODELS[kind]))
    with pytest.raises(CheckpointError) as ei:
        next(pipe.frames())
    _one_line(ei.value, "model ", "returned")


def test_a_model_whose_reset_states_raises_is_one_line():
    with pytest.raises(CheckpointError) as ei:
        _pipeline(LiveSource(), reset_raises_factory("resetnet", "cpu"))
    _one_line(ei.value, "reset_states()", "reset failed")


def test_a_source_returning_no_events_is_one_line():
    """A float N x 4 array was a TypeError traceback out of evfocus reconstruct."""
    pipe = _pipeline(FloatRowsSource(), tiny_factory("tiny", "cpu"))
    with pytest.raises(InputError) as ei:
        next(pipe.frames())
    _one_line(ei.value, "float64 array", "not events")


def test_info_on_a_file_source_returning_no_events_is_one_line(monkeypatch, fresh_sources, tmp_path):
    from evfocus_live.cli.info import describe
    _with_extra(monkeypatch, [EntryPoint("frw", "test_plugin_contract:FloatRowsFile", SOURCES)])
    path = tmp_path / "rec.frw"
    path.write_bytes(b"FRW1" + bytes(100))
    with pytest.raises(InputError) as ei:
        describe(str(path), progress=False)
    _one_line(ei.value, "float64 array", "not events")


def test_a_plugin_reads_its_own_csv_by_content(monkeypatch, fresh_sources, tmp_path):
    """The built-in text reader claims every text .csv/.txt by extension, before any plugin's
    sniffer is asked: a lab's CSV format could never be opened by its plugin."""
    _with_extra(monkeypatch, [EntryPoint("labcsv", "test_plugin_contract:LabCsv", SOURCES)])
    path = tmp_path / "rec.csv"
    path.write_text("# labcsv v1\n0.000001,1,2,1\n")
    assert fresh_sources.detect_format(path)[0] == "labcsv"


def test_a_folder_named_like_a_model_plugin_does_not_hide_it(monkeypatch, tmp_path):
    """The author runs from the folder holding the plugin's source, ``labnet/``: --model
    labnet said 'checkpoint not found: labnet (a folder)'."""
    from evfocus_live.nn.registry import load_model
    _with_extra(monkeypatch, [EntryPoint("labnet", "test_plugin_contract:plain_factory", MODELS)])
    (tmp_path / "labnet").mkdir()
    monkeypatch.chdir(tmp_path)
    assert isinstance(load_model("labnet", "cpu"), FnModel)


def test_a_folder_named_like_a_camera_plugin_does_not_hide_it(monkeypatch, fresh_sources, tmp_path):
    _with_extra(monkeypatch, [EntryPoint("labcam", "test_plugin_contract:LiveSource", SOURCES)])
    (tmp_path / "labcam").mkdir()
    monkeypatch.chdir(tmp_path)
    src = fresh_sources.open_source("labcam")
    assert isinstance(src, LiveSource)
    src.close()


def test_reconstruct_with_only_nan_frames_exits_2(monkeypatch, npy_rec, tmp_path, capsys):
    """Every frame NaN: one warning, '0 frames' and exit 0 -- a script saw success."""
    from evfocus_live.cli import main as cli_main
    _with_extra(monkeypatch, [EntryPoint("nannet", "test_plugin_contract:nan_factory", MODELS)])
    rc = cli_main(["reconstruct", str(npy_rec), "-o", str(tmp_path / "out"), "--model", "nannet",
                   "--device", "cpu", "--no-progress", "--window-events", "5000"])
    err = capsys.readouterr().err
    assert rc == 2 and "nannet" in err and "NaN" in err and "Traceback" not in err, err


def test_a_camera_entry_point_that_is_no_source_class_says_so(monkeypatch, fresh_sources, capsys):
    """A factory function registered as a camera was 'unknown camera', listed beside it."""
    from evfocus_live.gui.app import main
    _with_extra(monkeypatch, [EntryPoint("fncam", "test_plugin_contract:make_cam_factory", SOURCES)])
    assert main(["--headless", "--camera", "fncam", "--exit-after", "1"]) == 2
    err = capsys.readouterr().err
    assert "fncam" in err and "is_live" in err and "unknown camera" not in err, err


def test_exit_does_not_wait_minutes_for_a_hung_source_read():
    """A plugin camera whose read() never returns: every exit waited 120 s for the reader
    ('waiting for the model to finish its window'). The worker is worth waiting for (torch
    aborts under an exiting interpreter); a reader stuck in a plugin's read() is not."""
    from evfocus_live.gui.app import join_pipeline_threads
    release = threading.Event()
    reader = threading.Thread(target=release.wait, name="evfocus-reader", daemon=True)
    reader.start()
    timer = threading.Timer(5.0, release.set)  # bounds the test if the exit waits for it
    timer.start()
    try:
        join_pipeline_threads()
        assert reader.is_alive(), "the exit waited for the hung read()"
    finally:
        release.set()
        timer.cancel()
