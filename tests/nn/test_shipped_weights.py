"""The weights in models/: present, small, loadable, and matching the sha256 in their cards."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from evfocus_live.errors import CheckpointError
from evfocus_live.nn.registry import available_models, load_model, sha256_file
from evfocus_live.plugins import MODELS, Registry
from evfocus_live.train.trainer import load_config

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
SHIPPED = ["evfocus", "evfocus-full", "e2vid", "e2vid-full", "e2vid-sharp", "firenet"]


@pytest.mark.parametrize("name", SHIPPED)
def test_weights_match_card_and_load(name):
    pt, card = MODELS_DIR / f"{name}.pt", MODELS_DIR / f"{name}.md"
    assert pt.is_file() and card.is_file()
    assert pt.stat().st_size < 20 * 2 ** 20
    m = re.search(r"sha256:\s*`([0-9a-f]{64})`", card.read_text())
    assert m, f"{card.name} has no sha256 line"
    assert m.group(1) == sha256_file(pt)
    model = load_model(name, "cpu")
    assert not model.training
    with torch.inference_mode():
        out = model(torch.zeros(1, 5, 260, 346))
    assert out["image"].shape == (1, 1, 260, 346)
    assert torch.isfinite(out["image"]).all()
    assert name in available_models()


def test_entry_point_factories():
    reg = Registry(MODELS)
    assert set(SHIPPED) <= set(reg.names())
    model = reg.load("evfocus")("evfocus", "cpu")
    assert model.arch == "evfocus" and "blur" in model(torch.zeros(1, 5, 48, 64))


def test_full_models_are_the_paper_width_in_int8():
    """evfocus-full / e2vid-full: the paper's widths, shipped int8 to stay under 20 MB; the
    networks trained on a GPU, as their cards say (evfocus-full's defocus head first on the CPU)."""
    from evfocus_live.train.card import training_stages

    for name, params in (("evfocus-full", 12_256_633), ("e2vid-full", 10_710_401)):
        ck = torch.load(MODELS_DIR / f"{name}.pt", weights_only=True)
        assert ck["config"]["base"] == 32 and ck["int8_scales"]
        assert load_config(MODELS_DIR / "configs" / f"{name}.toml")["model"]["base"] == 32
        assert load_model(name).num_parameters() == params
        stages = training_stages(ck["meta"])
        assert len(stages) >= 5 and all("NVIDIA" in st["hardware"] for st in stages if not st["trainable"])
        # the eleventh session's stages on 4x the data, shipped as a mean of stage ends
        assert ck["meta"]["dataset_sequences"] == 192 and len(ck["meta"]["average_of"]) == 3
    # the tenth session's head-only stage (on the CPU) sits in evfocus-full's chain
    meta = torch.load(MODELS_DIR / "evfocus-full.pt", weights_only=True)["meta"]
    assert [st["trainable"] for st in training_stages(meta)][6] == ["redefocus."]


def test_last_stage_configs_continue_from_the_shipped_weights():
    """A further stage (train_gpu.sh INIT_DIR=models for the full models; the light pair's GPU
    stage, evfocus-stage6-gpu.toml / e2vid-stage4-gpu.toml, with --init models/NAME.pt) builds
    the model from its config and loads the shipped weights: the two must describe one network."""
    from evfocus_live.nn.registry import build_model
    from evfocus_live.train.trainer import _init_weights

    for config, name in (("evfocus-full", "evfocus-full"), ("e2vid-full", "e2vid-full"),
                         ("evfocus-stage6-gpu", "evfocus"), ("e2vid-stage4-gpu", "e2vid"),  # the light pair's last stage too
                         ("firenet-stage2", "firenet"), ("e2vid-sharp-stage2", "e2vid-sharp")):
        cfg = load_config(MODELS_DIR / "configs" / f"{config}.toml")
        arch_cfg = {k: v for k, v in cfg["model"].items() if k != "arch"}
        arch_cfg.setdefault("num_bins", cfg["data"]["num_bins"])
        init = _init_weights(build_model(cfg["model"]["arch"], arch_cfg), str(MODELS_DIR / f"{name}.pt"))
        assert init["step"] and init["init"]


def test_light_pair_had_the_same_last_stage():
    """evfocus and e2vid (the light pair the quality targets compare) both end with the
    fifteenth session's GPU stage: the same 192 sequences, batch, rate and wall time, the
    baseline with at least as many steps. evfocus ships that network with its thirteenth-session
    defocus head grafted back (the head feeds only the re-defocus module, not the frames)."""
    from evfocus_live.train.card import training_stages

    metas = {n: torch.load(MODELS_DIR / f"{n}.pt", weights_only=True)["meta"] for n in ("evfocus", "e2vid")}
    for meta in metas.values():
        assert "NVIDIA" in meta["hardware"] and meta["dataset_sequences"] == 192
        assert meta["train_config"]["data"]["batch_size"] == 16 and meta["train_config"]["train"]["lr"] == 3e-4
    assert 1000 < metas["evfocus"]["step"] <= metas["e2vid"]["step"]
    graft = metas["evfocus"]["grafted"]
    assert graft["prefixes"] == ["redefocus."] and graft["stages"] == 5
    assert metas["evfocus"]["train_config"]["model"]["sigmas_px"][-1] == 10.0
    assert [st["trainable"] for st in training_stages(metas["evfocus"])] == [None, None, ["redefocus."], None,
                                                                            ["redefocus."], None]
    assert len(training_stages(metas["e2vid"])) == 4
    # the stages before were CPU stages, matched step for step (e2vid's third shipped as a mean)
    assert metas["evfocus"]["init"]["init"]["step"] == 2400 and len(metas["e2vid"]["init"]["average_of"]) == 2


def test_reference_baselines_trained_with_the_light_pairs_recipe():
    """firenet and e2vid-sharp (fourteenth session) end with a stage of the light pair's recipe
    (40-window items, truncated BPTT in chunks of 10, state carried) on top of their first
    session's 8-window stage: the 192-sequence defocused set for firenet, 48 in-focus
    sequences for e2vid-sharp."""
    from evfocus_live.train.card import training_stages

    for name, sequences in (("firenet", 192), ("e2vid-sharp", 48)):
        meta = torch.load(MODELS_DIR / f"{name}.pt", weights_only=True)["meta"]
        data = meta["train_config"]["data"]
        assert (data["seq_len"], data["tbptt"]) == (40, 10) and meta["dataset_sequences"] == sequences
        assert len(training_stages(meta)) == 2 and meta["init"]["step"] in (85, 472)
        assert meta["step"] > 1000


def test_unshipped_name_is_a_clear_error(monkeypatch):
    from evfocus_live.nn import registry

    monkeypatch.setitem(registry.SHIPPED, "evfocus-full", None)
    with pytest.raises(CheckpointError, match="no weights shipped: train with evfocus train models/configs/evfocus-full.toml"):
        load_model("evfocus-full")


def test_light_config_is_the_shipped_default():
    """``nn.evfocus.LIGHT`` (used in docs and examples) describes models/evfocus.pt."""
    from evfocus_live.nn.evfocus import LIGHT
    from evfocus_live.nn.registry import load_model

    cfg = load_model("evfocus").config
    assert {k: cfg[k] for k in LIGHT} == LIGHT


def test_card_for_a_multi_stage_int8_run(tmp_path, monkeypatch):
    """The card writer ships int8 weights, names every stage (``--init`` chains them), and its
    sha256 is the file's."""
    from evfocus_live.nn.registry import build_model, save_checkpoint
    from evfocus_live.train.card import write_card

    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "models"))
    (tmp_path / "models").mkdir()
    cfg = MODELS_DIR / "configs" / "e2vid-full.toml"
    train_config = load_config(cfg)
    train_config["train"]["lr"] = 1e-4
    meta = {"step": 1200, "wall_s": 234.5, "loss": 0.6, "device": "cuda", "amp": "bfloat16", "hardware": "GPU X",
            "torch_version": "2.11.0", "train_config": train_config, "dataset_sequences": 48, "dataset_windows": 3840,
            "init": {"step": 844, "wall_s": 148.1, "hardware": "GPU X", "lr": 5e-5,
                     "init": {"step": 1075, "wall_s": 383.3, "hardware": "GPU X"}}}
    src = save_checkpoint(tmp_path / "run.pt", build_model("e2vid", {"base": 16}), meta, half=True)
    card = write_card("e2vid-test", src, cfg, None, "e2vid-test", "notes here", int8=True)
    text = card.read_text()
    pt = tmp_path / "models" / "e2vid-test.pt"
    assert f"sha256: `{sha256_file(pt)}`" in text
    assert "int8 per output channel" in text and torch.load(pt, weights_only=True)["int8_scales"]
    assert "stage 1: 1075 steps" in text and "peak lr 0.0003" in text and "total: 3119 steps" in text
    assert "stage 2: 844 steps, 2.5 min on GPU X, peak lr 5e-05 (from stage 1's weights" in text
    assert "stage 3: 1200 steps" in text and "peak lr 0.0001 (from stage 2's weights" in text
    assert "GPU X, bfloat16 autocast" in text and "notes here" in text


