"""Session 19, the lead's fixes around the helpers' work: ``cuda:N`` also in ``evfocus eval``,
``bench/bench_gpu.py``, ``benchmark._model_config`` and training; ``evfocus bench`` finds the
built-in configs in an installed package."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
import torch

from evfocus_live.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def two_gpus(monkeypatch):
    """A machine with two CUDA devices, as far as the device checks can tell."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)


def test_benchmark_times_the_gpu_it_is_given():
    """``cuda:1`` was timed on the CPU (only the exact string ``cuda`` meant a GPU)."""
    from evfocus_live.benchmark import _model_config

    cfg = _model_config("evfocus", "cuda:1", "fp16")
    assert cfg.device == "cuda:1" and cfg.half is True
    assert _model_config("evfocus", "cuda", "fp32").half is False
    assert _model_config("evfocus", "cpu", "bf16").device == "cpu"


def test_bench_gpu_takes_a_gpu_number(two_gpus, capsys):
    """``--device cuda:1`` was refused by argparse's choices; now it is a GPU and its
    precisions are the GPU's (bf16 is refused there in one line, before any replay)."""
    script = runpy.run_path(str(ROOT / "bench" / "bench_gpu.py"))
    assert script["main"](["--device", "cuda:1", "--precisions", "bf16"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not one of fp16, fp32 on --device cuda:1" in err[0], err
    assert script["main"](["--device", "cuda:5"]) == 2  # this machine has two
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cuda:0 .. cuda:1" in err[0], err


def test_eval_refuses_a_bad_device_before_any_model_runs(tmp_path, monkeypatch):
    """``evfocus eval --device gpu`` got as far as loading each model; now it is the same
    one-line check as the other commands, and ``CUDA:1`` is read as ``cuda:1``."""
    from evfocus_live.cli import build_parser
    from evfocus_live.cli import evaluate as ev_cli
    from evfocus_live.train import evaluate as ev_mod

    seen = {}
    monkeypatch.setattr(ev_mod, "evaluate", lambda *a, **k: seen.update(k) or {"markdown": ""})
    args = build_parser().parse_args(["eval", "--data", str(tmp_path), "--device", "gpu"])
    with pytest.raises(ConfigError, match="not a device"):
        ev_cli.run(args)
    assert not seen
    args = build_parser().parse_args(["eval", "--data", str(tmp_path), "--device", "CUDA:1"])
    try:
        ev_cli.run(args)
    except Exception:  # the stub's report is not a full one: only the device handed on matters
        pass
    assert seen.get("device") == "cuda:1"


def test_training_makes_the_named_gpu_current(two_gpus, monkeypatch):
    """``device = "cuda:1"`` without DDP never made GPU 1 current, so bf16 support was asked of
    GPU 0 (torch's current device) and autocast ran there."""
    from evfocus_live.train import trainer

    made = []
    monkeypatch.setattr(torch.cuda, "set_device", lambda d: made.append(torch.device(d)))
    assert trainer._training_device("cuda:1", ddp=False) == torch.device("cuda", 1)
    assert made == [torch.device("cuda", 1)]
    made.clear()
    assert trainer._training_device("cpu", ddp=False) == torch.device("cpu") and made == []


def test_bench_finds_built_in_configs_in_an_installed_package(tmp_path, monkeypatch):
    """From a wheel, ``evfocus bench --models NAME`` for a config-only name looked for
    ``models/configs`` beside site-packages; it now asks the registry (``configs_dir``)."""
    from evfocus_live import benchmark
    from evfocus_live.cli import bench as bench_cli
    from evfocus_live.errors import CheckpointError
    from evfocus_live.nn import registry

    pkg = tmp_path / "_models"  # an installed package's models: only a config for a new name
    (pkg / "configs").mkdir(parents=True)
    (pkg / "configs" / "evfocus-tiny.toml").write_text(
        '[model]\narch = "evfocus"\nbase = 2\nnum_bins = 5\n')
    monkeypatch.setattr(registry, "_PACKAGED_MODELS", pkg)
    bench_cli._check_models(["evfocus-tiny"])  # the checkout has no such config: this raised
    (name, model), = benchmark._model_list(["evfocus-tiny"])
    assert name == "evfocus-tiny (untrained)" and model.config["base"] == 2
    with pytest.raises(CheckpointError):
        bench_cli._check_models(["no-such-model"])


def test_simulate_progress_moves_within_one_long_sequence(tmp_path, monkeypatch):
    """The bar counted sequences: one long sequence (a soak replay, which streaming now
    allows) sat at 0/1 until the end. It counts sensor seconds, frame interval by interval,
    and ends exactly full."""
    import tqdm as tqdm_mod

    from evfocus_live.simulate import SimConfig, simulate_dataset

    seen = []

    class Recording(tqdm_mod.tqdm):
        def update(self, n=1):
            seen.append(float(self.n) + n)
            return super().update(n)

    monkeypatch.setattr(tqdm_mod, "tqdm", Recording)
    cfg = SimConfig(width=48, height=32, duration_s=0.5, frame_ms=25.0)
    simulate_dataset(cfg, tmp_path / "d", sequences=1, seed=3, aedat4=False, progress=True)
    inside = [v for v in seen if 0 < v < 0.5]
    assert len(inside) >= 10, seen  # one step per frame interval, not one per sequence
    assert seen == sorted(seen) and seen[-1] == 0.5


def test_viewer_replaying_a_file_cut_short_says_so_and_keeps_its_recording(qtbot, tmp_path, tiny_model):
    """A replayed file truncated by another program (a re-export over it) killed the viewer
    with SIGBUS, and the recording in progress with it. Now the status bar names the cut, the
    recording is finalised and reads back, and the viewer takes another source."""
    import numpy as np
    from conftest import make_events
    from gui_support import make_window, pattern, wait_frames

    from evfocus_live.events import EVENT_DTYPE
    from evfocus_live.sources import open_source

    src_path = tmp_path / "replay.npy"
    np.save(src_path, make_events(3_000_000, 64, 48, duration_us=30_000_000))  # 6 read batches
    win = make_window(qtbot, tmp_path, str(src_path), tiny_model, speed=1.0)
    wait_frames(qtbot, win, 2)
    rec = tmp_path / "kept.aedat4"
    assert win.record_to(rec, None, overwrite=True)
    wait_frames(qtbot, win, 2)
    with open(src_path, "r+b") as f:
        f.truncate(200_000)  # the header and a few thousand events
    qtbot.waitUntil(lambda: any("shrank" in m and f"recording saved: {rec}" in m for m in win.status_log),
                    timeout=60_000)
    with open_source(str(rec)) as back:
        batches = list(back)
    assert batches and {b.dtype for b in batches} == {EVENT_DTYPE}, {str(b.dtype) for b in batches}
    assert sum(len(b) for b in batches) > 0
    assert win.open_source(pattern())
    wait_frames(qtbot, win)
    win.close()


class _ModelAsClass(torch.nn.Module):
    """A model plugin whose entry point names the class (built as ``cls()``), not a factory."""

    def __init__(self):
        super().__init__()

    def reset_states(self):
        pass


def test_a_model_entry_point_naming_a_class_says_how_it_is_called(monkeypatch):
    """It failed as ``TypeError: __init__() takes 1 positional argument but 3 were given``,
    which does not tell an author that the entry point is called ``factory(name, device)``."""
    from importlib.metadata import EntryPoint

    from plugin_support import _with_extra

    from evfocus_live.errors import CheckpointError
    from evfocus_live.nn.registry import load_model
    from evfocus_live.plugins import MODELS

    _with_extra(monkeypatch, [EntryPoint("asclass", f"{__name__}:_ModelAsClass", MODELS)])
    with pytest.raises(CheckpointError, match=r"called as factory\(name, device\)"):
        load_model("asclass", "cpu")


def test_list_plugins_leaves_the_plugin_log_as_it_was(capsys):
    """``--list-plugins`` set the plugin logger to ERROR for the rest of the process: a
    scripted run (or a later test) lost every plugin warning after it."""
    import logging

    from evfocus_live.gui.app import list_plugins

    plog = logging.getLogger("evfocus_live.plugins")
    before = plog.level
    assert list_plugins() == 0
    assert "median" in capsys.readouterr().out
    assert plog.level == before


def test_open_dialog_lists_a_plugin_file_format(qtbot, tmp_path, tiny_model, monkeypatch):
    """The open dialog listed only the built-in extensions: a plugin's ``.lev`` files hid
    behind "All files"."""
    from importlib.metadata import EntryPoint

    from plugin_support import _with_extra
    from gui_support import make_window, pattern

    from evfocus_live import sources
    from evfocus_live.plugins import SOURCES

    _with_extra(monkeypatch, [EntryPoint("lev", f"{__name__}:_LevFile", SOURCES)])
    monkeypatch.setattr(sources, "_registry", None)  # a fresh scan that sees the extra entry point
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    flt = win.file_dialog_filter()
    assert "*.lev" in flt and "*.aedat4" in flt and "*.npy" in flt
    win.close()


from evfocus_live.sources.base import EventSource  # noqa: E402


class _LevFile(EventSource):
    """A plugin's file format (only its class attributes matter here)."""

    format, sensor, width, height = "lev", "lab", 64, 48
    extensions = (".lev",)

    @classmethod
    def sniff(cls, head, path):
        return head.startswith(b"LEV1")


def test_a_refused_window_change_leaves_the_controls_on_what_runs(qtbot, tmp_path, tiny_model, monkeypatch):
    """The window controls kept a setting the pipeline refused, and ``opts.window`` took it:
    the combo showed a downsampling not in effect, and the next source opened with it."""
    from gui_support import make_window, pattern, wait_frames

    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win)
    before = win.opts.window

    def refuse(cfg):
        raise ConfigError("window refused for the test")

    monkeypatch.setattr(win.session.pipeline, "set_window", refuse)
    win.downsample_combo.setCurrentIndex(win.downsample_combo.findData(2))  # the user picks 2x2
    qtbot.waitUntil(lambda: any("window refused for the test" in m for m in win.status_log), timeout=10_000)
    assert win.opts.window == before and win.downsample_combo.currentData() == before.downsample
    win.close()
