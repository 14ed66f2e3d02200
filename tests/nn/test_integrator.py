"""The per-pixel integrator state (``[model] integrator``): a leaky running sum of the count
channel, carried across windows like the ConvLSTM state and read by the head.

It must behave as the recurrent state does (reset, carried, detached at a TBPTT boundary,
restarted on a new size or batch, on the input's device and dtype), start from weights
without it computing exactly what they did, and leave every model without it as before.
"""

from __future__ import annotations

import logging

import pytest
import torch

from evfocus_live.errors import CheckpointError
from evfocus_live.nn.base import LEVEL_SCALE, squash_level
from evfocus_live.nn.evfocus import LIGHT
from evfocus_live.nn.registry import build_model, load_model, save_checkpoint
from evfocus_live.train.trainer import Unroll, _init_weights

H, W = 26, 34
PLAIN = dict(LIGHT, base=4)
COUNT = dict(PLAIN, count_channel=True)
INTEG = dict(COUNT, integrator=True)


def _inputs(n=3, batch=1, h=H, w=W, seed=2):
    g = torch.Generator().manual_seed(seed)
    return [torch.cat([torch.randn(batch, 5, h, w, generator=g), torch.randn(batch, 1, h, w, generator=g) * 2], 1)
            for _ in range(n)]


def _model(cfg=INTEG, seed=0, level_weight=0.3):
    torch.manual_seed(seed)
    model = build_model("evfocus", cfg).eval()
    if getattr(model, "integrator", False):
        with torch.no_grad():  # a fresh one's conv is random: make its effect plain
            model.head_level.weight.fill_(level_weight)
    return model


def _run(model, xs, reset=True):
    if reset:
        model.reset_states()
    with torch.no_grad():
        return [model(x) for x in xs]


def _level(model):
    return model.states[-1]


def test_the_level_is_the_leaky_sum_of_the_count():
    model, xs = _model(), _inputs(3)
    _run(model, xs[:1])
    assert len(model.states) == len(model.encoders) + 1
    torch.testing.assert_close(_level(model)[..., :H, :W], xs[0][:, 5:])
    _run(model, xs[1:], reset=False)
    want = 0.9 * (0.9 * xs[0][:, 5:] + xs[1][:, 5:]) + xs[2][:, 5:]
    torch.testing.assert_close(_level(model)[..., :H, :W], want)
    assert not _level(model)[..., H:, :].any() and not _level(model)[..., W:].any()  # the padding stays zero


def test_the_decay_is_the_option():
    model = _model({**INTEG, "integrator_decay": 0.5})
    xs = _inputs(2)
    _run(model, xs)
    torch.testing.assert_close(_level(model)[..., :H, :W], 0.5 * xs[0][:, 5:] + xs[1][:, 5:])


def test_the_head_reads_the_squashed_level():
    level = torch.tensor([0.0, 0.5, -1.0, 100.0, -1e6])
    got = squash_level(level)
    assert torch.equal(got[0], torch.tensor(0.0)) and got.abs().max() <= LEVEL_SCALE
    torch.testing.assert_close(got[1], torch.tensor(0.5), atol=0.03, rtol=0)  # about linear near zero
    assert torch.all(torch.diff(squash_level(torch.linspace(-9, 9, 50))) > 0)


def test_state_carried_vs_reset_is_deterministic():
    model, xs = _model(), _inputs(4)
    a, b = _run(model, xs), _run(model, xs)
    for x, y in zip(a, b):
        assert all(torch.equal(x[k], y[k]) for k in x)
    carried = _run(model, xs[2:], reset=False)  # after the four windows: another state
    fresh = _run(model, xs[2:])
    assert not torch.equal(carried[0]["image"], fresh[0]["image"])


