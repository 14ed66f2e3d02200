"""Readers survive a file that shrinks under them (a recorder rewriting it, a sync tool).

They used to read through ``mmap``: touching a page past the new end of the file killed the
process with SIGBUS (exit -7, no message, a recording in progress lost). Now a read that comes
up short raises one InputError line after the batches already returned: ``evfocus info`` ends
with exit 2 and that line, and seeking (its index scan) fails the same way. Each case runs in
a subprocess so the old crash shows as a return code instead of killing pytest.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import make_events
from evfocus_live.writers import Aedat4Writer
from evt_reference import raw_file_bytes

#: argv: fmt, file for the seek case, file for `evfocus info`, size to cut both to (bytes)
SCRIPT = r"""
import json, os, sys
from evfocus_live.errors import InputError
from evfocus_live.sources import npy_file, open_file
from evfocus_live.sources.aedat4_file import Aedat4FileSource
from evfocus_live.sources.raw_file import RawFileSource

fmt, seek_path, info_path, cut = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
npy_file.BATCH_EVENTS = 1000  # several batches in a small file

# 1. an open reader: first batch, the file shrinks, then a seek (it scans or bisects the file)
n_read, error = 0, None
with open_file(seek_path) as src:
    first = src.read()
    n_read = len(first)
    os.truncate(seek_path, cut)
    try:
        src.seek(int(first["t"][-1]) + 1)
        while (b := src.read()) is not None:
            n_read += len(b)
    except InputError as exc:
        error = str(exc)
print(json.dumps({"first": len(first), "read": n_read, "error": error}), flush=True)

# 2. `evfocus info`: the file shrinks after the reader's first batch
cls = {"raw": RawFileSource, "aedat4": Aedat4FileSource, "npy": npy_file.NpyFileSource}[fmt]
real_read, batches = cls.read, []

def read(self):
    b = real_read(self)
    if not batches:
        os.truncate(info_path, cut)
    batches.append(b)
    return b

cls.read = read
from evfocus_live.cli import main
sys.exit(main(["info", info_path]))
"""


def _write_long(fmt: str, path) -> None:
    """A file several batches long: RAW > 2 decode blocks (512 KiB each), AEDAT4 40 packets
    (the reader prefetches 4), npy 5 batches of the 1000 set in the script."""
    if fmt == "raw":
        path.write_bytes(raw_file_bytes(make_events(300_000, 640, 480, duration_us=3_000_000), 2,
                                        640, 480))
    elif fmt == "aedat4":
        ev = make_events(20_000)
        with Aedat4Writer(path, 346, 260) as w:
            for k in range(0, len(ev), 500):
                w.write(ev[k:k + 500])
    else:
        np.save(path, make_events(5_000))


@pytest.mark.parametrize("fmt", ["raw", "aedat4", "npy"])
def test_file_shrinking_while_read_gives_one_error_not_sigbus(tmp_path, fmt):
    seek_path, info_path = tmp_path / f"seek.{fmt}", tmp_path / f"info.{fmt}"
    _write_long(fmt, seek_path)
    _write_long(fmt, info_path)
    size = seek_path.stat().st_size
    cut = size // 10  # below the first batch's end: the next read (and any seek) needs more
    r = subprocess.run([sys.executable, "-c", SCRIPT, fmt, str(seek_path), str(info_path), str(cut)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != -signal.SIGBUS, f"SIGBUS: {r.stderr[-2000:]}"
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr[-2000:])
    err = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(err) == 1, r.stderr
    assert err[0].startswith("evfocus info: error: ") and str(info_path) in err[0], err[0]
    assert "shrank" in err[0] and "Traceback" not in r.stderr
    seek = json.loads(r.stdout.splitlines()[0])
    assert seek["first"] > 0 and seek["read"] >= seek["first"]
    assert seek["error"] is not None and "\n" not in seek["error"], seek
    assert str(seek_path) in seek["error"] and "shrank" in seek["error"], seek


BENCH_READ = Path(__file__).resolve().parents[1] / "bench" / "bench_read.py"


def _bench_read(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH_READ), *args], cwd=BENCH_READ.parents[1],
                          capture_output=True, text=True, timeout=300)


def test_bench_read_formats_option_and_npy_rows():
    """--formats picks readers (a run for one format need not build 20 M-event files of every
    format), and npy is benchmarked too; an unknown name is one line and exit 2."""
    r = _bench_read("--formats", "npy", "--events", "2000", "--repeat", "1")
    assert r.returncode == 0, r.stderr
    rows = [line.split() for line in r.stdout.splitlines() if line.split()[:1] in (["npy"], ["evt3"])]
    assert [row[1] for row in rows] == ["np.load", "NpyFileSource"], r.stdout
    assert rows[1][-1] == "%" and rows[1][2] == "2,000", rows
    r = _bench_read("--formats", "npy,nosuch")
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "nosuch" in err[0] and "choose from" in err[0], r.stderr


@pytest.mark.skipif(not (BENCH_READ.parents[1] / ".git").exists(), reason="--baseline reads git history")
def test_bench_read_baseline_compares_with_a_git_revision(tmp_path):
    """--baseline REV times the readers of REV against ours on the same files (interleaved, in
    one process) and prints ours/REV per file; --real adds recordings from a folder."""
    real = tmp_path / "real"
    real.mkdir()
    _write_long("raw", real / "small.raw")
    r = _bench_read("--formats", "evt2", "--events", "2000", "--repeat", "1", "--baseline", "HEAD",
               "--real", str(real))
    assert r.returncode == 0, r.stderr
    rows = {line.split()[0]: line.split() for line in r.stdout.splitlines()
            if line.startswith(("bench_evt2.raw ", "small.raw "))}
    assert set(rows) == {"bench_evt2.raw", "small.raw"}, r.stdout
    assert rows["small.raw"][1] == "300,000" and float(rows["small.raw"][-1]) > 0, rows
    r = _bench_read("--formats", "evt2", "--baseline", "no-such-revision")
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "no-such-revision" in err[0], r.stderr
