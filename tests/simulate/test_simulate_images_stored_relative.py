"""``simulate --images`` stored each picture's absolute path in dataset.json and every .h5
(a shared dataset carried its maker's home folder; a dataset moved with its pictures no longer
--resume'd). The paths are now stored relative to the output folder, and --resume compares
this run's pictures stored the same way. A run without pictures writes what it wrote before."""

from __future__ import annotations

import json
import shutil

import numpy as np
from PIL import Image

from evfocus_live.cli import main
from evfocus_live.sources.hdf5_file import import_h5py


def _sim(out, *opts):
    return main(["simulate", str(out), "--sequences", "2", "--duration", "0.05", "--frame-ms", "25",
                 "--seed", "3", "--resolution", "48x32", "--no-aedat4", "--no-progress", *opts])


def _pictures(root):
    (root / "pics").mkdir(parents=True)
    Image.fromarray(np.tile(np.arange(0, 250, 2, dtype=np.uint8), (90, 1))).save(root / "pics" / "a.png")
    return root / "pics"


def _attrs(h5):
    with import_h5py().File(h5, "r") as f:
        return json.loads(f.attrs["sim_config"]), json.loads(f.attrs["sim_meta"])


def test_no_absolute_picture_path_is_stored(tmp_path):
    pics = _pictures(tmp_path / "work")
    out = tmp_path / "work" / "data"
    assert _sim(out, "--images", str(pics)) == 0
    manifest = (out / "dataset.json").read_text()
    assert str(tmp_path) not in manifest
    assert json.loads(manifest)["config"]["images"] == ["../pics/a.png"]
    assert {t for s in json.loads(manifest)["sequences"] for t in s["textures"]} == {"../pics/a.png"}
    cfg, meta = _attrs(out / "seq_00000.h5")
    assert cfg["images"] == ["../pics/a.png"] and set(meta["textures"]) == {"../pics/a.png"}


def test_a_dataset_moved_with_its_pictures_resumes(tmp_path):
    pics = _pictures(tmp_path / "work")
    assert _sim(tmp_path / "work" / "data", "--images", str(pics)) == 0
    moved = tmp_path / "elsewhere"
    shutil.move(str(tmp_path / "work"), str(moved))
    kept = (moved / "data" / "seq_00000.h5").stat().st_mtime_ns
    (moved / "data" / "seq_00001.h5").unlink()  # (an interrupted run)
    assert _sim(moved / "data", "--images", str(moved / "pics"), "--resume") == 0
    assert (moved / "data" / "seq_00000.h5").stat().st_mtime_ns == kept  # kept, not simulated again
    assert (moved / "data" / "seq_00001.h5").is_file()


def test_a_run_without_pictures_stores_its_config_as_before(tmp_path):
    assert _sim(tmp_path / "out") == 0
    manifest = json.loads((tmp_path / "out" / "dataset.json").read_text())
    stored, _ = _attrs(tmp_path / "out" / "seq_00000.h5")
    assert "images" not in stored and "images" not in manifest["config"]
    assert stored == manifest["config"]
