"""Training configs (TOML/YAML) are checked: sections, counts, ranges, devices."""

from __future__ import annotations

import pytest
import torch
from train_support import two_blur_data  # noqa: F401 (a fixture)
from train_support import resumable_cfg as tiny_cfg

from evfocus_live.errors import ConfigError
from evfocus_live.nn.registry import model_config_problem
from evfocus_live.train import trainer
from evfocus_live.train.trainer import load_config, normalize_config, train


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize("cfg", [{"model": 5}, {"model": {"arch": "evfocus"}, "train": [1, 2]},
                                 [{"model": {"arch": "evfocus"}}], "model"])
def test_config_sections_must_be_tables(cfg):
    with pytest.raises(ConfigError, match="table"):
        normalize_config(cfg, "c.toml")


def test_toml_section_that_is_a_value(tmp_path):
    (tmp_path / "c.toml").write_text("model = 5\n")
    with pytest.raises(ConfigError, match=r"\[model\] must be a table"):
        load_config(tmp_path / "c.toml")


@pytest.mark.parametrize("key,value", [("seq_len", True), ("tbptt", True), ("workers", True), ("loss_skip", False)])
def test_counts_refuse_booleans(key, value):
    """TOML true is not a count: seq_len = true trained 1-window items, workers = true one
    loader process."""
    with pytest.raises(ConfigError, match=key):
        normalize_config({"model": {"arch": "evfocus"}, "data": {"seq_len": 4, key: value}})


def test_yaml_numbers_and_words_as_in_toml(tmp_path):
    """PyYAML reads YAML 1.1: ``lr: 1e-3`` was the string "1e-3" (refused as not a number)
    and ``amp: off`` was false (refused as not "off")."""
    import yaml  # noqa: F401  (in the [test] extra: this test must run, not skip)
    (tmp_path / "c.yaml").write_text("model:\n  arch: evfocus\ndata:\ntrain:\n  lr: 1e-3\n  amp: off\n"
                                     "  max_minutes: 2.5e+1\n  channels_last: false\n")
    cfg = load_config(tmp_path / "c.yaml")
    assert cfg["train"]["lr"] == 0.001 and cfg["train"]["amp"] == "off"
    assert cfg["train"]["max_minutes"] == 25.0 and cfg["train"]["channels_last"] is False
    assert cfg["data"]["seq_len"] == trainer.DATA_DEFAULTS["seq_len"]  # "data:" with nothing under it


def test_blur_levels_are_bounded():
    """sigmas_px = [1e9] built Gaussian kernels of 6e9 taps: the process was OOM-killed
    (also when a corrupt checkpoint said so)."""
    assert "sigmas_px" in model_config_problem("evfocus", {"sigmas_px": [0.0, 1e9]})
    assert model_config_problem("evfocus", {"sigmas_px": [0.0, 100.0]}) is None


@pytest.mark.parametrize("arch", ["evfocus", "e2vid"])
def test_one_pixel_encoder_kernel_refused(arch):
    """kernel = 1 passed the checks ("an odd whole number >= 1"), and the first training step
    died in torch (double free: the CPU backward of a 1x1 stride-2 conv on channels-last
    input) with no line to say why. FireNet (no strided conv) and encoder-less nets keep it."""
    with pytest.raises(ConfigError, match="kernel must be >= 3"):
        normalize_config({"model": {"arch": arch, "base": 2, "kernel": 1}}, "c.toml")
    assert model_config_problem(arch, {"kernel": 1, "num_encoders": 0}) is None
    assert model_config_problem("firenet", {"kernel": 1}) is None


