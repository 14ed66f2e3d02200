"""Second review of training and the networks: resume goes on with the data where it
stopped, logs keep each step once (the last one too), config sections, counts and ranges
are checked, YAML reads numbers as TOML does, checkpoints that would load wrong or take
the machine down, unsupported devices, card names and unwritable outputs are one clear
error."""

from __future__ import annotations

import csv

import pytest
import torch

from train_support import tiny_cfg as _tiny_cfg

from evfocus_live.errors import CheckpointError, ConfigError
from evfocus_live.nn.registry import build_model, load_checkpoint, model_config_problem, read_checkpoint
from evfocus_live.train import trainer
from evfocus_live.train.synth import simulate_minimal
from evfocus_live.train.trainer import load_config, normalize_config, train

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim_r2")
    simulate_minimal(d / "seq_00000.h5", width=64, height=48, n_frames=12, sigma_range=(1, 3), seed=1)
    simulate_minimal(d / "seq_00001.h5", width=64, height=48, n_frames=12, sigma_range=(4, 6), seed=2)
    return d


def tiny_cfg(data, out, **train_kw):
    """test_train's tiny config, 6 steps unless told (resume tests need a middle)."""
    return _tiny_cfg(data, out, **{"steps": 6, **train_kw})


def _steps(path):
    with open(path) as f:
        return [int(r["step"]) for r in csv.DictReader(f)]


def test_resume_trains_the_same_weights_as_one_run(tiny_data, tmp_path, monkeypatch):
    """6 steps straight == 3 steps, Ctrl-C, --resume to 6 (CPU, fixed seed, no loader
    processes). The old resume drew the epoch's order and crops afresh from the seed, so
    every resume trained the first items again."""
    train(tiny_cfg(tiny_data, tmp_path / "straight"), progress=False)
    real_loss, calls = trainer.sequence_loss, []

    def interrupt_after_3(*a, **kw):
        calls.append(1)
        if len(calls) > 3:
            raise KeyboardInterrupt
        return real_loss(*a, **kw)

    monkeypatch.setattr(trainer, "sequence_loss", interrupt_after_3)
    with pytest.raises(KeyboardInterrupt):
        train(tiny_cfg(tiny_data, tmp_path / "split"), progress=False)
    monkeypatch.setattr(trainer, "sequence_loss", real_loss)
    assert read_checkpoint(tmp_path / "split" / "last.pt")["meta"]["step"] == 3
    train(tiny_cfg(tiny_data, tmp_path / "split"), resume=True, progress=False)
    a = torch.load(tmp_path / "straight" / "final.pt", weights_only=True)["state_dict"]
    b = torch.load(tmp_path / "split" / "final.pt", weights_only=True)["state_dict"]
    assert max(float((a[k] - b[k]).abs().max()) for k in a) == 0.0
    assert _steps(tmp_path / "split" / "log.csv") == list(range(1, 7))


def test_resume_of_a_finished_run_goes_on_with_the_data(tiny_data, tmp_path):
    """A constant rate (lr_min_frac 1): 6 steps straight == 3 steps, then --resume --steps 6.
    Also with truncated BPTT, where the run stops inside an epoch and after whole items."""
    for extra in ({}, {"tbptt": 2, "seq_len": 4}):
        def cfg(out, steps):
            c = tiny_cfg(tiny_data, out, steps=steps, lr_min_frac=1.0)
            c["data"].update(extra)
            return c

        a, b = tmp_path / f"a{len(extra)}", tmp_path / f"b{len(extra)}"
        train(cfg(a, 6), progress=False)
        train(cfg(b, 3 if not extra else 4), progress=False)
        train(cfg(b, 6), resume=True, progress=False)
        wa = torch.load(a / "final.pt", weights_only=True)["state_dict"]
        wb = torch.load(b / "final.pt", weights_only=True)["state_dict"]
        assert max(float((wa[k] - wb[k]).abs().max()) for k in wa) == 0.0, extra