def test_card_tables_show_the_model_by_its_name_and_its_defocus_readout(tmp_path, monkeypatch):
    """A card made from an eval report shows the model under the card's name (not the run's
    label in the report) and, for a model with a defocus map, the map's and readout's errors."""
    from evfocus_live.nn.registry import build_model, save_checkpoint
    from evfocus_live.train.card import write_card

    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "models"))
    (tmp_path / "models").mkdir()
    cfg = MODELS_DIR / "configs" / "evfocus.toml"
    src = save_checkpoint(tmp_path / "run.pt", build_model("evfocus", {"base": 4, "kernel": 3}),
                          {"step": 5, "train_config": load_config(cfg)})
    row = {"ssim": 0.61, "mse": 0.02, "psnr": 17.0, "n": 9}
    report = {"ground_truth": {
        "splits": {"severe": {"defocused GT": row, "run7": row}},
        "blur_aware": {"severe": {"run7": {"blur_ssim": 0.8, "blur_mse": 0.02, "sigma_mae_px": 1.37,
                                           "sigma_true_px": 5.76, "sigma_read_px": 4.4, "sigma_read_err_px": 1.36}}}}}
    text = write_card("evfocus-test", src, cfg, report, "run7").read_text()
    assert "| severe | evfocus-test | 0.6100 |" in text and "run7" not in text
    assert "| severe | 1.37 | 5.76 → 4.40 | 1.36 |" in text


