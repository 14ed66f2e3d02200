"""The inference runtime's TorchScript steps: shared steps built once and rebuilt when wrong, traces that
give their memory back, users' own traces kept, and its log lines."""

from __future__ import annotations

import copy
import logging
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
import torch
from runtime_support import _run_script, assert_same, plain_run, small, voxels

from evfocus_live.nn import runtime
from evfocus_live.nn.runtime import InferenceModel


ROOT = Path(__file__).resolve().parents[2]


LOG = "evfocus_live.nn.runtime"


def run(runner, vox):
    runner.reset_states()
    return [runner(x) for x in vox]


def other_weights(model, k: float):
    m = copy.deepcopy(model)
    with torch.no_grad():
        next(m.parameters()).add_(k)
    return m


class CountingBuilder:
    """Wraps the real jit builder: counts builds; ``wrong`` makes every step it builds off by 1."""

    def __init__(self, real, wrong=False):
        self.real, self.wrong, self.n = real, wrong, 0

    def __call__(self, fn, args):
        self.n += 1
        step = self.real(fn, args)
        return (lambda *xs: tuple(t + 1 for t in step(*xs))) if self.wrong else step


def poison_cache():
    """Make every cached step wrong (as a step shared by a model changed outside its weights is)."""
    for key, step in list(runtime._STEP_CACHE.items()):
        runtime._STEP_CACHE[key] = lambda *xs, s=step: tuple(t + 1 for t in s(*xs))


def test_a_shared_step_that_fails_its_check_is_built_again_once(monkeypatch, caplog):
    model = small()
    vox = voxels(4)
    run(InferenceModel(copy.deepcopy(model), "jit"), vox)
    poison_cache()
    builder = CountingBuilder(runtime.BUILDERS["jit"])
    monkeypatch.setitem(runtime.BUILDERS, "jit", builder)
    again = InferenceModel(copy.deepcopy(model), "jit")
    with caplog.at_level(logging.INFO, logger=LOG):
        outs = run(again, vox)
    assert_same(outs, plain_run(model, vox))
    assert again.backend == "jit" and again.fallback_reason is None  # was: eager for good
    assert builder.n == 1
    assert list(runtime._STEP_CACHE.values()) == list(again._steps.values())  # the good one replaced it
    assert sum("building it again" in r.getMessage() for r in caplog.records) == 1


def test_a_step_built_again_that_fails_too_falls_back_with_one_line(monkeypatch, caplog):
    model = small()
    vox = voxels(4)
    run(InferenceModel(copy.deepcopy(model), "jit"), vox)
    poison_cache()
    builder = CountingBuilder(runtime.BUILDERS["jit"], wrong=True)
    monkeypatch.setitem(runtime.BUILDERS, "jit", builder)
    again = InferenceModel(copy.deepcopy(model), "jit")
    with caplog.at_level(logging.WARNING, logger=LOG):
        outs = run(again, vox)
    assert_same(outs, plain_run(model, vox))
    assert again.backend == "eager" and builder.n == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "built again" in warnings[0] and "falling back" in warnings[0]
    assert not runtime._STEP_CACHE  # the wrong step is not left for the next model


class BlockingBuilder:
    """A fake tracer (the plain ``_Step`` as the step) that counts builds per weights and holds
    the build of weights ``hold`` until ``release`` is set."""

    def __init__(self, hold: float | None):
        self.hold, self.n, self.lock = hold, {}, threading.Lock()
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, fn, args):
        w = round(float(next(fn.model.parameters()).detach().flatten()[0]), 3)
        with self.lock:
            self.n[w] = self.n.get(w, 0) + 1
        self.started.set()
        if w == self.hold:
            self.release.wait(30)
        return fn


class RecordingDict(dict):
    """``_BUILDING`` that counts the threads that asked for a key's build lock."""

    def __init__(self):
        super().__init__()
        self.asked = 0

    def setdefault(self, key, default=None):
        self.asked += 1
        return super().setdefault(key, default)


def _wait_for(cond, timeout_s=30.0):
    end = time.monotonic() + timeout_s
    while not cond() and time.monotonic() < end:
        time.sleep(0.01)
    return cond()


def test_two_threads_build_the_same_step_once(monkeypatch):
    model = small()
    first = round(float(next(model.parameters()).detach().flatten()[0]), 3)
    builder = BlockingBuilder(hold=first)
    monkeypatch.setitem(runtime.BUILDERS, "jit", builder)
    building = RecordingDict()
    monkeypatch.setattr(runtime, "_BUILDING", building)
    vox = voxels(3)
    runners = [InferenceModel(copy.deepcopy(model), "jit") for _ in range(2)]
    outs = [None, None]

    def work(i):
        outs[i] = run(runners[i], vox)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    threads[0].start()
    assert builder.started.wait(30)
    threads[1].start()
    # the second thread waits for the first one's build (was: traced it a second time)
    assert _wait_for(lambda: building.asked >= 2 or builder.n[first] >= 2)
    builder.release.set()
    for t in threads:
        t.join(30)
    assert builder.n == {first: 1}
    assert runners[0]._steps and list(runners[0]._steps.values()) == list(runners[1]._steps.values())
    assert_same(outs[0], plain_run(model, vox)) and assert_same(outs[1], plain_run(model, vox))
    assert not building  # no lock left behind