def test_the_level_alone_changes_the_frame():
    """The integrator is a state in its own right: the ConvLSTMs' states equal, another
    level gives another frame (and none with its conv at zero)."""
    model, xs = _model(), _inputs(3)
    _run(model, xs[:2])
    saved = model.states
    with torch.no_grad():
        want = model(xs[2])["image"]
        model.states = saved[:-1] + [torch.zeros_like(saved[-1])]
        other = model(xs[2])["image"]
    assert not torch.equal(want, other)
    with torch.no_grad():
        model.head_level.weight.zero_()
        model.states = saved
        a = model(xs[2])["image"]
        model.states = saved[:-1] + [torch.zeros_like(saved[-1])]
        assert torch.equal(model(xs[2])["image"], a)


@pytest.mark.parametrize("shape", [(1, 40, 48), (2, H, W)])
def test_a_new_size_or_batch_restarts_the_level_as_the_convlstm_state(shape):
    batch, h, w = shape
    model = _model()
    _run(model, _inputs(2))
    new = _inputs(1, batch=batch, h=h, w=w, seed=7)[0]
    with torch.no_grad():
        carried = model(new)
    assert _level(model).shape[0] == batch
    torch.testing.assert_close(_level(model)[..., :h, :w], new[:, 5:])  # restarted from zero
    fresh = _run(model, [new])[0]
    assert all(torch.equal(carried[k], fresh[k]) for k in fresh)  # as after a reset


def test_reset_forgets_the_level():
    model = _model()
    _run(model, _inputs(2))
    model.reset_states()
    assert model.states is None


def test_detach_states_cuts_the_level_from_the_graph():
    model = _model().train()
    x = _inputs(1)[0].requires_grad_(True)
    model.reset_states()
    model(x)
    assert _level(model).requires_grad
    model.detach_states()
    assert not _level(model).requires_grad and _level(model).grad_fn is None


def test_tbptt_chunks_have_no_graph_between_them():
    """The trainer's path (``Unroll``): the second chunk's loss reaches its own inputs, not
    the first chunk's, though the level it read was built from them."""
    model = _model().train()
    net = Unroll(model)
    first = torch.stack(_inputs(2, seed=3), 1).requires_grad_(True)
    second = torch.stack(_inputs(2, seed=4), 1).requires_grad_(True)
    net(first)
    assert _level(model).requires_grad  # the level holds the first chunk's graph...
    out = net(second, reset=False)  # ...until the next chunk detaches it
    sum(o["image"].mean() for o in out).backward()
    assert first.grad is None and second.grad is not None and second.grad[:, :, 5].abs().sum() > 0
    assert model.head_level.weight.grad is not None


def test_the_level_takes_the_inputs_dtype_and_autocast_keeps_it_fp32():
    model = _model().double()
    _run(model, [x.double() for x in _inputs(2)])
    assert _level(model).dtype == torch.float64
    model = _model()
    model.reset_states()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        out = [model(x) for x in _inputs(2)]
    assert _level(model).dtype == torch.float32 and torch.isfinite(out[-1]["image"]).all()


