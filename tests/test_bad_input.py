"""Bad input to ``evfocus info``: one line on stderr, exit code 2, fast, never a traceback.

Policy per format for truncated files: AEDAT4 and RAW cut inside the data yield the
events before the cut (exit 0, with a warning for AEDAT4 and for RAW cut mid-word);
cut inside the header, or leaving no events, they fail with exit 2. HDF5 and .npy
cut anywhere fail (their containers cannot be read partially); text drops a cut last line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import DAVIS_FILE, EVT2_FILE, EVT3_FILE, REAL_FILES, make_events
from evfocus_live.cli import main
from evfocus_live.writers import Hdf5Writer


def _fails(capsys, path, match=None):
    t = time.monotonic()
    rc = main(["info", str(path)])
    out, err = capsys.readouterr()
    assert rc == 2, out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("evfocus info: error: "), err
    assert "Traceback" not in err
    assert time.monotonic() - t < 10
    if match:
        assert match in lines[0], lines[0]
    return lines[0]


def _events(capsys, path):
    rc = main(["info", str(path), "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return json.loads(out)["events"]


@pytest.mark.parametrize("ext", [".aedat4", ".raw", ".h5", ".npy", ".txt", ".csv", ".xyz"])
def test_empty_file(tmp_path, capsys, ext):
    p = tmp_path / f"empty{ext}"
    p.write_bytes(b"")
    _fails(capsys, p, "file is empty")


@pytest.mark.parametrize("ext", [".aedat4", ".raw", ".h5", ".npy", ".txt"])
def test_random_bytes_with_valid_extension(tmp_path, capsys, ext):
    p = tmp_path / f"random{ext}"
    p.write_bytes(np.random.default_rng(1).bytes(20_000))
    _fails(capsys, p, "not a valid")


def test_directory_and_missing_path(tmp_path, capsys):
    _fails(capsys, tmp_path, "is a directory")
    _fails(capsys, tmp_path / "nope.aedat4", "no such file")


def test_raw_header_without_data(tmp_path, capsys):
    p = tmp_path / "header_only.raw"
    p.write_bytes(b"% evt 3.0\n% format EVT3;height=720;width=1280\n% end\n")
    _fails(capsys, p, "no event data")
    p.write_bytes(b"% evt 3.0\n% plugin_name hal_plugin_gen41_evk3\n")  # legacy, no end
    _fails(capsys, p, "no event data")


@pytest.mark.parametrize("path", [DAVIS_FILE, EVT3_FILE, EVT2_FILE], ids=["aedat4", "evt3", "evt2"])
@pytest.mark.parametrize("cut", [5, 40, 120])
def test_cut_inside_header_fails(tmp_path, capsys, path, cut):
    p = tmp_path / ("cut" + path.suffix)
    p.write_bytes(path.read_bytes()[:cut])
    _fails(capsys, p)


@pytest.mark.parametrize("name", ["davis346", "evt3", "evt2"])
@pytest.mark.parametrize("frac", [0.3, 0.61, 0.97])
def test_cut_inside_data_yields_events_before_the_cut(tmp_path, capsys, caplog, name, frac):
    facts = REAL_FILES[name]
    data = facts["path"].read_bytes()
    p = tmp_path / ("cut" + facts["path"].suffix)
    cut = int(len(data) * frac) | 1          # odd: mid-word for RAW
    p.write_bytes(data[:cut])
    n = _events(capsys, p)
    assert 0 < n < facts["events"]
    assert "truncated" in caplog.text


def test_aedat4_cut_inside_its_index_keeps_all_events(tmp_path, capsys):
    data = DAVIS_FILE.read_bytes()
    p = tmp_path / "cut.aedat4"
    p.write_bytes(data[:len(data) - 100])  # only the packet index (at the end) is damaged;
    assert _events(capsys, p) == REAL_FILES["davis346"]["events"]  # we walk packets instead


def test_cut_hdf5_and_npy_fail(tmp_path, capsys):
    ev = make_events(20_000)
    h5 = tmp_path / "e.h5"
    with Hdf5Writer(h5, 346, 260) as w:
        w.write(ev)
    np.save(tmp_path / "e.npy", ev)
    for src in (h5, tmp_path / "e.npy"):
        data = src.read_bytes()
        for frac in (0.1, 0.5, 0.9):
            p = tmp_path / f"cut_{frac}{src.suffix}"
            p.write_bytes(data[:int(len(data) * frac)])
            _fails(capsys, p)


def test_text_without_events_and_bad_size(tmp_path, capsys):
    p = tmp_path / "e.txt"
    p.write_text("346 260\n")
    _fails(capsys, p, "contains no events")
    p.write_text("0 260\n0.1 1 2 1\n")
    _fails(capsys, p, "invalid sensor size")


def test_npy_pickled_object_refused(tmp_path, capsys):
    p = tmp_path / "obj.npy"
    np.save(p, np.array([{"t": 1}], dtype=object), allow_pickle=True)
    _fails(capsys, p, "not a readable .npy")


@pytest.mark.parametrize("case", ["missing", "random", "truncated_header"])
def test_end_to_end_subprocess(tmp_path, case):
    p = tmp_path / "in.aedat4"
    if case == "random":
        p.write_bytes(np.random.default_rng(2).bytes(3000))
    elif case == "truncated_header":
        p = tmp_path / "in.raw"
        p.write_bytes(EVT3_FILE.read_bytes()[:30])
    t = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "evfocus_live", "-q", "info", str(p)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("evfocus info: error: ")]
    assert len(errors) == 1 and r.stdout == ""
    assert time.monotonic() - t < 60