def test_log_csv_records_the_last_step(tiny_data, tmp_path):
    """log_every 10 over 3 steps: the last step's loss (the summary's) is in log.csv too, so
    log.csv and loss.png reach the end of the run."""
    summary = train(tiny_cfg(tiny_data, tmp_path / "r", steps=3, log_every=10), progress=False)
    with open(tmp_path / "r" / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["step"]) for r in rows] == [1, 3]
    assert float(rows[-1]["loss"]) == pytest.approx(summary["loss"])


def test_resume_keeps_each_logged_step_once(tiny_data, tmp_path):
    """A run that diverged wrote log.csv rows past its last good last.pt; resuming trains
    those steps again: each step is in the log once, in order."""
    out = tmp_path / "r"
    train(tiny_cfg(tiny_data, out, steps=2), progress=False)
    with open(out / "log.csv") as f:
        rows = list(csv.DictReader(f))
    with open(out / "log.csv", "a", newline="") as f:  # what the diverged steps 3 and 4 left
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        for step in (3, 4):
            w.writerow({**rows[-1], "step": step})
    train(tiny_cfg(tiny_data, out, steps=4), resume=True, progress=False)
    assert _steps(out / "log.csv") == [1, 2, 3, 4]


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


def test_checkpoint_with_huge_blur_level_refused(tmp_path):
    m = build_model("evfocus", {"base": 2, "kernel": 3, "num_deblur_blocks": 1, "sigmas_px": [0.0, 1.0]})
    ck = {"arch": "evfocus", "config": {**m.config, "sigmas_px": [0.0, 1000.0]}, "state_dict": m.state_dict()}
    torch.save(ck, tmp_path / "big.pt")
    with pytest.raises(CheckpointError, match="sigmas_px"):
        load_checkpoint(tmp_path / "big.pt")


@pytest.mark.parametrize("dtype", [torch.int32, torch.bool, torch.complex64])
def test_checkpoint_with_non_float_weights_refused(tmp_path, dtype):
    """int8 weights without scales were refused, but int32 / bool / complex ones were cast
    into the float weights silently (truncated, 0/1, imaginary part dropped)."""
    m = build_model("firenet", {"base": 4})
    sd = {k: v.to(dtype) for k, v in m.state_dict().items()}
    torch.save({"arch": "firenet", "config": dict(m.config), "state_dict": sd, "meta": {}}, tmp_path / "odd.pt")
    with pytest.raises(CheckpointError, match="where floats belong"):
        load_checkpoint(tmp_path / "odd.pt")


def test_checkpoint_without_meta_ships_and_resumes(tiny_data, tmp_path, monkeypatch):
    """meta is optional in a checkpoint (read_checkpoint accepts one without): the card and
    --resume read it as empty rather than fail with KeyError: 'meta'."""
    from evfocus_live.train.card import write_card

    out = tmp_path / "r"
    train(tiny_cfg(tiny_data, out, steps=1), progress=False)
    ck = torch.load(out / "last.pt", weights_only=True)
    del ck["meta"]
    torch.save(ck, out / "last.pt")
    assert read_checkpoint(out / "last.pt")["meta"] == {}
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "models"))
    card = write_card("tiny", out / "last.pt", None, None, "tiny")
    assert "sha256" in card.read_text()
    assert train(tiny_cfg(tiny_data, out, steps=2), resume=True, progress=False)["step"] == 2


def test_average_to_an_unwritable_out_is_one_line(tiny_data, tmp_path, caplog):
    """python -m evfocus_live.train.average OUT ...: OUT a folder (or under a file) ended in
    an IsADirectoryError / FileExistsError traceback; graft said it in one line already."""
    from evfocus_live.train.average import main

    out = tmp_path / "r"
    train(tiny_cfg(tiny_data, out, steps=1), progress=False)
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x")
    for target, why in ((tmp_path / "folder", "a folder of that name exists"),
                        (tmp_path / "file" / "avg.pt", "is a file, not a folder")):
        caplog.clear()
        assert main([str(target), str(out / "final.pt"), str(out / "last.pt")]) == 2
        assert why in caplog.text