def test_the_inference_runner_carries_the_level():
    """``nn.runtime`` keeps a model's state as the tree of its ``states``: the traced step
    must carry the level as the eager model does."""
    from evfocus_live.nn.runtime import InferenceModel

    xs = _inputs(6)
    want = _run(_model(), xs)
    runner = InferenceModel(_model(), backend="jit")
    runner.reset_states()
    got = [runner(x) for x in xs]
    assert runner.backend == "jit" and not runner.fallback_reason
    for a, b in zip(want, got):
        torch.testing.assert_close(b["image"], a["image"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("src_cfg,what", [(PLAIN, "the event-count input channel (head conv) and the integrator"),
                                          (COUNT, "the integrator level's conv")])
def test_init_adds_the_integrator_zero_initialised(tmp_path, caplog, src_cfg, what):
    """--init from weights without it: the new weights are zero, so the model computes
    exactly what the checkpoint's does, whatever the count and its level."""
    torch.manual_seed(1)
    src = build_model("evfocus", src_cfg)
    path = save_checkpoint(tmp_path / "src.pt", src)
    model = build_model("evfocus", INTEG)
    with caplog.at_level(logging.INFO, logger="evfocus_live.train.trainer"):
        _init_weights(model, str(path))
    assert sum(what in r.getMessage() and "zero-initialised" in r.getMessage() for r in caplog.records) == 1
    assert torch.count_nonzero(model.head_level.weight) == 0
    assert torch.equal(model.head.conv.weight[:, :5], src.head.conv.weight[:, :5])
    xs = _inputs(3, seed=5)
    want = _run(src.eval(), [x if src.count_channel else x[:, :5] for x in xs])
    got = _run(model.eval(), xs)
    for a, b in zip(want, got):
        assert a.keys() == b.keys()
        for k in a:
            assert torch.equal(a[k], b[k]), k


def test_init_refuses_other_integrator_mismatches(tmp_path):
    path = save_checkpoint(tmp_path / "integ.pt", build_model("evfocus", INTEG))
    with pytest.raises(CheckpointError, match="integrator_decay: file 0.9, config 0.8"):
        _init_weights(build_model("evfocus", {**INTEG, "integrator_decay": 0.8}), str(path))
    with pytest.raises(CheckpointError, match="integrator: file True, config False"):  # never dropped
        _init_weights(build_model("evfocus", COUNT), str(path))


def test_without_the_option_the_model_is_as_before():
    model = build_model("evfocus", COUNT)
    assert not model.integrator and not hasattr(model, "head_level")
    assert model.head.conv.weight.shape[1] == 6
    _run(model.eval(), _inputs(1))
    assert len(model.states) == len(model.encoders)
    assert {k for k in build_model("evfocus", INTEG).state_dict()} - set(model.state_dict()) == {"head_level.weight"}


@pytest.mark.parametrize("cfg,match", [
    ({"integrator": True}, "integrator = true needs count_channel = true"),
    ({"integrator": True, "count_channel": False}, "needs count_channel = true"),
    ({"integrator": "true", "count_channel": True}, "integrator must be true or false"),
    ({"integrator_decay": 1.0}, "integrator_decay must be a number between 0 and 1"),
    ({"integrator_decay": 0}, "integrator_decay must be a number between 0 and 1"),
    ({"integrator_decay": -0.5}, "integrator_decay must be"),
    ({"integrator_decay": float("nan")}, "integrator_decay must be"),
    ({"integrator_decay": "0.9"}, "integrator_decay must be"),
    ({"integrator_decay": True}, "integrator_decay must be"),
])
def test_bad_options_are_one_clear_error(cfg, match):
    with pytest.raises(CheckpointError, match=match):
        build_model("evfocus", {**PLAIN, **cfg})


@pytest.mark.parametrize("arch", ["e2vid", "firenet"])
def test_only_evfocus_has_the_option(arch):
    with pytest.raises(CheckpointError, match="integrator is not an option"):
        build_model(arch, {"integrator": True})


def test_a_training_config_names_the_fix():
    from evfocus_live.errors import ConfigError
    from evfocus_live.train.trainer import normalize_config

    with pytest.raises(ConfigError, match=r"\[model\] integrator = true needs count_channel = true"):
        normalize_config({"model": {"arch": "evfocus", "integrator": True}, "data": {}, "train": {}})


def test_the_checkpoint_round_trip_keeps_the_options(tmp_path):
    model = _model({**INTEG, "integrator_decay": 0.75})
    path = save_checkpoint(tmp_path / "integ.pt", model)
    loaded = load_model(str(path))
    assert loaded.integrator and loaded.integrator_decay == 0.75 and loaded.count_channel
    assert loaded.config["integrator"] is True and loaded.config["integrator_decay"] == 0.75
    xs = _inputs(3)
    for a, b in zip(_run(model, xs), _run(loaded, xs)):
        torch.testing.assert_close(b["image"], a["image"])  # (channels-last: not bitwise)
    torch.testing.assert_close(_level(loaded), _level(model))