def test_a_build_never_waits_for_another_keys_build(monkeypatch):
    model = small()
    first = round(float(next(model.parameters()).detach().flatten()[0]), 3)
    builder = BlockingBuilder(hold=first)
    monkeypatch.setitem(runtime.BUILDERS, "jit", builder)
    vox = voxels(3)
    held = threading.Thread(target=run, args=(InferenceModel(copy.deepcopy(model), "jit"), vox))
    held.start()
    try:
        assert builder.started.wait(30)
        other = InferenceModel(other_weights(model, 0.5), "jit")
        run(other, vox)  # returns while the first build is still held
        assert held.is_alive() and other.backend == "jit" and len(other._steps) == 1
    finally:
        builder.release.set()
        held.join(30)
    assert sorted(builder.n.values()) == [1, 1]


def test_a_failed_build_lets_the_waiting_thread_try_its_own(monkeypatch):
    calls = []

    def flaky(fn, args):
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            raise RuntimeError("first build fails (injected)")
        return fn

    monkeypatch.setitem(runtime.BUILDERS, "jit", flaky)
    model = small()
    vox = voxels(3)
    a, b = InferenceModel(copy.deepcopy(model), "jit"), InferenceModel(copy.deepcopy(model), "jit")
    run(a, vox)
    run(b, vox)
    assert a.backend == "eager" and "injected" in a.fallback_reason
    assert b.backend == "jit" and len(calls) == 2


RECLAIM_SCRIPT = """
import copy, torch
from evfocus_live.nn.runtime import InferenceModel
from runtime_support import assert_same, plain_run, small, voxels
def names():
    return len(torch.jit._state._python_cu.get_functions())
model, vox, runners = small(), voxels(4), []
for k in range(3):
    m = copy.deepcopy(model)
    with torch.no_grad():
        next(m.parameters()).add_(0.1 * k)
    ref = copy.deepcopy(m)
    r = InferenceModel(m, "jit")
    r.reset_states()
    assert_same([r(x) for x in vox], plain_run(ref, vox))
    assert r.backend == "jit", r.fallback_reason
    runners.append((r, ref))
    print("functions", names())
for r, ref in runners:  # the steps built before each clear still run, and match
    r.reset_states(); ref.reset_states()
    assert_same([r(x) for x in vox], plain_run(ref, vox))
print("ok")
"""


def test_traces_give_their_memory_back_and_the_kept_steps_still_run():
    """Every trace registers ~8 MB of types and graphs in torch's process-wide compilation unit
    (never freed: 40 models grew a process by 320 MB). Built steps now live in compilation units
    of their own, and the process-wide one is emptied after each build. (A fresh process: the
    registry is kept, rightly, while other tests' TorchScript code lives in it.)"""
    assert _run_script(RECLAIM_SCRIPT).count("functions 0") == 3  # was: ~70 methods more per trace


USERS_TRACE_SCRIPT = """
import copy, torch, warnings
from evfocus_live.nn import runtime
from evfocus_live.nn.runtime import InferenceModel
from runtime_support import assert_same, plain_run, small, voxels
model, vox = small(), voxels(4)
mine = copy.deepcopy(model)
with torch.no_grad(), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    mine.reset_states()
    users = torch.jit.trace(mine, vox[1], check_trace=False, strict=False)  # the classes the runtime traces
    want = users(vox[2])["image"].clone()
ref = copy.deepcopy(model)
r = InferenceModel(copy.deepcopy(model), "jit")
assert_same([r(x) for x in vox], plain_run(ref, vox))
assert r.backend == "jit" and runtime._reclaim_blocked
with torch.no_grad():
    assert torch.equal(users(vox[2])["image"], want)  # its methods are still there
print("ok")
"""


def test_a_users_own_trace_of_the_same_model_keeps_its_methods():
    """The registry is cleared only when the runtime's traces made everything in it: a trace of
    the same model classes made before (a user's export) keeps it (else: a crash on its next call)."""
    _run_script(USERS_TRACE_SCRIPT)


