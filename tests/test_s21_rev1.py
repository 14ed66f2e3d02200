"""Session 21 review (rev1): the five merged changes used together, as a user would.

- ``evfocus reconstruct A B --start-s S`` where S lies past B's end (A reconstructed first):
  the error line did not say which input it was about ("start 0.06 s is after the end of the
  recording (0.050 s)"), with ``--jobs 1`` or ``--jobs 2``: it now names the input.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.cli import main


@pytest.fixture
def two_lengths(tmp_path):
    """A 0.3 s and a 0.05 s recording (.npy), a small sensor."""
    long_rec, short_rec = tmp_path / "long.npy", tmp_path / "short.npy"
    np.save(long_rec, make_events(30_000, 64, 48, duration_us=300_000, seed=1))
    np.save(short_rec, make_events(5_000, 64, 48, duration_us=50_000, seed=2))
    return long_rec, short_rec


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_start_past_one_inputs_end_names_that_input(tmp_path, two_lengths, tiny_ckpt, capsys, jobs):
    long_rec, short_rec = two_lengths
    out = tmp_path / "out"
    assert main(["reconstruct", str(long_rec), str(short_rec), "-o", str(out), "--model", str(tiny_ckpt),
                 "--device", "cpu", "--no-progress", "--start-s", "0.1", "--jobs", jobs]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if "error" in ln]
    assert len(err) == 1, err
    assert str(short_rec) in err[0] and "after the end of the recording" in err[0], err
    assert str(long_rec) not in err[0]
    assert (out / "long" / "timestamps.txt").is_file()  # the other input is done all the same


# ------------------------------------------------- runtime: a user's trace made beside one here
CONCURRENT_TRACE_SCRIPT = """
import copy, threading, torch, warnings
warnings.simplefilter("ignore")
from evfocus_live.nn import runtime
from evfocus_live.nn.runtime import InferenceModel
from runtime_support import small, voxels, plain_run, assert_same
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
