"""``simulate --images`` stored every picture relative to the output folder, so a picture far from
it was stored as ``../../../home/you/pics/a.png``: the home folder in dataset.json and every .h5
all the same, and a path that broke as soon as the dataset was moved without it. Pictures near
the dataset (at most two folders up: ``../pics``, ``../../my_photos`` beside ``data/train``) are
still stored relative to it (tests/simulate/test_simulate_images_stored_relative.py); farther ones
by their absolute path. --resume compares where the pictures are, however they were stored."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image

from evfocus_live.cli import main
from evfocus_live.simulate.sequence import stored_names
from evfocus_live.sources.hdf5_file import import_h5py


def _sim(out, *opts):
    return main(["simulate", str(out), "--sequences", "2", "--duration", "0.05", "--frame-ms", "25",
                 "--seed", "3", "--resolution", "48x32", "--no-aedat4", "--no-progress", *opts])


def _picture(folder):
    folder.mkdir(parents=True)
    Image.fromarray(np.tile(np.arange(0, 250, 2, dtype=np.uint8), (90, 1))).save(folder / "a.png")
    return (folder / "a.png").resolve()


def test_a_far_picture_is_stored_by_its_absolute_path(tmp_path):
    pic = _picture(tmp_path / "home" / "you" / "pics")
    out = tmp_path / "scratch" / "runs" / "data"
    assert _sim(out, "--images", str(pic)) == 0
    manifest = json.loads((out / "dataset.json").read_text())
    assert manifest["config"]["images"] == [str(pic)]
    assert {t for s in manifest["sequences"] for t in s["textures"]} == {str(pic)}
    with import_h5py().File(out / "seq_00000.h5", "r") as f:
        assert json.loads(f.attrs["sim_config"])["images"] == [str(pic)]
        assert set(json.loads(f.attrs["sim_meta"])["textures"]) == {str(pic)}


def test_pictures_two_folders_up_stay_relative(tmp_path):
    data = tmp_path / "proj" / "data" / "train"
    assert stored_names([str(tmp_path / "proj" / "my_photos" / "a.png"),
                         str(tmp_path / "proj" / "data" / "pics" / "clip.mp4") + "#12",
                         str(data / "inside.png"), "checkerboard"], data) == [
        "../../my_photos/a.png", "../pics/clip.mp4#12", "inside.png", "checkerboard"]
    far = str(tmp_path / "elsewhere" / "b.png")
    assert stored_names([far, far.replace(".png", ".mp4") + "#3"], tmp_path / "x" / "y" / "z") == [
        far, far.replace(".png", ".mp4") + "#3"]


def test_a_dataset_an_earlier_version_stored_far_pictures_relative_in_resumes(tmp_path):
    pic = _picture(tmp_path / "home" / "you" / "pics")
    out = tmp_path / "scratch" / "runs" / "data"
    assert _sim(out, "--images", str(pic)) == 0
    old = "../../../home/you/pics/a.png"  # (as the earlier version wrote it)
    with import_h5py().File(out / "seq_00000.h5", "r+") as f:
        cfg, meta = json.loads(f.attrs["sim_config"]), json.loads(f.attrs["sim_meta"])
        f.attrs["sim_config"] = json.dumps({**cfg, "images": [old]})
        f.attrs["sim_meta"] = json.dumps({**meta, "textures": [old] * len(meta["textures"])})
    kept = (out / "seq_00000.h5").stat().st_mtime_ns
    (out / "seq_00001.h5").unlink()  # (an interrupted run)
    assert _sim(out, "--images", str(pic), "--resume") == 0
    assert (out / "seq_00000.h5").stat().st_mtime_ns == kept  # kept, not simulated again
    assert (out / "seq_00001.h5").is_file()
