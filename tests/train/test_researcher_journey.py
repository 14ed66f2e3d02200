"""A researcher's own model, as README tells it: wrong inputs on the way (a typo'd key, a
YAML slip, a folder of recordings, another model's weights, a full disk) each end in one
line that says what to change, and a shipped model's name works for --init as for --model."""

from __future__ import annotations

import os

import pytest
import torch

from evfocus_live.errors import CheckpointError, ConfigError, DeviceError, InputError
from evfocus_live.nn.registry import build_model, load_model, save_checkpoint
from evfocus_live.train.synth import simulate_minimal
from evfocus_live.train.trainer import load_config, normalize_config, train

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TINY = {"arch": "evfocus", "base": 4, "kernel": 3, "num_deblur_blocks": 1}
#: the shipped light model's [model] (models/configs/evfocus-stage6-gpu.toml)
SHIPPED_EVFOCUS = {"arch": "evfocus", "base": 4, "kernel": 3, "rec_kernel": 3, "num_residual_blocks": 2,
                   "num_deblur_blocks": 1, "dual_decoder": True, "sigmas_px": [0.0, 1.0, 2.0, 3.0, 4.5, 6.0, 7.5, 10.0],
                   "sigma_head": 16, "sigma_dilations": [1, 2, 3]}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim")
    simulate_minimal(d / "seq_00000.h5", width=48, height=40, n_frames=8, sigma_range=(1, 3), seed=1)
    return d


def cfg(data, out, model=None, **train_kw):
    return normalize_config({
        "model": dict(model or TINY),
        "data": {"train": str(data), "seq_len": 3, "batch_size": 1, "stride": 2},
        "augment": {"crop": 32},
        "train": {"steps": 1, "out": str(out), "threads": 1, "log_every": 1, "device": "cpu", **train_kw},
    })


def _toml(path, data, out, batch_key="batch_size"):
    path.write_text(f'[model]\narch = "evfocus"\nbase = 4\nkernel = 3\nnum_deblur_blocks = 1\n'
                    f'[data]\ntrain = "{data}"\nseq_len = 3\n{batch_key} = 1\nstride = 2\n'
                    f'[augment]\ncrop = 32\n[train]\nsteps = 1\nout = "{out}"\nthreads = 1\ndevice = "cpu"\n')
    return path


def _one_error_line(capsys) -> str:
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip() and not ln.startswith(("INFO", "WARNING"))]
    assert len(err) == 1 and "Traceback" not in err[0], err
    return err[0]


def test_a_typo_in_a_key_is_one_line_that_suggests_the_key(data, tmp_path, capsys):
    """"unknown key(s) in [data]: batch_sise" sent one to the source for the right name."""
    from evfocus_live.cli import main

    rc = main(["train", str(_toml(tmp_path / "c.toml", data, tmp_path / "run", "batch_sise")), "--no-progress"])
    assert rc == 2
    assert "batch_sise (did you mean batch_size?)" in _one_error_line(capsys)
    with pytest.raises(ConfigError, match=r"augmnet \(did you mean augment\?\)"):
        normalize_config({"model": {"arch": "evfocus"}, "augmnet": {}}, "c.toml")
    with pytest.raises(ConfigError, match=r"zzz \(known: .*batch_size"):  # nothing close: the keys there are
        normalize_config({"model": {"arch": "evfocus"}, "data": {"zzz": 1}}, "c.toml")


def test_a_yaml_slip_names_its_line(tmp_path):
    """PyYAML's first line ("while scanning a simple key") said neither line nor problem."""
    pytest.importorskip("yaml")
    p = tmp_path / "c.yaml"
    p.write_text("model:\n  arch: evfocus\ndata:\n  batch_size: 1\n  seq_len 3\n")
    with pytest.raises(ConfigError, match=r"line 5, column 3: .*could not find expected ':'") as exc:
        load_config(p)
    p.write_text("model:\n  arch: evfocus\ndata:\n  batch_size: 1\n seq_len: 3\n")
    with pytest.raises(ConfigError, match=r"\(line 5, column 2: "):
        load_config(p)
    assert "\n" not in str(exc.value)


