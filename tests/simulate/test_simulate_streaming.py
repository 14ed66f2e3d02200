"""`evfocus simulate` streams: long sequences in bounded memory, the same files as before."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tracemalloc

import h5py
import numpy as np
import pytest

from evfocus_live.cli import main as cli_main
from evfocus_live.errors import ConfigError
from evfocus_live.simulate import SimConfig, sequence, simulate_sequence, write_sequence

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

#: small and busy: a foreground object and a panning background, noise and hot pixels
BUSY = SimConfig(width=48, height=32, duration_s=0.3, frame_ms=10.0, speed_range_px_s=(400.0, 400.0), p_still=0.0,
                 fg_layers=(1, 1), contrast_range=(0.15, 0.15), hot_pixel_fraction_range=(0.01, 0.01))


def _h5_contents(path) -> dict:
    """Every attribute and dataset (values, dtype, shape) of an .h5, by name."""
    out = {}
    with h5py.File(path) as f:
        def visit(name, obj):
            out[name + "@attrs"] = {k: (v.tolist(), str(v.dtype)) if isinstance(v, np.ndarray) else v
                                    for k, v in obj.attrs.items()}
            if isinstance(obj, h5py.Dataset):
                out[name] = (obj.dtype.str, obj.shape, obj.maxshape, obj[()])
        visit("/", f)
        f.visititems(visit)
    return out


def _assert_same_h5(a, b):
    ca, cb = _h5_contents(a), _h5_contents(b)
    assert sorted(ca) == sorted(cb)
    for name in ca:
        if name.endswith("@attrs"):
            assert ca[name] == cb[name], name
        else:
            assert ca[name][:3] == cb[name][:3], name
            np.testing.assert_array_equal(ca[name][3], cb[name][3], err_msg=name)


def test_streamed_sequence_equals_the_in_memory_one_across_many_batches(tmp_path, monkeypatch):
    """simulate_to_files writes events in batches of whole chunks and frames in blocks; the
    files must hold exactly what write_sequence(simulate_sequence(...)) writes, and
    /frames/event_idx (built interval by interval) must index the first event at t >= t_us."""
    from evfocus_live.writers import aedat4, hdf5

    monkeypatch.setattr(hdf5, "CHUNK_EVENTS", 512)  # many batches in a short sequence
    monkeypatch.setattr(sequence, "EVENT_BATCH_CHUNKS", 1)
    monkeypatch.setattr(sequence, "FRAME_BLOCK_BYTES", 4 * BUSY.width * BUSY.height * 6)  # blocks of 4 frames
    batches = []
    real_write = aedat4.Aedat4Writer.write
    monkeypatch.setattr(aedat4.Aedat4Writer, "write", lambda self, ev: batches.append(len(ev)) or real_write(self, ev))
    info = sequence.simulate_to_files(BUSY, 3, tmp_path / "s" / "seq_00000")
    streamed = batches[:]
    res = simulate_sequence(BUSY, 3)
    write_sequence(res, tmp_path / "m" / "seq_00000")
    assert len(streamed) > 5 and all(n % 512 == 0 for n in streamed[:-1]), streamed  # as the run went
    assert info["events"] == len(res.events) > 5 * 512 and info["frames"] == len(res.t_us) == 31
    assert info["seed"] == 3 and info["renders"] == res.meta["renders"] > 0
    _assert_same_h5(tmp_path / "s" / "seq_00000.h5", tmp_path / "m" / "seq_00000.h5")
    assert (tmp_path / "s" / "seq_00000.aedat4").read_bytes() == (tmp_path / "m" / "seq_00000.aedat4").read_bytes()
    with h5py.File(tmp_path / "s" / "seq_00000.h5") as f:
        np.testing.assert_array_equal(f["frames/event_idx"][:], np.searchsorted(res.events["t"], res.t_us, side="left"))
        np.testing.assert_array_equal(f["frames/t_us"][:], sequence.frame_times_us(BUSY))
        assert f["events/t"].chunks == (512,)
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["seq_00000.aedat4", "seq_00000.h5"]


def _peak_bytes(fn) -> int:
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    return tracemalloc.get_traced_memory()[1] - base


def test_a_long_sequence_needs_no_more_memory_than_a_short_one(tmp_path):
    """Every event and ground-truth frame of a sequence was held in memory (and the whole
    .h5 again in a BytesIO): --duration 600 at 346x260 needed tens of GB. Here 6x the
    duration (301 frames of 64x48 every 1 ms, ~5.5 MB of ground truth in the old layout)
    may not raise the traced peak by more than 1 MB."""
    cfg = SimConfig(width=64, height=48, frame_ms=1.0, duration_s=0.05, fg_layers=(0, 1), speed_range_px_s=(60.0, 60.0))

    def run(name, duration_s):
        sequence.simulate_dataset(dataclasses.replace(cfg, duration_s=duration_s), tmp_path / name, 1, 5,
                                  progress=False)

    run("warm", 0.05)  # numba, imports, caches
    tracemalloc.start()
    try:
        short = _peak_bytes(lambda: run("short", 0.05))
        long = _peak_bytes(lambda: run("long", 0.3))
    finally:
        tracemalloc.stop()
    with h5py.File(tmp_path / "long" / "seq_00000.h5") as f:
        assert f["frames/sharp"].shape == (301, 48, 64)
    assert long - short < 1_000_000, (short, long)


def test_long_sequences_are_accepted_and_only_the_in_memory_path_refuses_them():
    """validate() refused any sequence whose ground truth exceeded 4 GB of memory, though
    the CLI now streams it to disk; simulate_sequence (in memory) still refuses, in one line."""
    cfg = SimConfig(width=346, height=260, duration_s=600.0).validate()  # 24001 frames, 13 GB of GT
    with pytest.raises(ConfigError, match="simulate_to_files"):
        simulate_sequence(cfg, 0)


from simulate_support import FULL_DISK_CLI as FULL_DISK  # noqa: E402 (`evfocus` on a full disk)


def test_a_full_disk_while_writing_the_aedat4_leaves_no_sequence_file(tmp_path):
    """The .h5 was renamed into place before the .aedat4 was written: a full disk then left
    seq_00000.h5 without its .aedat4. Both are now finished together; nothing stays."""
    out = tmp_path / "d"
    # ~57 k events in 3 frames: the .aedat4 (~7.6 B/event, ~430 kB) passes 350 kB, the .h5 (~4.6 B/event) does not
    p = subprocess.run([sys.executable, "-c", FULL_DISK, "350000", "-q", "simulate", str(out), "--sequences", "1",
                        "--duration", "1.0", "--resolution", "48x32", "--frame-ms", "500", "--max-speed", "2000",
                        "--contrast-range", "0.15", "0.15", "--seed", "1"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    err = p.stderr.strip().splitlines()
    assert p.returncode == 2, (p.returncode, p.stderr[-2000:])
    assert len(err) == 1 and "cannot write (File too large)" in err[0], err
    assert sorted(q.name for q in out.iterdir()) == [], "a sequence file (or .part) was left behind"


def test_an_interrupted_sequence_leaves_no_file(tmp_path, monkeypatch):
    """Events and frames now go to disk during the simulation: Ctrl-C part-way (after some
    batches were written) must still leave neither a seq_* file nor a .part."""
    from evfocus_live.writers import hdf5

    monkeypatch.setattr(hdf5, "CHUNK_EVENTS", 256)
    monkeypatch.setattr(sequence, "EVENT_BATCH_CHUNKS", 1)
    monkeypatch.setattr(sequence, "FRAME_BLOCK_BYTES", 1)
    calls = []
    real = sequence.Simulator.advance

    def advance(self, t_end_us):
        calls.append(t_end_us)
        if len(calls) == 20:
            raise KeyboardInterrupt
        return real(self, t_end_us)

    monkeypatch.setattr(sequence.Simulator, "advance", advance)
    written = []
    real_events = sequence._SequenceFiles._write_events
    monkeypatch.setattr(sequence._SequenceFiles, "_write_events",
                        lambda self, final: written.append(self._n_pending) or real_events(self, final))
    with pytest.raises(KeyboardInterrupt):
        sequence.simulate_dataset(BUSY, tmp_path / "o", 1, 3, progress=False)
    assert len(written) >= 2  # batches had reached the disk
    assert [p.name for p in (tmp_path / "o").iterdir()] == []


SIM = ["--sequences", "3", "--duration", "0.06", "--resolution", "32x24", "--frame-ms", "20", "--seed", "7"]


def test_reruns_workers_and_resume_give_the_same_bytes(tmp_path, monkeypatch):
    """Streamed files are byte-identical across reruns and --workers; --resume simulates
    only the sequences an interrupted run did not finish."""
    assert cli_main(["-q", "simulate", str(tmp_path / "a"), *SIM]) == 0
    assert cli_main(["-q", "simulate", str(tmp_path / "b"), *SIM, "--workers", "2"]) == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(names) == 7 and names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        if name != "dataset.json":
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for name in ("dataset.json", "seq_00001.h5", "seq_00001.aedat4"):
        (tmp_path / "b" / name).unlink()
    (tmp_path / "b" / "seq_00001.h5.part").write_bytes(b"what a killed run leaves")
    made = []
    real = sequence.simulate_to_files
    monkeypatch.setattr(sequence, "simulate_to_files",
                        lambda cfg, seed, base, **k: made.append(seed) or real(cfg, seed, base, **k))
    assert cli_main(["-q", "simulate", str(tmp_path / "b"), *SIM, "--resume"]) == 0
    assert made == [8]
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == names  # the stale .part is gone too
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    m = json.loads((tmp_path / "b" / "dataset.json").read_text())
    assert [s["seed"] for s in m["sequences"]] == [7, 8, 9]
