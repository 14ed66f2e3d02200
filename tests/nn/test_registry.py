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
    assert set(ck) == {"arch", "config", "state_dict", "meta", "evfocus_version"} and ck["arch"] == "evfocus"
    loaded = load_model(str(path), "cpu")
    assert not loaded.training and loaded.meta == {"note": "test"}
    x = torch.randn(1, 5, 40, 56)
    m.eval()
    with torch.inference_mode():
        assert torch.allclose(m(x)["image"], loaded(x)["image"], atol=1e-6)


def test_defocus_head_saved_before_dilations_were_a_setting_still_loads(tmp_path):
    """Eighth-session checkpoints have a defocus head but no ``sigma_dilations`` in their
    config: they load with the dilations they were trained with (2, 4), outputs unchanged."""
    torch.manual_seed(0)
    m = EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1, sigma_head=4, sigma_dilations=[2, 4])).eval()
    p = save_checkpoint(tmp_path / "old.pt", m)
    ck = torch.load(p, weights_only=True)
    del ck["config"]["sigma_dilations"]
    torch.save(ck, p)
    loaded = load_model(str(p))
    assert loaded.config["sigma_dilations"] == [2, 4]
    x = torch.randn(1, 5, 40, 56)
    with torch.inference_mode():
        assert torch.allclose(m(x)["sigma"], loaded(x)["sigma"], atol=1e-5)


def test_half_checkpoint_loads_as_float(tmp_path):
    m = build_model("firenet", {})
    p = save_checkpoint(tmp_path / "h.pt", m, half=True)
    assert torch.load(p, weights_only=True)["state_dict"]["head.conv.weight"].dtype == torch.float16
    assert load_model(str(p)).head.conv.weight.dtype == torch.float32


def test_int8_checkpoint_is_small_and_close(tmp_path):
    """Per-channel int8 (the full models' shipped form): ~4x smaller than fp32, outputs close."""
    torch.manual_seed(0)
    m = build_model("e2vid", {"base": 16}).eval()
    p32 = save_checkpoint(tmp_path / "f.pt", m)
    p8 = save_checkpoint(tmp_path / "q.pt", m, int8=True)
    ck = torch.load(p8, weights_only=True)
    big = [k for k, v in ck["state_dict"].items() if v.dtype == torch.int8]
    assert big and set(big) == set(ck["int8_scales"])
    assert p8.stat().st_size < 0.3 * p32.stat().st_size
    q = load_model(str(p8))
    assert all(v.dtype == torch.float32 for v in q.state_dict().values() if v.is_floating_point())
    for k in big:  # each weight within half a quantisation step of the original
        w, s = m.state_dict()[k], ck["int8_scales"][k].view(-1, *[1] * (m.state_dict()[k].ndim - 1))
        assert torch.all((q.state_dict()[k] - w).abs() <= s / 2 + 1e-7)
    x = torch.randn(1, 5, 48, 64)
    with torch.inference_mode():
        a, b = m(x)["image"], q(x)["image"]
    assert (a - b).abs().max() < 0.02 and not torch.equal(a, b)


def test_corrupt_int8_scales_are_a_checkpoint_error(tmp_path):
    m = build_model("e2vid", {"base": 8})
    p = save_checkpoint(tmp_path / "q.pt", m, int8=True)
    ck = torch.load(p, weights_only=True)
    k = next(iter(ck["int8_scales"]))
    ck["int8_scales"][k] = ck["int8_scales"][k][:-1]  # one scale short
    torch.save(ck, p)
    with pytest.raises(CheckpointError, match="corrupt int8") as exc:
        load_model(str(p))
    _one_line(exc)


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


