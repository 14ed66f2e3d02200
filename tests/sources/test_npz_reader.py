""".npz archives (numpy.savez / savez_compressed): real recordings converted and read back,
the layouts and names labs use, the sensor size, bounded reads, and bad archives in one line."""

from __future__ import annotations

import json
import logging
import os
import zipfile

import numpy as np
import pytest
from conftest import DAVIS_FILE, EVT3_FILE, make_events

from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.sources import detect_format, file_extensions, npz_file, open_file, open_source
from evfocus_live.sources.fileio import FileReader
from evfocus_live.sources.npy_file import UNIT_SAMPLE

SAVE = {"stored": np.savez, "compressed": np.savez_compressed}


def _all(src) -> np.ndarray:
    with src:
        return np.concatenate(list(src))


@pytest.fixture(scope="module")
def real() -> dict:
    """The real recordings' events as their own readers give them (read once per module)."""
    out = {}
    for name, path in (("davis346", DAVIS_FILE), ("evt3", EVT3_FILE)):
        src = open_file(path)
        out[name] = (_all(src), src.resolution)
    return out


def _write(path, ev, layout: str, save, size=None) -> None:
    """``ev`` saved as labs do: one array per column (``t`` int µs or ``ts`` float seconds),
    one structured array, or one N x 4 array."""
    extra = {} if size is None else {"sensor_size": np.array([*size, 2])}
    if layout == "columns":
        save(path, x=ev["x"], y=ev["y"], t=ev["t"], p=ev["p"], **extra)
    elif layout == "seconds":  # (float64 holds these µs exactly as seconds: the EVT3 file's t < 12 s)
        save(path, ts=ev["t"] / 1e6, xs=ev["x"], ys=ev["y"], polarity=np.where(ev["p"] > 0, 1, -1), **extra)
    elif layout == "structured":
        save(path, events=ev, **extra)
    elif layout == "n_by_4":
        save(path, np.stack([ev["t"], ev["x"], ev["y"], ev["p"]], 1).astype(np.int64), **extra)
    elif layout == "n_by_4_fortran":
        save(path, np.asfortranarray(np.stack([ev["t"], ev["x"], ev["y"], ev["p"]], 1)), **extra)


@pytest.mark.parametrize("save", ["stored", "compressed"])
@pytest.mark.parametrize("name, layout", [("davis346", "columns"), ("davis346", "structured"),
                                          ("davis346", "n_by_4"), ("evt3", "seconds"),
                                          ("evt3", "n_by_4_fortran")])
def test_real_recording_converted_to_npz_reads_back_the_same(tmp_path, monkeypatch, real, name, layout, save):
    """A real recording saved with np.savez (and _compressed) in each layout labs use gives the
    very events its own reader gives, in batches (several here), with the size from the
    archive's ``sensor_size`` key, by ``open_source`` like any file."""
    monkeypatch.setattr(npz_file, "BATCH_EVENTS", 40_000)
    ev, (w, h) = real[name]
    path = tmp_path / f"{name}.npz"
    _write(path, ev, layout, SAVE[save], size=(w, h))
    src = open_source(str(path))
    assert (src.format, src.resolution, src.size_inferred) == ("npz", (w, h), False)
    assert src.time_range_us() == (int(ev["t"].min()), int(ev["t"].max()))
    got = _all(src)
    assert got.dtype == ev.dtype and np.array_equal(got, ev)


@pytest.mark.parametrize("save", ["stored", "compressed"])
def test_seek_and_read_on(tmp_path, monkeypatch, save):
    monkeypatch.setattr(npz_file, "BATCH_EVENTS", 700)
    ev = make_events(3000, seed=5)
    path = tmp_path / "ev.npz"
    SAVE[save](path, t=ev["t"], x=ev["x"], y=ev["y"], p=ev["p"])
    with open_file(path) as src:
        t_mid = int(ev["t"][1800])
        src.seek(t_mid)
        rest = np.concatenate(list(src))
        assert np.array_equal(rest, ev[ev["t"] >= t_mid])
        src.seek(0)
        assert np.array_equal(np.concatenate(list(src)), ev)


@pytest.mark.parametrize("names", [("timestamp", "x", "y", "pol"), ("ts", "xs", "ys", "ps"),
                                   ("T", "X", "Y", "Polarity"), ("time", "x", "y", "on")])
@pytest.mark.parametrize("pol", ["01", "pm1", "bool"])
def test_column_names_and_polarity_forms(tmp_path, names, pol):
    """The names and polarity forms a structured .npy takes: 0/1, -1/+1 and bool all give ON
    for p > 0; keys in any case."""
    ev = make_events(500, seed=6)
    p = {"01": ev["p"], "pm1": ev["p"].astype(np.int8) * 2 - 1, "bool": ev["p"] > 0}[pol]
    path = tmp_path / "ev.npz"
    np.savez(path, **dict(zip(names, (ev["t"], ev["x"].astype(np.int16), ev["y"].astype(">u4"), p))))
    assert np.array_equal(_all(open_file(path)), ev)


