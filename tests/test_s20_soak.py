"""Session 20, the soak: what grew in hours-long viewer runs (each test drives the component
many times in-process and checks it stays bounded), and bench/soak.py itself."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from conftest import make_events

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _packets(path) -> int:
    from evfocus_live.sources.aedat4_file import Aedat4FileSource

    with Aedat4FileSource(path) as src:
        return len(src._offs)


def test_aedat4_writer_packet_index_costs_under_100_bytes_a_packet(tmp_path):
    """The writer keeps its packet index in memory for the table at the end: as a list of
    tuples that was ~190 bytes a packet (an hour of the viewer's small packets: ~0.3 GB)."""
    from evfocus_live.sources import open_file
    from evfocus_live.writers import Aedat4Writer

    ev = make_events(10, duration_us=1_000)
    n = 5_000
    w = Aedat4Writer(tmp_path / "many.aedat4", 346, 260, compression="none")
    w.write(ev)  # (first-call allocations out of the count)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for k in range(1, n):
            ev["t"] += 1_000
            w.write(ev)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    w.close()
    assert grown / n < 100, f"{grown / n:.0f} bytes per packet"
    with open_file(tmp_path / "many.aedat4") as src:  # the table is still right
        assert sum(len(b) for b in src) == 10 * n
        assert src.time_range_us() == (int(ev["t"][0]) - 1_000 * (n - 1), int(ev["t"][-1]))


def test_recorder_gathers_small_batches_into_10_ms_packets(tmp_path):
    """The viewer hands the recorder a batch every 2-5 ms (sensor time); one packet each made
    an hour's recording ~1 M packets, header and index entry each. Now ~10 ms packets, and
    every event is in the file after stop()."""
    from evfocus_live.gui.recording import PACKET_US, Recorder
    from evfocus_live.sources import open_file

    ev = make_events(20_000, duration_us=4_000_000, seed=3)  # 4 s
    batches = np.array_split(ev, 2_000)  # 2 ms each
    rec = Recorder()
    rec.start(events_path=tmp_path / "r.aedat4", width=346, height=260)
    for b in batches:
        rec.write_events(b)
    rec.stop()
    assert rec.n_events == len(ev)
    with open_file(tmp_path / "r.aedat4") as src:
        assert np.array_equal(np.concatenate(list(src)), ev)
    packets = _packets(tmp_path / "r.aedat4")
    assert 4_000_000 / PACKET_US / 2 <= packets <= 4_000_000 / PACKET_US + 1, packets


def test_recorder_holds_a_copy_of_a_batch_it_has_not_written(tmp_path):
    """A batch held for the next packet is copied: a source may reuse its array."""
    from evfocus_live.gui.recording import Recorder
    from evfocus_live.sources import open_file

    ev = make_events(100, duration_us=1_000, seed=4)
    rec = Recorder()
    rec.start(events_path=tmp_path / "c.aedat4", width=346, height=260)
    buf = ev.copy()
    rec.write_events(buf)
    buf["x"] = 0  # the source reuses its array
    rec.stop()
    with open_file(tmp_path / "c.aedat4") as src:
        assert np.array_equal(np.concatenate(list(src)), ev)


def test_soak_script_runs_and_reports_samples(tmp_path):
    """bench/soak.py for a couple of seconds on a tiny looped recording: samples in the CSV
    (RSS, threads, fds, objects, loop passes), the growth summary on stdout."""
    from evfocus_live.writers import Hdf5Writer

    rec = tmp_path / "tiny.h5"
    with Hdf5Writer(rec, 64, 48) as w:
        w.write(make_events(5_000, 64, 48, duration_us=100_000))
    out = tmp_path / "soak.csv"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    r = subprocess.run([sys.executable, str(BENCH / "soak.py"), "--source", str(rec), "--speed", "0",
                        "--model", "random-firenet", "--minutes", "0.04", "--interval-s", "0.5",
                        "--warmup-s", "0.5", "--out", str(out)],
                       cwd=BENCH.parent, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 3, rows
    last = rows[-1]
    assert float(last["rss_MB"]) > 10 and int(last["os_threads"]) >= 2 and int(last["fds"]) >= 3
    assert int(last["objects"]) > 1000 and int(last["frames"]) >= 1 and int(last["loops"]) >= 1, last
    assert "slope" in r.stdout and "MiB/h" in r.stdout and " loops" in r.stdout, r.stdout
    assert "soak: " in r.stderr  # the samples were logged as they came


def test_status_log_keeps_the_newest_messages_only(qtbot, tmp_path, tiny_model):
    """Every status message was kept for the window's life: a viewer left running for days
    (a flapping camera: two lines per stall) grew without end."""
    from gui_support import make_window, pattern

    from evfocus_live.gui.window import STATUS_LOG_MAX

    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    for k in range(5 * STATUS_LOG_MAX):
        win.status(f"message {k}")
    assert STATUS_LOG_MAX <= len(win.status_log) <= 2 * STATUS_LOG_MAX
    assert win.status_log[-1] == f"message {5 * STATUS_LOG_MAX - 1}"
    win.close()


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
