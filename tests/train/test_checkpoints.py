"""Checkpoints, model cards and averaging: what loads, what ships, what is refused in one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
from conftest import TINY
from train_support import _tiny_ckpt_cfg, two_blur_data  # noqa: F401 (a fixture)
from train_support import resumable_cfg as tiny_cfg

from evfocus_live.errors import CheckpointError
from evfocus_live.nn.registry import (build_model, load_checkpoint, load_model, read_checkpoint,
    save_checkpoint, sha256_file)
from evfocus_live.train.trainer import train


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_truncated_checkpoint_error_keeps_whole_sentences(tmp_path):
    """A truncated .pt said "(... central directory. This is an internal miniz error. If yo)":
    a fixed 120-character cut. It now gives torch's first sentence, whole."""
    good = Path(_tiny_ckpt_cfg(tmp_path / "good.pt"))
    bad = tmp_path / "cut.pt"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(Exception) as raw:  # torch's own text, to compare against
        torch.load(bad, weights_only=True)
    first = re.split(r"(?<=\.)\s+", str(raw.value).strip().splitlines()[0])[0].rstrip(".")
    with pytest.raises(CheckpointError) as exc:
        load_model(str(bad))
    msg = str(exc.value)
    assert len(msg.splitlines()) == 1 and msg.endswith(f"({first})"), msg


def test_missing_checkpoint_is_named_as_given(tmp_path, monkeypatch):
    """--model ./nonexist.pt said "checkpoint not found: nonexist.pt" (the path as pathlib
    normalised it); ~ is still expanded to look, not in the message."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    for given in ("./nonexist.pt", "~/nonexist.pt"):
        with pytest.raises(CheckpointError, match=rf"^checkpoint not found: {re.escape(given)}$"):
            load_model(given)
    Path(_tiny_ckpt_cfg(tmp_path / "here.pt"))
    assert load_model("~/here.pt") is not None  # found through ~


def test_card_from_a_resumable_last_pt_ships_weights_only(tmp_path, monkeypatch):
    """card NAME RUN/last.pt copied the optimiser and data-order state into models/ (3x the
    size); a weights-only file (final.pt) is still copied byte for byte."""
    from evfocus_live.nn.registry import read_checkpoint
    from evfocus_live.train.card import write_card

    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "models"))
    torch.manual_seed(0)
    model = build_model("evfocus", TINY)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    model(torch.rand(1, 5, 32, 32))["image"].mean().backward()
    opt.step()
    run = tmp_path / "run"
    last = save_checkpoint(run / "last.pt", model, {"step": 1},
                           extra={"optimizer": opt.state_dict(), "data_state": {"epoch": 0, "batches": 1}})
    final = save_checkpoint(run / "final.pt", model, {"step": 1})

    card = write_card("from-last", last, None, None, "from-last")
    shipped = tmp_path / "models" / "from-last.pt"
    ck = torch.load(shipped, weights_only=True)
    assert set(ck) == {"arch", "config", "state_dict", "meta", "evfocus_version"}
    ref = read_checkpoint(final)
    assert all(torch.equal(ck["state_dict"][k], v) for k, v in ref["state_dict"].items())
    assert shipped.stat().st_size < 0.6 * last.stat().st_size
    assert f"sha256: `{sha256_file(shipped)}`" in card.read_text()

    write_card("from-final", final, None, None, "from-final")
    assert sha256_file(tmp_path / "models" / "from-final.pt") == sha256_file(final)


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


def test_checkpoint_without_meta_ships_and_resumes(two_blur_data, tmp_path, monkeypatch):
    """meta is optional in a checkpoint (read_checkpoint accepts one without): the card and
    --resume read it as empty rather than fail with KeyError: 'meta'."""
    from evfocus_live.train.card import write_card

    out = tmp_path / "r"
    train(tiny_cfg(two_blur_data, out, steps=1), progress=False)
    ck = torch.load(out / "last.pt", weights_only=True)
    del ck["meta"]
    torch.save(ck, out / "last.pt")
    assert read_checkpoint(out / "last.pt")["meta"] == {}
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "models"))
    card = write_card("tiny", out / "last.pt", None, None, "tiny")
    assert "sha256" in card.read_text()
    assert train(tiny_cfg(two_blur_data, out, steps=2), resume=True, progress=False)["step"] == 2


def test_average_to_an_unwritable_out_is_one_line(two_blur_data, tmp_path, caplog):
    """python -m evfocus_live.train.average OUT ...: OUT a folder (or under a file) ended in
    an IsADirectoryError / FileExistsError traceback; graft said it in one line already."""
    from evfocus_live.train.average import main

    out = tmp_path / "r"
    train(tiny_cfg(two_blur_data, out, steps=1), progress=False)
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x")
    for target, why in ((tmp_path / "folder", "a folder of that name exists"),
                        (tmp_path / "file" / "avg.pt", "is a file, not a folder")):
        caplog.clear()
        assert main([str(target), str(out / "final.pt"), str(out / "last.pt")]) == 2
        assert why in caplog.text


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


def test_average_does_not_replace_an_existing_checkpoint_unasked(tmp_path, caplog):
    """`python -m evfocus_live.train.average A.pt B.pt C.pt`, OUT forgotten, replaced stage
    A's weights by the mean of B and C, without a word. An existing OUT now needs --overwrite."""
    from evfocus_live.nn.registry import build_model, save_checkpoint
    from evfocus_live.train.average import main

    a, b, c = (save_checkpoint(tmp_path / f"{n}.pt", build_model("firenet", {"base": 2}), {"step": i})
               for i, n in enumerate("abc"))
    before = a.read_bytes()
    assert main([str(a), str(b), str(c)]) == 2
    assert a.read_bytes() == before and "--overwrite" in caplog.text
    assert main([str(a), str(b), str(c), "--overwrite"]) == 0 and a.read_bytes() != before
    assert main([str(tmp_path / "new.pt"), str(b), str(c)]) == 0