@pytest.mark.parametrize("arch", ["evfocus", "e2vid"])
def test_one_pixel_encoder_kernel_refused(arch):
    """kernel = 1 passed the checks ("an odd whole number >= 1"), and the first training step
    died in torch (double free: the CPU backward of a 1x1 stride-2 conv on channels-last
    input) with no line to say why. FireNet (no strided conv) and encoder-less nets keep it."""
    with pytest.raises(ConfigError, match="kernel must be >= 3"):
        normalize_config({"model": {"arch": arch, "base": 2, "kernel": 1}}, "c.toml")
    assert model_config_problem(arch, {"kernel": 1, "num_encoders": 0}) is None
    assert model_config_problem("firenet", {"kernel": 1}) is None


def test_multi_gpu_command_in_the_docstring_runs():
    """cli/train.py told to run ``torchrun ... -m evfocus_live.cli train``: that package has
    no __main__ ("cannot be directly executed"); the module it names must."""
    import importlib.util
    import re

    from evfocus_live.cli import train as cli_train

    modules = re.findall(r"-m (\S+) train", cli_train.__doc__)
    assert modules
    for mod in modules:
        assert importlib.util.find_spec(f"{mod}.__main__") is not None, mod


def test_training_error_starts_its_own_line(tiny_data, tmp_path, capsys):
    """A diverged run raised with the progress bar still open: the CLI's error line, printed
    while the exception is handled, followed the bar's last frame on the same terminal line."""
    from evfocus_live.errors import TrainingError

    try:
        train(tiny_cfg(tiny_data, tmp_path / "r", lr=1e30, steps=20), progress=True)
    except TrainingError as exc:
        err = capsys.readouterr().err  # what the terminal shows when the CLI prints its line
        assert "diverged" in str(exc)
    else:
        pytest.fail("a rate of 1e30 did not diverge")
    assert "train evfocus" in err and err.endswith("\n"), repr(err[-120:])


@pytest.mark.parametrize("name", ["a/b", "../escape", "x.pt", ""])
def test_card_refuses_a_name_that_is_not_a_file_name(tmp_path, monkeypatch, capsys, name):
    """models/NAME.pt: "a/b" ended in a FileNotFoundError traceback, "../escape" shipped
    beside models/, where the registry never looks."""
    from evfocus_live.nn.registry import save_checkpoint
    from evfocus_live.train.card import main

    ck = save_checkpoint(tmp_path / "ck.pt", build_model("firenet", {"base": 2}), {})
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "models"))
    assert main([name, str(ck)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "model name" in err
    assert not list(tmp_path.rglob("*.md"))


def test_card_into_a_models_path_that_is_a_file(tmp_path, monkeypatch, capsys):
    from evfocus_live.nn.registry import save_checkpoint
    from evfocus_live.train.card import main

    ck = save_checkpoint(tmp_path / "ck.pt", build_model("firenet", {"base": 2}), {})
    (tmp_path / "models").write_text("not a folder")
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "models"))
    assert main(["tiny", str(ck)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "models" in err


@pytest.mark.parametrize("device", ["mps", "xpu", "meta"])
def test_device_other_than_cpu_or_cuda_is_one_line(tiny_data, tmp_path, device):
    """[train] device = "mps" (or evfocus eval --device mps) passed resolve_device and failed
    deep in torch: "not linked with support for mps devices", an AssertionError for xpu."""
    from evfocus_live.errors import DeviceError
    from evfocus_live.nn.registry import resolve_device

    with pytest.raises(DeviceError, match="not supported"):
        resolve_device(device)
    with pytest.raises(DeviceError, match="not supported"):
        train(tiny_cfg(tiny_data, tmp_path / "r", device=device, steps=1), progress=False)


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