def test_traces_keep_their_memory_when_other_torchscript_code_lives(monkeypatch, caplog):
    monkeypatch.setattr(runtime, "_reclaim_blocked", None)
    earlier = torch.jit._state._python_cu.get_functions()

    def someone_elses(x: torch.Tensor) -> torch.Tensor:
        return x * 2 + 1

    with warnings.catch_warnings():  # "torch.jit.script is deprecated"
        warnings.simplefilter("ignore", DeprecationWarning)
        someone_elses = torch.jit.script(someone_elses)

    model = small()
    vox = voxels(3)
    with caplog.at_level(logging.INFO, logger=LOG):
        for k in range(2):
            r = InferenceModel(other_weights(model, 0.1 * k), "jit")
            assert_same(run(r, vox), plain_run(other_weights(model, 0.1 * k), vox))
    assert torch.equal(someone_elses(torch.ones(2)), torch.full((2,), 3.0))  # its methods kept
    assert sum("keep their memory" in r.getMessage() for r in caplog.records) == 1
    # (in the whole suite an earlier test's own trace may be the first foreign code named)
    assert runtime._reclaim_blocked.startswith("other TorchScript code in this process")
    if not earlier:
        assert "someone_elses" in runtime._reclaim_blocked


def test_reclaim_off_keeps_torchs_own_behaviour(monkeypatch):
    monkeypatch.setattr(runtime, "RECLAIM_TRACES", False)
    model = small()
    vox = voxels(4)
    r = InferenceModel(copy.deepcopy(model), "jit")
    outs = run(r, vox)
    assert r.backend == "jit" and isinstance(list(r._steps.values())[0], torch.jit.ScriptModule)
    assert_same(outs, plain_run(model, vox))


def test_onnx_without_its_extra_says_so_at_once(monkeypatch, caplog):
    monkeypatch.setattr(runtime, "_onnx_available", lambda: False)
    with caplog.at_level(logging.WARNING, logger=LOG):
        r = InferenceModel(small(), "onnx")
    assert r.backend == "eager" and "pip install" in r.fallback_reason
    assert any("onnxruntime" in rec.getMessage() for rec in caplog.records)


def test_bf16_by_name_without_native_bf16_warns(monkeypatch, caplog):
    monkeypatch.setattr(runtime, "_bf16_fast", lambda: False)
    with caplog.at_level(logging.WARNING, logger=LOG):
        r = InferenceModel(small(), "auto", precision="bf16")
        quiet = InferenceModel(small(), "auto", precision="auto")  # auto: fp32 here, silently
    assert r.precision == quiet.precision == "fp32"
    assert [rec.getMessage() for rec in caplog.records] == [
        "precision bf16 needs a CPU with native bf16 (AVX512-BF16 or AMX), this one has none: running fp32"]


def test_unhashable_weights_build_a_step_of_their_own(monkeypatch):
    def broken(model):
        raise RuntimeError("cannot hash these weights (injected)")

    monkeypatch.setattr(runtime, "_weights_digest", broken)
    model = small()
    vox = voxels(4)
    r = InferenceModel(copy.deepcopy(model), "jit")
    assert_same(run(r, vox), plain_run(model, vox))
    assert r.backend == "jit" and not runtime._STEP_CACHE  # was: eager for good


@pytest.mark.parametrize("args", [["--models", "3"], ["--size", "8x8"], ["--size", "64"], ["--vary", "shape"]])
def test_trace_memory_bench_refuses_bad_options_in_one_line(args):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "trace_memory.py"), *args],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trace_memory.py: error:"), lines


UNSAVABLE_SCRIPT = """
import copy, logging, torch
from evfocus_live.nn import runtime
from evfocus_live.nn.runtime import InferenceModel
from runtime_support import assert_same, plain_run, small, voxels
lines = []
class Keep(logging.Handler):
    def emit(self, record):
        lines.append(record.getMessage())
logging.getLogger("evfocus_live.nn.runtime").addHandler(Keep())
logging.getLogger("evfocus_live.nn.runtime").setLevel(logging.INFO)
def run(r, vox):
    r.reset_states()
    return [r(x) for x in vox]
model, vox = small(), voxels(4)
opt = InferenceModel(copy.deepcopy(model), "jit", jit_optimize=True)
outs = run(opt, vox)
other = copy.deepcopy(model)
with torch.no_grad():
    next(other.parameters()).add_(0.3)
plain = InferenceModel(other, "jit")
run(plain, vox)
assert opt.backend == plain.backend == "jit"
assert "cannot be saved" in runtime._reclaim_blocked, runtime._reclaim_blocked
assert sum("keep their memory" in ln for ln in lines) == 1, lines
assert_same(outs, plain_run(model, vox))
assert_same(run(opt, vox), outs)  # its methods are still there
print("ok")
"""


def test_a_step_that_cannot_be_saved_is_used_as_is_and_the_registry_kept():
    """``jit_optimize``'s oneDNN constants cannot be saved: that step stays in torch's registry,
    which is then never cleared (its methods would go), and later steps still build and run."""
    _run_script(UNSAVABLE_SCRIPT)