def test_a_wrong_device_in_the_config_names_the_key(data, tmp_path):
    with pytest.raises(DeviceError, match=r"\[train\] device: unknown device 'gpu' \(use auto, cpu, cuda or cuda:N\)"):
        train(cfg(data, tmp_path / "r", device="gpu"), progress=False)


def test_a_folder_without_sequences_says_what_training_reads(data, tmp_path):
    """A folder of recordings (or an empty one): "no .h5 sequences in DIR" and nothing on
    what to put there."""
    (tmp_path / "rec").mkdir()
    (tmp_path / "rec" / "davis.aedat4").write_bytes(b"#!AER-DAT4.0\r\n")
    with pytest.raises(InputError, match=r"1 other file\(s\) there\): .*evfocus simulate") as exc:
        train(cfg(tmp_path / "rec", tmp_path / "r"), progress=False)
    assert "\n" not in str(exc.value)


def test_init_from_another_model_names_only_what_differs(data, tmp_path):
    """Both configs in full (a dozen keys each) left the reader to find the one that differs."""
    first = train(cfg(data, tmp_path / "a"), progress=False)
    with pytest.raises(CheckpointError, match=r"base: file 4, config 8\); make \[model\] match them$") as exc:
        train(cfg(data, tmp_path / "b", model={**TINY, "base": 8}), init=first["checkpoint"], progress=False)
    assert "num_encoders" not in str(exc.value)
    with pytest.raises(CheckpointError, match=r"arch: file 'evfocus', config 'firenet'"):
        train(cfg(data, tmp_path / "c", model={"arch": "firenet"}), init=first["checkpoint"], progress=False)
    with pytest.raises(CheckpointError, match=r"last\.pt is a checkpoint of a different model \(base: file 4, "
                                              r"config 8\); use another --out or drop --resume"):
        train(cfg(data, tmp_path / "a", model={**TINY, "base": 8}, steps=2), resume=True, progress=False)


def test_init_takes_a_shipped_models_name_as_model_does(data, tmp_path):
    """--init evfocus: "checkpoint not found: evfocus", though --model evfocus loads it."""
    s = train(cfg(data, tmp_path / "ft", model=SHIPPED_EVFOCUS), init="evfocus", progress=False)
    assert s["step"] == 1 and s["init"]["path"].endswith("evfocus.pt") and s["init"]["step"] >= 1


def test_weights_that_do_not_fit_their_config_show_both_shapes_whole(tmp_path):
    """torch's message cut at 140 characters ended "... the shape in current model is torch"."""
    path = save_checkpoint(tmp_path / "ck.pt", build_model("evfocus", {"base": 4, "kernel": 3}))
    ck = torch.load(path, weights_only=True)
    ck["config"] = {**ck["config"], "base": 8}
    torch.save(ck, path)
    with pytest.raises(CheckpointError, match=r"of another shape, e\.g\. \S+ \[4, 5, 3, 3\] in the file, "
                                              r"\[8, 5, 3, 3\] in the model its config builds\)$"):
        load_model(str(path))
    ck["config"]["base"] = 4
    del ck["state_dict"][next(iter(ck["state_dict"]))]
    torch.save(ck, path)
    with pytest.raises(CheckpointError, match=r"\(1 missing, e\.g\. \S+\)$"):
        load_model(str(path))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_for_checkpoints_is_one_line(data, tmp_path, monkeypatch, capsys):
    """torch.save on a full disk raises RuntimeError("... unexpected pos 704 vs 598"):
    evfocus train ended with two tracebacks. Each write here goes to /dev/full, as on a
    full disk (a tmpfs that fills gave the same error)."""
    from evfocus_live.cli import main

    real_save = torch.save
    monkeypatch.setattr(torch, "save", lambda obj, f, *a, **kw: real_save(obj, "/dev/full", *a, **kw))
    out = tmp_path / "run"
    rc = main(["train", str(_toml(tmp_path / "c.toml", data, out)), "--no-progress"])
    assert rc == 2
    line = _one_error_line(capsys)
    assert f"{out / 'last.pt'}: cannot write this checkpoint" in line and "is kept" in line
    assert not list(out.glob("*.tmp"))


