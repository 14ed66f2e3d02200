"""Event readers against files that change while read: shrunk, rewritten in place, rotated, still being
written: one error, never another recording's events or a SIGBUS."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from conftest import make_events
from evt_reference import raw_file_bytes
from reader_support import _read_on, _write_long

from evfocus_live.errors import InputError
from evfocus_live.sources import hdf5_file, npy_file, open_file
from evfocus_live.writers import Aedat4Writer, Hdf5Writer


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


W, H = 640, 480


FORMATS = ["evt2", "evt3", "aedat4", "npy", "txt", "h5"]


SUFFIX = {"evt2": "raw", "evt3": "raw", "aedat4": "aedat4", "npy": "npy", "txt": "txt", "h5": "h5"}


#: small batches, so that a 20 k-event file takes many reads
OPEN_KW = {"evt2": dict(block_bytes=4096), "evt3": dict(block_bytes=4096), "txt": dict(block_bytes=8192)}


@pytest.fixture
def _small_batches(monkeypatch):
    monkeypatch.setattr(npy_file, "BATCH_EVENTS", 1000)
    monkeypatch.setattr(hdf5_file, "BATCH_EVENTS", 1000)


def _text_rows(ev: np.ndarray) -> str:
    return "".join(f"{t / 1e6:.6f} {x} {y} {p}\n" for t, x, y, p in ev.tolist())


def _write(fmt: str, path, ev: np.ndarray) -> None:
    if fmt in ("evt2", "evt3"):
        path.write_bytes(raw_file_bytes(ev, int(fmt[-1]), W, H))
    elif fmt == "aedat4":
        with Aedat4Writer(path, W, H) as w:
            for k in range(0, len(ev), 500):
                w.write(ev[k:k + 500])
    elif fmt == "npy":
        np.save(path, ev)
    elif fmt == "h5":
        with Hdf5Writer(path, W, H) as w:
            w.write(ev)
    else:
        path.write_text(f"{W} {H}\n" + _text_rows(ev))


def _append(fmt: str, path, ev: np.ndarray) -> None:
    """More data at the end, as a recorder still writing would add it."""
    if fmt in ("evt2", "evt3"):
        data = raw_file_bytes(ev, int(fmt[-1]), W, H)
        data = data[data.index(b"% end\n") + 6:]
    elif fmt == "txt":
        data = _text_rows(ev).encode() + b"1.5"  # and a row half written
    else:
        data = b"\0" * 50_000
    with open(path, "ab") as f:
        f.write(data)


A = make_events(20_000, W, H, duration_us=2_000_000, seed=1)


B = make_events(30_000, W, H, t0_us=50_000_000, duration_us=2_000_000, seed=2)  # another recording


@pytest.mark.usefixtures("_small_batches")
@pytest.mark.parametrize("fmt", FORMATS)
def test_file_rewritten_in_place_is_one_error_not_another_recordings_events(tmp_path, fmt):
    path, other = tmp_path / f"a.{SUFFIX[fmt]}", tmp_path / f"b.{SUFFIX[fmt]}"
    _write(fmt, path, A)
    _write(fmt, other, B)
    with open_file(path, **OPEN_KW.get(fmt, {})) as src:
        first = src.read()
        with open(path, "r+b") as f:  # same inode: truncated and written again
            f.truncate(0)
            f.write(other.read_bytes())
        got, err = _read_on(src)
    assert err is not None, "read on in silence"
    msg = str(err)
    assert msg.startswith(f"{path}: ") and "\n" not in msg
    why = msg[len(str(path)):]  # (the test's folder name says "rewritten" too)
    # (a read racing the truncate-then-write sees the file cut short: said as such)
    assert any(w in why for w in ("was rewritten while being read", "changed while being read",
                                  "shrank while being read")), msg
    ev = np.concatenate([first, *got])
    assert len(first) and int(ev["t"].max()) <= int(A["t"].max())  # none of B's events


@pytest.mark.usefixtures("_small_batches")
@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "h5"])
def test_file_still_being_written_reads_what_was_there_and_ends(tmp_path, fmt):
    """A recording in progress: what a writer appends after opening is not read (the text
    reader read on into it, its half-written last row dropped with a warning), and the end
    is clean: no error, no loop."""
    path = tmp_path / f"a.{SUFFIX[fmt]}"
    _write(fmt, path, A)
    with open_file(path, **OPEN_KW.get(fmt, {})) as src:
        first = src.read()
        _append(fmt, path, B[:3000])
        got, err = _read_on(src)
        assert err is None, err
        assert src.read() is None  # stays at the end
    ev = np.concatenate([first, *got])
    assert np.array_equal(ev, A)


@pytest.mark.usefixtures("_small_batches")
def test_hdf5_file_changed_while_read_is_one_error(tmp_path):
    """HDF5 cannot read a file that changes under it (no SWMR): it went on with cached chunk
    indexes, or failed as 'filter returned failure during read'."""
    path = tmp_path / "a.h5"
    _write("h5", path, A)
    with open_file(path) as src:
        src.read()
        _append("h5", path, B)
        with pytest.raises(InputError, match=r"the file changed while being read"):
            _read_on(src)
            src.read()
    _write("h5", path, A)
    with open_file(path) as src:
        src.read()
        os.truncate(path, path.stat().st_size // 2)
        with pytest.raises(InputError, match=r"the file shrank while being read"):
            while src.read() is not None:
                pass


@pytest.mark.usefixtures("_small_batches")
def test_text_file_shrinking_says_so(tmp_path):
    """It said "rows need 4 columns 't x y p' (line N has 1)" (the row cut by the truncation)."""
    path = tmp_path / "a.txt"
    _write("txt", path, A)
    with open_file(path, block_bytes=8192) as src:
        src.read()
        os.truncate(path, path.stat().st_size // 3 + 5)
        got, err = _read_on(src)
    assert err is not None and "shrank" in str(err), err


@pytest.mark.usefixtures("_small_batches")
@pytest.mark.parametrize("fmt", ["evt3", "aedat4", "npy", "txt"])
def test_file_rotated_by_rename_is_read_to_its_end(tmp_path, fmt):
    """Another file renamed over the path: the reader keeps the file it opened."""
    path, other = tmp_path / f"a.{SUFFIX[fmt]}", tmp_path / f"b.{SUFFIX[fmt]}"
    _write(fmt, path, A)
    with open_file(path, **OPEN_KW.get(fmt, {})) as src:
        first = src.read()
        _write(fmt, other, B)
        os.replace(other, path)
        got, err = _read_on(src)
    assert err is None and np.array_equal(np.concatenate([first, *got]), A)


@pytest.mark.skipif(not hasattr(os, "preadv"), reason="the lock path reads through readinto")
def test_read_checks_the_file_again_after_its_pread(tmp_path, monkeypatch):
    """A rewrite landing between FileReader.read's check and its pread (AEDAT4's prefetch
    threads read packets this way) is said as a rewrite, not handed on as this file's bytes:
    readinto checked after its read, read's one-pread path did not."""
    from evfocus_live.sources import fileio

    path = tmp_path / "rec.bin"
    path.write_bytes(bytes(range(256)) * 16)
    real = os.pread
    calls = []

    def racing(fd, n, off):
        calls.append(off)
        if len(calls) == 1:  # a recorder truncates and rewrites the file under the reader now
            with open(path, "r+b") as f:
                f.truncate(0)
                f.write(b"\xff" * 8192)
        return real(fd, n, off)

    with open(path, "rb") as fh:
        r = fileio.FileReader(fh, path)
        assert r.read(0, 100) == (bytes(range(256)) * 16)[:100]
        monkeypatch.setattr(fileio.os, "pread", racing)
        with pytest.raises(InputError, match="rewritten while being read"):
            r.read(100, 100)