def test_train_gpu_sh_stops_at_once_without_its_starting_weights(tmp_path):
    """INIT_DIR names the weights a further GPU stage starts from (DIR/NAME.pt or a run's
    DIR/NAME/final.pt, or last.pt where the wall time ended that run); a missing one must stop
    the script before it simulates or trains — it used to train from scratch without a word,
    on a lent GPU's few minutes."""
    import os
    import subprocess
    import sys

    root = MODELS_DIR.parent
    env = {**os.environ, "PYTHON": sys.executable, "MODELS": "evfocus-full", "INIT_DIR": str(tmp_path / "none")}
    run = subprocess.run(["bash", str(root / "models" / "train_gpu.sh"), str(tmp_path / "out"), "10"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "has no evfocus-full.pt, evfocus-full/final.pt or evfocus-full/last.pt" in run.stdout
    assert not (tmp_path / "data_sim").exists()  # nothing simulated
    # a run the wall time stopped has last.pt only: taken (then, with no Python, the simulation fails)
    (tmp_path / "prev" / "evfocus-full").mkdir(parents=True)
    (tmp_path / "prev" / "evfocus-full" / "last.pt").write_bytes(b"weights")
    env.update(INIT_DIR=str(tmp_path / "prev"), PYTHON="false")
    run = subprocess.run(["bash", str(root / "models" / "train_gpu.sh"), str(tmp_path / "out"), "10"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "simulation failed" in run.stdout, run.stdout
    assert (tmp_path / "runs" / "evfocus-full.init.pt").read_bytes() == b"weights"


def test_train_gpu_sh_packs_only_the_trainers_that_ran_and_fails_for_the_others(tmp_path):
    """A trainer that refused to start (here: exit 2, as with LR=-1) left an earlier stage's
    runs/NAME/final.pt, which used to be packed as this stage's weights with exit 0 "done"; a
    MODELS entry without a config surfaced only after the data simulation. Now configs are
    checked first, only trainers that ran (exit 0, or the watchdog's stop at the wall time:
    130, as `evfocus train` ends on SIGTERM, or 143 for one that dies of it) are packed, and any
    other makes the script exit non-zero. (The twenty-fourth session's GPU stage lost two
    trainers' weights to a script that took only 143.)"""
    import os
    import subprocess
    import sys

    from evfocus_live.nn.registry import build_model, save_checkpoint

    root = MODELS_DIR.parent
    script = str(root / "models" / "train_gpu.sh")
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    for name in ("ok", "stopped", "killed", "refused"):
        (cfg / f"{name}.toml").write_text("")
    env = {**os.environ, "PYTHON": "false", "CFG_DIR": str(cfg), "MODELS": "ok nosuch"}
    run = subprocess.run(["bash", script, str(tmp_path / "out"), "10"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and f"no config {cfg}/nosuch.toml" in run.stdout, run.stdout
    assert not (tmp_path / "data_sim").exists()  # nothing simulated
    # a fake trainer per model (the rest goes to this Python); the data set is already there
    ck = save_checkpoint(tmp_path / "w.pt", build_model("firenet", {"base": 4}), {"step": 7})
    fake = tmp_path / "py"
    fake.write_text(f"""#!/bin/bash
if [ "$1 $2 $3" = "-m evfocus_live train" ]; then
  case $(basename "$4" .toml) in
    ok) mkdir -p runs/ok && cp {ck} runs/ok/final.pt; exit 0 ;;
    stopped) mkdir -p runs/stopped && cp {ck} runs/stopped/last.pt; exit 130 ;;
    killed) mkdir -p runs/killed && cp {ck} runs/killed/last.pt; kill -TERM $$ ;;
    refused) echo "evfocus train: error: --lr must be a finite number > 0, got -1" >&2; exit 2 ;;
  esac
fi
exec {sys.executable} "$@"
""")
    fake.chmod(0o755)
    (tmp_path / "data_sim" / "train-1-32x24").mkdir(parents=True)
    (tmp_path / "data_sim" / "train-1-32x24" / "dataset.json").write_text("{}")
    (tmp_path / "runs" / "refused").mkdir(parents=True)
    (tmp_path / "runs" / "refused" / "final.pt").write_bytes(ck.read_bytes())  # an earlier stage's
    env.update(PYTHON=str(fake), MODELS="ok stopped killed refused", RES="32x24", MARGIN_S="0", BENCH_S="0")
    run = subprocess.run(["bash", script, str(tmp_path / "out"), "60", "1"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "trainer failed: refused (not packed)" in run.stdout and "done" not in run.stdout
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pt")) == ["killed.pt", "ok.pt", "stopped.pt"]