def test_structured_array_under_any_single_key_and_others_ignored(tmp_path):
    """One structured array under a key of its own (tonic's fields in another order), beside
    frames and a size: the events are found, the rest left alone."""
    ev = make_events(800, seed=7)
    rec = np.empty(len(ev), [("x", "<i2"), ("y", "<i2"), ("p", "?"), ("t", "<i8")])
    for k in "xytp":
        rec[k] = ev[k]
    path = tmp_path / "ev.npz"
    np.savez(path, frames=np.zeros((2, 26, 34), np.uint8), recording=rec, width=346, height=260)
    src = open_file(path)
    assert src.resolution == (346, 260) and not src.size_inferred
    assert np.array_equal(_all(src), ev)


@pytest.mark.parametrize("keys, size", [
    (dict(width=np.int64(640), height=np.int64(480)), (640, 480)),
    (dict(sensor_size=np.array([640, 480, 2])), (640, 480)),  # tonic's (W, H, polarities)
    (dict(resolution=np.array([640.0, 480.0])), (640, 480)),
    ({}, None)])
def test_sensor_size_from_keys_else_inferred_and_said(tmp_path, capsys, keys, size):
    ev = make_events(2000, 320, 240, seed=8)
    path = tmp_path / "ev.npz"
    np.savez(path, t=ev["t"], x=ev["x"], y=ev["y"], p=ev["p"], **keys)
    rc = main(["info", str(path), "--json"])
    out = capsys.readouterr().out
    assert rc == 0
    info = json.loads(out)
    want = size or (int(ev["x"].max()) + 1, int(ev["y"].max()) + 1)
    assert (info["format"], info["width"], info["height"]) == ("npz", *want)
    assert info["size_inferred"] is (size is None) and info["events"] == len(ev)
    with open_file(path, width=1000, height=800) as src:  # given: over the keys
        assert src.resolution == (1000, 800) and not src.size_inferred


def test_float_whole_microseconds_are_read_as_microseconds_and_said(tmp_path, caplog):
    """As in .npy/.h5: t saved as floats of whole µs (np.loadtxt of a µs file) is µs, warned."""
    ev = make_events(3000, seed=9)
    path = tmp_path / "ev.npz"
    np.savez(path, t=ev["t"].astype(np.float64), x=ev["x"], y=ev["y"], p=ev["p"])
    with caplog.at_level(logging.WARNING):
        got = _all(open_file(path))
    assert "save t as integers" in caplog.text
    assert np.array_equal(got, ev)


def test_detected_by_content_under_another_name(tmp_path):
    """A savez archive named .zip is an npz; a .npy named .npz is still a .npy."""
    ev = make_events(300, seed=10)
    z = tmp_path / "events.zip"
    with open(z, "wb") as fh:
        np.savez(fh, t=ev["t"], x=ev["x"], y=ev["y"], p=ev["p"])
    assert detect_format(z)[0] == "npz" and np.array_equal(_all(open_file(z)), ev)
    n = tmp_path / "events.npz"
    with open(n, "wb") as fh:
        np.save(fh, ev)
    assert detect_format(n)[0] == "npy"
    assert ".npz" in file_extensions()  # (the viewer's open dialog lists what these give)


def test_stored_members_are_read_in_batches_not_whole(tmp_path, monkeypatch):
    """np.savez stores members uncompressed: they are read a batch at a time by position, as a
    .npy file is (bounded memory), never loaded whole."""
    monkeypatch.setattr(npz_file, "BATCH_EVENTS", 1000)
    ev = make_events(20_000, seed=11)
    path = tmp_path / "ev.npz"
    np.savez(path, events=ev)  # 13 bytes a row: 260 kB
    sizes = []
    orig = FileReader.readinto

    def readinto(self, out, offset):
        sizes.append(np.asarray(out).nbytes)
        return orig(self, out, offset)

    monkeypatch.setattr(FileReader, "readinto", readinto)
    src = open_file(path)
    src.time_range_us()
    got = _all(src)
    assert np.array_equal(got, ev)
    # (a batch, or the fixed head/tail sample the unit rules read at opening: never the whole member)
    assert sizes and max(sizes) <= max(1000, UNIT_SAMPLE) * ev.dtype.itemsize < 20_000 * ev.dtype.itemsize


def test_compressed_members_are_decompressed_once_per_open(tmp_path, monkeypatch):
    """np.load's NpzFile decompresses a member again at every ``f[key]``: here each is
    decompressed once at opening, whatever is asked after (size, range, reads, seeks)."""
    monkeypatch.setattr(npz_file, "BATCH_EVENTS", 1000)
    ev = make_events(20_000, seed=12)
    path = tmp_path / "ev.npz"
    np.savez_compressed(path, t=ev["t"], x=ev["x"], y=ev["y"], p=ev["p"])
    read = {}
    orig = zipfile.ZipExtFile.read

    def counted(self, *a):  # (readinto reads through read)
        got = orig(self, *a)
        read[self.name] = read.get(self.name, 0) + len(got)
        return got

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counted)
    src = open_file(path)
    for _ in range(2):
        src.time_range_us()
        src.seek(int(ev["t"][5000]))
        list(src)
        src.seek(0)
    assert np.array_equal(_all(src), ev)
    sizes = {i.filename: i.file_size for i in zipfile.ZipFile(path).infolist()}
    for name, size in sizes.items():
        assert read.get(name, 0) <= size + 256, (name, read.get(name), size)  # (+ its header once more)