def test_the_card_tool_says_how_to_use_the_model(tmp_path, monkeypatch, capsys):
    """It printed the card's path alone; the model loads by its .pt path (not by NAME)."""
    from evfocus_live.train.card import main

    ck = save_checkpoint(tmp_path / "ck.pt", build_model("firenet", {"base": 2}), {})
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "mine"))
    assert main(["mine", str(ck)]) == 0
    pt = tmp_path / "mine" / "mine.pt"
    assert f"use it with --model {pt}" in capsys.readouterr().out
    assert load_model(str(pt)).arch == "firenet"


def test_the_viewer_names_a_run_checkpoint_by_its_run():
    """Every run writes final.pt: the reconstruction pane said "reconstruction: final.pt"."""
    pytest.importorskip("PySide6")
    from evfocus_live.gui.window import model_title

    assert model_title("/tmp/runs/ft/final.pt") == "ft/final.pt"
    assert model_title("runs/ft/last.pt") == "ft/last.pt"
    assert model_title("/x/mine.pt") == "mine.pt" and model_title("evfocus") == "evfocus"


def test_a_bare_state_dict_says_how_to_save_a_checkpoint(tmp_path):
    """torch.save(model.state_dict()) is how most code saves weights: "expected keys arch,
    config, state_dict" did not say what the file was or what to do instead."""
    path = tmp_path / "sd.pt"
    torch.save(build_model("firenet", {"base": 2}).state_dict(), path)
    with pytest.raises(CheckpointError, match=r"a bare state_dict .*save_checkpoint\(path, model\)") as exc:
        load_model(str(path))
    assert "\n" not in str(exc.value)


def test_without_a_progress_bar_each_checkpoint_is_logged(data, tmp_path, caplog):
    """--no-progress (a batch job's log) printed nothing from the start to the summary."""
    import logging

    with caplog.at_level(logging.INFO, logger="evfocus_live.train.trainer"):
        train(cfg(data, tmp_path / "r", steps=3, ckpt_every_s=0), progress=False)
    said = [r.getMessage() for r in caplog.records if "saved" in r.getMessage() and "loss" in r.getMessage()]
    assert said and said[0].startswith("step ") and " of 3, loss " in said[0], said


def test_a_gpu_trained_checkpoint_loads_on_a_cpu_only_machine(data, tmp_path):
    """README: a checkpoint saved from CUDA tensors loads for --model and --init without CUDA.
    The file is a CPU checkpoint with its storages relabelled cuda:0, as torch.save writes
    them on a GPU (without map_location torch refuses it here). A guard, not a fix."""
    import zipfile

    if torch.cuda.is_available():
        pytest.skip("the point is a machine without CUDA")
    first = train(cfg(data, tmp_path / "a"), progress=False)
    gpu = tmp_path / "gpu.pt"
    with zipfile.ZipFile(first["checkpoint"]) as zin, zipfile.ZipFile(gpu, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            blob = zin.read(info)
            if info.filename.endswith("data.pkl"):
                blob = blob.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            zout.writestr(info, blob)
    with pytest.raises(RuntimeError, match="CUDA"):
        torch.load(gpu, weights_only=True)
    assert load_model(str(gpu)).arch == "evfocus"
    s = train(cfg(data, tmp_path / "b"), init=str(gpu), progress=False)
    assert s["init"]["path"] == str(gpu)