def test_text_file_config_not_a_dict_and_nan_weights(tmp_path, tiny_ckpt):
    """Each once gave a cryptic "(101)", a ValueError traceback, or a run with every frame
    NaN and dropped ("0 frames", exit 0)."""
    _, path = tiny_ckpt
    ck = torch.load(path, weights_only=True)
    (tmp_path / "notes.pt").write_text("experiment notes, not weights\n")
    with pytest.raises(CheckpointError) as e:
        load_model(str(tmp_path / "notes.pt"))
    assert "not a PyTorch checkpoint file" in _one_line(e)
    torch.save({**ck, "config": "base=4"}, tmp_path / "config_str.pt")
    with pytest.raises(CheckpointError) as e:
        load_model(str(tmp_path / "config_str.pt"))
    assert "config and state_dict must be dicts" in _one_line(e)
    sd = {k: v.clone() for k, v in ck["state_dict"].items()}
    key = next(k for k, v in sd.items() if v.is_floating_point())
    sd[key].view(-1)[0] = float("nan")
    torch.save({**ck, "state_dict": sd}, tmp_path / "diverged.pt")
    with pytest.raises(CheckpointError) as e:
        load_model(str(tmp_path / "diverged.pt"))
    assert "1 weight tensors hold NaN/inf" in _one_line(e) and key in _one_line(e)
    assert load_model(str(path)) is not None  # the healthy one still loads


def test_string_flag_in_a_config_is_refused():
    """TOML ``dual_decoder = "false"`` is a truthy string: refused, not silently dual."""
    with pytest.raises(CheckpointError, match="dual_decoder must be true or false"):
        build_model("evfocus", {"dual_decoder": "false"})


class _Evil:
    pass


def test_pickled_objects_are_refused(tmp_path, tiny_ckpt):
    _, path = tiny_ckpt
    ck = torch.load(path, weights_only=True)
    torch.save({**ck, "meta": {"obj": _Evil()}}, tmp_path / "pickled.pt")
    with pytest.raises(CheckpointError) as e:
        load_model(str(tmp_path / "pickled.pt"))
    assert "holds pickled Python objects, which are never loaded" in _one_line(e)


def test_names():
    with pytest.raises(CheckpointError) as e:
        load_model("no-such-model")
    assert "evfocus" in _one_line(e)
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


@pytest.mark.parametrize("how", ["empty", "missing", "partial"])
def test_int8_weights_without_their_scales_are_refused(tmp_path, how):
    """An int8 checkpoint whose int8_scales were dropped (all or some) loaded without a word,
    its weights the raw -127..127 codes (up to 127x off): now a one-line CheckpointError."""
    torch.manual_seed(0)
    p = save_checkpoint(tmp_path / "q.pt", build_model("e2vid", {"base": 8}), int8=True)
    ck = torch.load(p, weights_only=True)
    if how == "empty":
        ck["int8_scales"] = {}
    elif how == "missing":
        del ck["int8_scales"]
    else:
        ck["int8_scales"].pop(next(iter(ck["int8_scales"])))
    torch.save(ck, p)
    with pytest.raises(CheckpointError, match="int8 tensors? without their scale") as exc:
        load_model(str(p))
    _one_line(exc)


@pytest.mark.parametrize("sigmas", [[0.0, float("nan"), 2.0], [0.0, -3.0], [0.0, float("inf")], [], None, [True]])
def test_sigmas_px_must_be_finite_and_not_negative(tmp_path, tiny_ckpt, sigmas):
    """A NaN or negative blur level built and loaded, and every defocus map was then NaN."""
    with pytest.raises(CheckpointError, match="sigmas_px must be a non-empty list of finite blur levels >= 0"):
        build_model("evfocus", {"base": 4, "sigmas_px": sigmas})
    ck = torch.load(tiny_ckpt[1], weights_only=True)
    ck["config"]["sigmas_px"] = sigmas
    torch.save(ck, tmp_path / "s.pt")
    with pytest.raises(CheckpointError, match="sigmas_px") as exc:
        load_model(str(tmp_path / "s.pt"))
    _one_line(exc)


def test_failed_save_leaves_no_tmp_file(tmp_path):
    """Saving onto an existing folder failed in os.replace and left OUT.tmp behind."""
    (tmp_path / "out").mkdir()
    with pytest.raises(OSError):
        save_checkpoint(tmp_path / "out", build_model("firenet", {"base": 2}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