class _Boom:
    """Unpickling this makes a folder: proof that a pickled array was (or was not) loaded."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


def _bad(tmp_path, kind: str):
    """A bad .npz of ``kind``; its path."""
    p = tmp_path / f"{kind}.npz"
    n = 100
    t, x, y, pol = np.arange(n) * 10, np.arange(n) % 30, np.arange(n) % 20, np.arange(n) % 2
    if kind == "not_a_zip":
        p.write_bytes(b"t,x,y,p\n1,2,3,1\n" * 10)
    elif kind == "truncated":
        np.savez(p, t=t, x=x, y=y, p=pol)
        p.write_bytes(p.read_bytes()[:1500])
    elif kind == "missing_column":
        np.savez(p, t=t, x=x, y=y)
    elif kind == "mismatched_lengths":
        np.savez(p, t=t, x=x[:60], y=y, p=pol)
    elif kind == "pickled_events":
        np.savez(p, events=np.array([_Boom(tmp_path / "unpickled")], dtype=object), allow_pickle=True)
    elif kind == "pickled_column":
        np.savez(p, t=t, x=x, y=y, p=np.array([_Boom(tmp_path / "unpickled")] * n, dtype=object),
                 allow_pickle=True)
    elif kind == "no_arrays":
        np.savez(p)
    elif kind == "plain_zip":
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("notes.txt", "hello")
    elif kind == "no_events":
        np.savez(p, t=t[:0], x=x[:0], y=y[:0], p=pol[:0])
    elif kind == "two_d_column":
        np.savez(p, t=t.reshape(10, 10), x=x, y=y, p=pol)
    elif kind == "text_column":
        np.savez(p, t=t, x=x.astype(str), y=y, p=pol)
    elif kind == "bad_size_key":
        np.savez(p, t=t, x=x, y=y, p=pol, sensor_size=np.array([346.5, 260]))
    elif kind == "two_candidates":
        np.savez(p, a=np.stack([t, x, y, pol], 1), b=np.stack([t, x, y, pol], 1))
    elif kind == "header_lies":  # x.npy's header says 900 values, 100 are stored
        np.savez(p, t=t, x=x, y=y, p=pol)
        b = p.read_bytes()
        at = b.index(b"'shape': (100,)", b.index(b"x.npy"))
        p.write_bytes(b[:at] + b"'shape': (900,)" + b[at + 15:])
    elif kind == "corrupt_deflate":
        np.savez_compressed(p, t=t, x=x, y=y, p=pol)
        info = zipfile.ZipFile(p).getinfo("x.npy")
        b = bytearray(p.read_bytes())
        b[info.header_offset + 30 + len("x.npy") + info.compress_size // 2] ^= 0xFF  # (in its data)
        p.write_bytes(bytes(b))
    return p


BAD = {"not_a_zip": "not a valid npz file", "truncated": "cut short",
       "missing_column": "no p column", "mismatched_lengths": r"different lengths \(t 100, x 60,",
       "pickled_events": "holds Python objects", "pickled_column": "array 'p' is not readable .*Python objects",
       "no_arrays": "no arrays", "plain_zip": "no arrays .* notes.txt", "no_events": "contains no events",
       "two_d_column": "not 1-D", "text_column": "unsupported type", "bad_size_key": "not a sensor size",
       "two_candidates": "several arrays could be the events",
       "corrupt_deflate": "(not readable|does not decompress)",
       "header_lies": "array 'x' is truncated .*announces 7,200 bytes"}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_npz_is_one_line_and_exit_2(tmp_path, capsys, kind):
    """Each bad archive: one line naming the file and what is wrong, no traceback, exit 2;
    a pickled array is never unpickled (allow_pickle stays off)."""
    p = _bad(tmp_path, kind)
    with pytest.raises(InputError, match=BAD[kind]):
        open_file(p)
    rc = main(["info", str(p)])
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert len(err.splitlines()) == 1 and p.name in err and "Traceback" not in err, err
    assert not (tmp_path / "unpickled").exists()


def test_reconstruct_an_npz(tmp_path, real, tiny_ckpt, capsys):
    """``evfocus reconstruct x.npz`` makes frames, as from the recording it was saved from."""
    ev, (w, h) = real["davis346"]
    path = tmp_path / "davis.npz"
    np.savez(path, t=ev["t"], x=ev["x"], y=ev["y"], p=ev["p"], width=w, height=h)
    out = tmp_path / "out"
    rc = main(["reconstruct", str(path), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
               "--window-ms", "20", "--end-s", "0.06", "--no-progress"])
    assert rc == 0, capsys.readouterr().err
    assert len(sorted(out.glob("frame_*.png"))) == 3
