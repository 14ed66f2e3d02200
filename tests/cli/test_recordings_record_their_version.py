"""A recording (`--record`, the viewer's record button: an .aedat4 by our writer) and an .h5 we
wrote did not say which evfocus-live wrote them. The AEDAT4 stream header and the .h5 root now
carry ``evfocus_version``; `evfocus info` says it; files of other writers (or of ours from
before) have none and read as before."""

from __future__ import annotations

import json

import numpy as np
from conftest import DAVIS_FILE, make_events

from evfocus_live import __version__
from evfocus_live.cli import main
from evfocus_live.gui import app
from evfocus_live.sources import open_file
from evfocus_live.writers.aedat4 import Aedat4Writer
from evfocus_live.writers.hdf5 import Hdf5Writer


def _info(capsys, path):
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert main(["info", str(path)]) == 0
    return info, capsys.readouterr().out


def test_a_headless_recording_says_its_version(tmp_path, tiny_ckpt, capsys):
    rec = tmp_path / "in.aedat4"
    with Aedat4Writer(rec, 64, 48) as wr:
        wr.write(make_events(20_000, 64, 48, duration_us=100_000))
    out = tmp_path / "out.aedat4"
    assert app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none", "--speed", "0",
                     "--record", str(out), "--exit-after", "30"]) == 0
    with open_file(out) as src:
        assert src.evfocus_version == __version__
    info, text = _info(capsys, out)
    assert info["evfocus_version"] == __version__
    assert f"written by  evfocus-live {__version__}" in text


def test_an_h5_we_wrote_says_its_version(tmp_path, capsys):
    path = tmp_path / "e.h5"
    with Hdf5Writer(path, 64, 48) as wr:
        wr.write(make_events(2000, 64, 48))
    info, text = _info(capsys, path)
    assert info["evfocus_version"] == __version__ and f"written by  evfocus-live {__version__}" in text


def test_another_writers_file_has_no_version_line(tmp_path, capsys):
    path = tmp_path / "e.npy"
    np.save(path, make_events(2000, 64, 48))
    info, text = _info(capsys, path)
    assert "evfocus_version" not in info and "written by" not in text
    with open_file(DAVIS_FILE) as src:  # (DV's own header: no such attribute)
        assert src.evfocus_version is None
