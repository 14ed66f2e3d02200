"""``--device`` on the command lines (``cuda:N`` included): what each command takes, and the one line
and exit 2 for a device that cannot be had."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
import torch
from cli_support import two_gpus  # noqa: F401 (fixtures)
from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.config import ModelConfig
from evfocus_live.errors import ConfigError


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_train_without_cuda_names_the_config_key_not_a_missing_option(tmp_path, capsys, device):
    """(The old line ended "(use --device cpu)": ``evfocus train --device`` is an error of its own.)"""
    cfg = tmp_path / "t.toml"
    cfg.write_text(textwrap.dedent(f"""
        [model]
        arch = "firenet"
        [data]
        train = "{tmp_path / 'no_data'}"
        [train]
        steps = 1
        out = "{tmp_path / 'run'}"
        device = "{device}"
    """))
    assert main(["train", str(cfg)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "CUDA is not available" in err, err
    assert '[train] device = "cpu"' in err and "--device" not in err, err
    assert not (tmp_path / "run").exists()


def test_the_commands_with_device_still_name_the_option():
    from evfocus_live.errors import DeviceError
    from evfocus_live.nn.registry import resolve_device

    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    with pytest.raises(DeviceError, match=r"\(use --device cpu\)"):
        resolve_device("cuda")


def _reconstruct_args(*argv):
    import argparse

    from evfocus_live.cli import reconstruct

    sub = argparse.ArgumentParser().add_subparsers()
    return reconstruct.add_parser(sub).parse_args(["in.npy", "-o", "out", *argv])


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("bad", ["gpu", "cuda:", "cuda:-1", "cuda:1.5", "cuda1", "mps", ""])
def test_device_nonsense_is_one_line(bad):
    from evfocus_live.cli.options import check_device

    with pytest.raises(ConfigError, match=r"^--device .*: not a device \(auto, cpu, cuda, or cuda:N for GPU N from 0\)$"):
        check_device("--device", bad)


@pytest.mark.usefixtures("one_torch_thread")
def test_device_nonsense_exits_2_with_one_line(tmp_path, capsys):
    from evfocus_live.cli import main as cli_main
    from evfocus_live.gui.app import main as live_main

    assert live_main(["--headless", "--device", "gpu:1", "--exit-after", "5"]) == 2
    assert cli_main(["reconstruct", str(tmp_path / "x.npy"), "-o", str(tmp_path / "out"), "--device", "gpu:1",
                     "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all("--device 'gpu:1': not a device" in ln for ln in err), err
    assert not (tmp_path / "out").exists()


@pytest.mark.usefixtures("one_torch_thread")
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