@pytest.mark.parametrize("device", ["mps", "xpu", "meta"])
def test_device_other_than_cpu_or_cuda_is_one_line(two_blur_data, tmp_path, device):
    """[train] device = "mps" (or evfocus eval --device mps) passed resolve_device and failed
    deep in torch: "not linked with support for mps devices", an AssertionError for xpu."""
    from evfocus_live.errors import DeviceError
    from evfocus_live.nn.registry import resolve_device

    with pytest.raises(DeviceError, match="not supported"):
        resolve_device(device)
    with pytest.raises(DeviceError, match="not supported"):
        train(tiny_cfg(two_blur_data, tmp_path / "r", device=device, steps=1), progress=False)


@pytest.mark.parametrize("key,value,fine", [("seed", 2**32, 2**31 - 1), ("seed", 10**20, 0),
                                            ("threads", 10**20, 1024), ("threads", 100_000, 2)])
def test_numbers_past_what_the_libraries_take_are_config_errors(key, value, fine):
    """seed = 4294967296 passed "a whole number >= 0" and failed at the start of training in
    np.random.seed; threads = 1e20 overflowed in torch.set_num_threads, 100000 threads
    failed to map memory (ValueError / ImportError tracebacks)."""
    with pytest.raises(ConfigError, match=rf"\[train\] {key}"):
        normalize_config({"model": {"arch": "evfocus"}, "train": {key: value}}, "c.toml")
    normalize_config({"model": {"arch": "evfocus"}, "train": {key: fine}}, "c.toml")


def test_a_million_loader_processes_is_a_config_error():
    """workers = 1000000 passed "a whole number >= 0": the loader would fork that many."""
    with pytest.raises(ConfigError, match=r"\[data\] workers"):
        normalize_config({"model": {"arch": "evfocus"}, "data": {"workers": 10**6}}, "c.toml")
    normalize_config({"model": {"arch": "evfocus"}, "data": {"workers": 2}}, "c.toml")


@pytest.mark.parametrize("key,value", [("num_bins", 500), ("base", 100_000), ("kernel", 101),
                                       ("num_encoders", 40)])
def test_sizes_past_any_useful_network_are_config_errors(key, value):
    """A typo (num_bins = 500, base = 100000) passed ">= 1" and ran the machine out of memory
    while voxel grids were cached or the network was built: it is now one line."""
    with pytest.raises(ConfigError, match=f"{key} must be"):
        normalize_config({"model": {"arch": "evfocus", key: value}}, "c.toml")
    assert model_config_problem("evfocus", {key: 5 if key != "num_encoders" else 3}) is None


def test_data_num_bins_past_any_useful_grid_is_a_config_error(tmp_path):
    cfg = {"model": {"arch": "evfocus"}, "data": {"num_bins": 500}}
    with pytest.raises(ConfigError, match="num_bins must be a whole number from 1 to 64"):
        normalize_config(cfg, "c.toml")


def test_a_cuda_index_beyond_the_machines_gpus_is_one_line(monkeypatch):
    """torch.device("cuda:5") is valid on a 1-GPU machine; the first tensor moved there failed
    with a traceback ("invalid device ordinal"). Now it is a DeviceError naming the GPUs there."""
    from evfocus_live.errors import DeviceError
    from evfocus_live.nn.registry import resolve_device
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert resolve_device("cuda:0") == torch.device("cuda:0")
    assert resolve_device("cuda") == torch.device("cuda")
    with pytest.raises(DeviceError, match=r"has 1 CUDA device\(s\) \(cuda:0 \.\. cuda:0\)"):
        resolve_device("cuda:5")


def test_yaml_config_with_an_upper_case_suffix(tmp_path):
    """CONFIG.YML was read as TOML: "cannot parse config (Invalid statement ...)" for a
    valid YAML file."""
    import yaml  # noqa: F401  (in the [test] extra: this test must run, not skip)

    path = tmp_path / "CONFIG.YML"
    path.write_text("model:\n  arch: firenet\ntrain:\n  lr: 2e-4\n")
    cfg = trainer.load_config(path)
    assert cfg["model"]["arch"] == "firenet" and cfg["train"]["lr"] == 2e-4
