"""bench/bench_int8.py, the int8 experiment (README "Performance"): int8 was measured and not
wired in; these keep the prototype runnable so the experiment can be repeated, not timed."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _script():
    return runpy.run_path(str(BENCH / "bench_int8.py"))


@pytest.fixture(autouse=True)
def _keep_quantized_engine():
    """quantize() sets torch's global quantized engine: the other tests get theirs back."""
    engine = torch.backends.quantized.engine
    yield
    torch.backends.quantized.engine = engine


def test_fx_step_is_the_model_with_its_state_carried(one_torch_thread):
    """The fx-traced step (shape lines patched out, states as explicit tensors) computes what
    the model computes, frame after frame: a change to EvFocus's forward that the patches do
    not follow fails here instead of quantizing a different network."""
    from evfocus_live.nn.registry import load_model

    b = _script()
    model = load_model("evfocus").eval()
    gm = b["fx_step"](model)
    g = torch.Generator().manual_seed(0)
    model.reset_states()
    states = None
    with torch.inference_mode():
        for _ in range(3):
            v = torch.randn(1, 5, 45, 61, generator=g)  # not a multiple of 8: padded and cropped
            want = model(v)
            x = b["pad"](model, v)
            states = states or b["zero_states"](model, x)
            res = gm(x, *states)
            states = list(res[3:])
            for i, key in enumerate(("image", "blur", "sigma")):
                # (the sigma head reads one concatenated map: same sums, another order)
                torch.testing.assert_close(res[i][..., :45, :61], want[key], atol=1e-5, rtol=0, msg=key)
            flat = [t for hc in model.states for t in hc]
            assert all(torch.equal(a, b_) for a, b_ in zip(states, flat))  # the state is exact


def test_int8_step_follows_fp32_and_carries_its_state(one_torch_thread):
    """The converted int8 step (oneDNN engine, convolutions only) stays within a few grey
    levels of fp32 on a small input, its state is carried (a second frame differs from the
    same voxel after a reset) and the patched model functions are restored afterwards."""
    from evfocus_live.nn import layers
    from evfocus_live.nn.registry import load_model

    b = _script()
    model = load_model("evfocus").eval()
    before = layers.ConvLSTM.forward
    g = torch.Generator().manual_seed(1)
    vox = [torch.randn(1, 5, 48, 64, generator=g) * 0.5 for _ in range(6)]
    step = b["quantize"](model, "convs", [vox], engine="onednn")[0]
    assert layers.ConvLSTM.forward is before
    a, q = b["run_seq"](model, vox), b["run_seq"](step, vox)
    assert np.abs(a - q).mean() * 255 < 8 and np.abs(a - q).mean() > 0  # quantized, and close
    step.reset_states()
    with torch.inference_mode():
        first = step(vox[1])["image"]
    assert not torch.equal(first, torch.from_numpy(q[1])[None, None])


def test_bench_int8_runs_end_to_end_on_a_tiny_size(tmp_path, one_torch_thread, capsys):
    """The whole script (in-process simulated calibration, both engines, timing table, quality
    and drift against a written simulator sequence) at 64x48 in seconds, so it does not rot.
    Its ``main`` in this process: a subprocess spent 3 of its 8 s importing torch again (the
    command line itself is checked by the bad-option tests below)."""
    import logging

    from evfocus_live.simulate import SimConfig, simulate_sequence, write_sequence

    res = simulate_sequence(SimConfig(width=64, height=48, duration_s=0.2, sigma_range=(4, 7)), seed=0)
    write_sequence(res, tmp_path / "sev" / "seq_00000", aedat4=False)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:  # (main's logging.basicConfig is the script's, not the test session's)
        code = _script()["main"](["--res", "64x48", "--rounds", "2", "--calib-windows", "6", "--conv-table",
                                  "--quality", str(tmp_path / "sev"), "--drift", str(tmp_path / "sev")])
    finally:
        root.handlers[:], root.level = handlers, level
    out = capsys.readouterr().out
    assert code == 0
    rows = [line.split("|")[1].strip() for line in out.splitlines() if "| 64x48 |" in line]
    assert rows[:2] == ["fp32 eager", "fp32 jit"] and "int8 x86 convs" in rows and "int8 onednn convs+jit" in rows
    assert "| 8->4 3x3 at 64x48 |" in out
    assert "quality int8 onednn convs: frames=" in out and "drift int8 x86 convs: frames=" in out


@pytest.mark.parametrize("args", [["--res", "64"], ["--engine", "qnnpack"], ["--model", "nosuch"]])
def test_bench_int8_refuses_bad_options_in_one_line(args):
    r = subprocess.run([sys.executable, str(BENCH / "bench_int8.py"), *args], cwd=BENCH.parent,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr
