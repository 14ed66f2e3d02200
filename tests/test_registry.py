"""Registry: names, checkpoint round trip, and one-line CheckpointErrors for bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from evfocus_live.errors import CheckpointError
from evfocus_live.nn import registry
from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import build_model, load_model, save_checkpoint


@pytest.fixture
def tiny_ckpt(tmp_path):
    torch.manual_seed(0)
    m = EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1))
    return m, save_checkpoint(tmp_path / "tiny.pt", m, meta={"note": "test"})


def test_checkpoint_round_trip(tiny_ckpt):
    m, path = tiny_ckpt
    ck = torch.load(path, weights_only=True)
    assert set(ck) == {"arch", "config", "state_dict", "meta"} and ck["arch"] == "evfocus"
    loaded = load_model(str(path), "cpu")
    assert not loaded.training and loaded.meta == {"note": "test"}
    x = torch.randn(1, 5, 40, 56)
    m.eval()
    with torch.inference_mode():
        assert torch.allclose(m(x)["image"], loaded(x)["image"], atol=1e-6)


def test_half_checkpoint_loads_as_float(tmp_path):
    m = build_model("firenet", {})
    p = save_checkpoint(tmp_path / "h.pt", m, half=True)
    assert torch.load(p, weights_only=True)["state_dict"]["head.conv.weight"].dtype == torch.float16
    assert load_model(str(p)).head.conv.weight.dtype == torch.float32


def _one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert msg and "\n" not in msg
    return msg


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError) as e:
        load_model(str(tmp_path / "nope.pt"))
    assert "not found" in _one_line(e)


def test_corrupt_bytes(tmp_path, tiny_ckpt):
    _, path = tiny_ckpt
    data = path.read_bytes()
    bad = tmp_path / "corrupt.pt"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError) as e:
        load_model(str(bad))
    assert "not a readable" in _one_line(e)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"\x00garbage" * 50)
    with pytest.raises(CheckpointError):
        load_model(str(junk))


def test_wrong_arch_and_mismatched_weights(tmp_path, tiny_ckpt):
    _, path = tiny_ckpt
    ck = torch.load(path, weights_only=True)
    torch.save({**ck, "arch": "e2vid"}, tmp_path / "wrong_arch.pt")
    with pytest.raises(CheckpointError) as e:
        load_model(str(tmp_path / "wrong_arch.pt"))
    assert "do not match" in _one_line(e)
    torch.save({**ck, "arch": "unet9000"}, tmp_path / "unknown_arch.pt")
    with pytest.raises(CheckpointError, match="unknown architecture"):
        load_model(str(tmp_path / "unknown_arch.pt"))
    torch.save({**ck, "config": {**ck["config"], "base": 8}}, tmp_path / "wrong_cfg.pt")
    with pytest.raises(CheckpointError, match="do not match"):
        load_model(str(tmp_path / "wrong_cfg.pt"))
    torch.save({"state_dict": ck["state_dict"]}, tmp_path / "bare.pt")
    with pytest.raises(CheckpointError, match="expected keys"):
        load_model(str(tmp_path / "bare.pt"))


class _Evil:
    pass


def test_pickled_objects_are_refused(tmp_path, tiny_ckpt):
    _, path = tiny_ckpt
    ck = torch.load(path, weights_only=True)
    torch.save({**ck, "meta": {"obj": _Evil()}}, tmp_path / "pickled.pt")
    with pytest.raises(CheckpointError):
        load_model(str(tmp_path / "pickled.pt"))


def test_names():
    with pytest.raises(CheckpointError) as e:
        load_model("no-such-model")
    assert "evfocus" in _one_line(e)
    with pytest.raises(CheckpointError, match="no weights shipped: train with evfocus train models/configs/evfocus-full.toml"):
        load_model("evfocus-full")
    with pytest.raises(CheckpointError, match="not a built-in"):
        registry.load_shipped("nope", "cpu")


def test_missing_shipped_weights_and_available(tmp_path, monkeypatch):
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path))
    with pytest.raises(CheckpointError, match="missing"):
        load_model("e2vid")
    assert "e2vid" not in registry.available_models()
    save_checkpoint(tmp_path / "e2vid.pt", build_model("e2vid", {"base": 4}))
    assert "e2vid" in registry.available_models()
    assert load_model("e2vid").config["base"] == 4


def test_cuda_unavailable_is_a_device_error():
    from evfocus_live.errors import DeviceError

    if torch.cuda.is_available():
        pytest.skip("CUDA present")
    with pytest.raises(DeviceError, match="CUDA"):
        registry.resolve_device("cuda")
    assert registry.resolve_device("auto").type == "cpu"


def test_cli_bad_checkpoint_is_one_line(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    r = subprocess.run([sys.executable, "-m", "evfocus_live", "eval", "--models", str(bad), "--data", str(tmp_path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "bad.pt" in r.stderr