def _three_frames(runner, vox):
    import torch

    runner.reset_states()
    with torch.inference_mode():
        return [runner(x)["image"].clone() for x in vox]


def test_a_model_loaded_again_reuses_its_traced_step(tiny_model):
    """Each TorchScript trace keeps 3-6 MB of torch's native memory for good, and the viewer
    loads the model again for every new source: 88 source switches grew it by 460 MB. The
    same weights now reuse the step; other weights get their own, and outputs match."""
    import copy

    import torch

    from evfocus_live.nn import runtime
    from evfocus_live.nn.runtime import InferenceModel

    runtime._STEP_CACHE.clear()
    g = torch.Generator().manual_seed(0)
    vox = [torch.randn(1, 5, 24, 32, generator=g) for _ in range(4)]
    first, again = copy.deepcopy(tiny_model), copy.deepcopy(tiny_model)  # (as loaded twice)
    r1, r2 = InferenceModel(first, "jit"), InferenceModel(again, "jit")
    out1, out2 = _three_frames(r1, vox), _three_frames(r2, vox)
    assert r1.backend == r2.backend == "jit" and len(r1._steps) == 1
    assert list(r2._steps.values())[0] is list(r1._steps.values())[0]
    assert all(torch.equal(a, b) for a, b in zip(out1, out2))

    changed = copy.deepcopy(tiny_model)
    with torch.no_grad():
        next(changed.parameters()).add_(0.5)  # new weights: never the old step
    r3 = InferenceModel(changed, "jit")
    out3 = _three_frames(r3, vox)
    assert list(r3._steps.values())[0] is not list(r1._steps.values())[0]
    with torch.inference_mode():
        changed.reset_states()
        plain = [changed(x)["image"] for x in vox]
    assert all(float((a - b).abs().max()) <= 1e-4 for a, b in zip(out3, plain))


def test_shared_steps_are_bounded(tiny_model, monkeypatch):
    import copy

    import torch

    from evfocus_live.nn import runtime
    from evfocus_live.nn.runtime import InferenceModel

    monkeypatch.setattr(runtime, "STEP_CACHE_SIZE", 2)
    runtime._STEP_CACHE.clear()
    vox = [torch.randn(1, 5, 16, 16) for _ in range(3)]
    for k in range(4):
        m = copy.deepcopy(tiny_model)
        with torch.no_grad():
            next(m.parameters()).add_(k)
        _three_frames(InferenceModel(m, "jit"), vox)
    assert len(runtime._STEP_CACHE) == 2


CONCURRENT_TRACE_SCRIPT = """
import copy, threading, torch, warnings
warnings.simplefilter("ignore")
from evfocus_live.nn import runtime
from evfocus_live.nn.runtime import InferenceModel
from runtime_support import assert_same, plain_run, small, voxels
model, vox = small(), voxels(4)
in_trace, user_done = threading.Event(), threading.Event()
freeze = torch.jit.freeze
def held_freeze(m, *a, **k):  # the runtime's trace, held open until the user's is made
    in_trace.set()
    assert user_done.wait(60)
    return freeze(m, *a, **k)
torch.jit.freeze = held_freeze
outs = []
def pipeline():  # as a Pipeline's worker thread
    r = InferenceModel(copy.deepcopy(model), "jit")
    outs.extend(r(x) for x in vox)
    assert r.backend == "jit", r.fallback_reason
t = threading.Thread(target=pipeline)
t.start()
assert in_trace.wait(120)
mine = copy.deepcopy(model)
mine.reset_states()
with torch.no_grad():
    users = torch.jit.trace(mine, vox[1], check_trace=False, strict=False)  # the user's export
user_done.set()
t.join(120)
torch.jit.freeze = freeze
assert_same(outs, plain_run(copy.deepcopy(model), vox))
mine.reset_states()
want = mine(vox[2])["image"]
with torch.no_grad():
    got = users(vox[2])["image"]  # (was: no attribute 'forward', then the process aborted)
assert torch.equal(got, want) and runtime._reclaim_blocked
print("ok")
"""


def test_a_users_trace_made_while_a_pipeline_traces_keeps_its_methods():
    """The registry was cleared when every function in it had a class name the runtime's traces
    had made: a user's trace of the same model made in another thread meanwhile had only such
    names, and lost its methods. A live module of the registry's now keeps it."""
    from runtime_support import _run_script
    _run_script(CONCURRENT_TRACE_SCRIPT)


def test_runtime_log_line_of_an_error_skips_a_blank_first_line():
    """A torch error whose text starts with a newline was logged as "RuntimeError: " alone."""
    from evfocus_live.nn.runtime import _first_line

    assert _first_line(RuntimeError("\nshape mismatch\nat line 3")) == "RuntimeError: shape mismatch"
    assert _first_line(ValueError()) == "ValueError: no detail"
