"""`evfocus simulate --images`: a researcher's own pictures (files, folders, videos) as the
scenes' textures in place of the bundled ones; reproducible per seed like the rest, with one
line for a path that gives no picture, and a run without them unchanged (--resume of an
earlier version's folder keeps working)."""

from __future__ import annotations

import json
import os

import cv2
import numpy as np
import pytest

from evfocus_live.sources.hdf5_file import import_h5py


def _sim(out, *opts):
    from evfocus_live.cli import main as cli_main

    return cli_main(["simulate", str(out), "--sequences", "2", "--duration", "0.05", "--frame-ms", "25",
                     "--seed", "3", "--resolution", "48x32", "--no-aedat4", "--no-progress", *opts])


@pytest.fixture
def pictures(tmp_path):
    folder = tmp_path / "pics"
    folder.mkdir()
    rng = np.random.default_rng(0)
    cv2.imwrite(str(folder / "b.png"), (rng.random((60, 80)) * 255).astype(np.uint8))
    cv2.imwrite(str(folder / "a.jpg"), np.tile(np.arange(0, 250, 2, dtype=np.uint8), (90, 1)))
    (folder / "notes.txt").write_text("not a picture: passed over in a folder")
    video = tmp_path / "clip.avi"
    wr = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for k in range(5):
        wr.write(np.full((48, 64, 3), 40 * k, np.uint8))
    wr.release()
    return folder, video


def _frames(path):
    with import_h5py().File(path, "r") as f:
        return f["frames/sharp"][:], f["events/t"][:], json.loads(f.attrs["sim_meta"])["textures"]


def test_textures_come_from_the_pictures_given_and_the_seed_repeats_them(tmp_path, pictures):
    folder, video = pictures
    for out in ("one", "two"):
        assert _sim(tmp_path / out, "--images", str(folder), str(video)) == 0
    names = json.loads((tmp_path / "one" / "dataset.json").read_text())["config"]["images"]
    # (stored relative to the output folder: simulate --images's paths are no home paths there)
    rel = lambda p: os.path.relpath(p.resolve(), (tmp_path / "one").resolve())  # noqa: E731
    frames = [f"{rel(video)}#{k}" for k in range(5)]
    assert names == [rel(folder / "a.jpg"), rel(folder / "b.png"), *frames]
    for seq in ("seq_00000.h5", "seq_00001.h5"):
        a, b = _frames(tmp_path / "one" / seq), _frames(tmp_path / "two" / seq)
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2] == b[2]
        assert a[2] and set(a[2]) <= set(names)  # every layer from the pictures given


def test_one_picture_is_the_background(tmp_path, pictures):
    folder, _ = pictures
    assert _sim(tmp_path / "out", "--images", str(folder / "a.jpg")) == 0
    sharp, _, textures = _frames(tmp_path / "out" / "seq_00000.h5")
    assert set(textures) == {os.path.relpath((folder / "a.jpg").resolve(), (tmp_path / "out").resolve())}
    assert sharp.std() > 5  # a horizontal ramp, not a flat frame


def test_a_run_without_pictures_keeps_its_config(tmp_path):
    """--resume compares the config an earlier version wrote: it has no 'images' key."""
    assert _sim(tmp_path / "out") == 0
    with import_h5py().File(tmp_path / "out" / "seq_00000.h5", "r") as f:
        assert "images" not in json.loads(f.attrs["sim_config"])


@pytest.mark.parametrize("given, said", [
    ("missing", "no such file or folder"),
    ("empty", "no pictures in this folder"),
    ("bad.png", "not a picture this tool can read"),
    ("notes.toml", "not a picture or video"),
])
def test_a_path_with_no_picture_is_one_line(tmp_path, capsys, given, said):
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad.png").write_text("garbage")
    (tmp_path / "notes.toml").write_text("[model]")
    assert _sim(tmp_path / "out", "--images", str(tmp_path / given)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0] and "--images" in err[0], err
    assert not (tmp_path / "out").exists()  # refused before anything was made


def test_resume_with_other_pictures_names_them(tmp_path, pictures, capsys):
    folder, video = pictures
    assert _sim(tmp_path / "out", "--images", str(folder)) == 0
    capsys.readouterr()
    assert _sim(tmp_path / "out", "--images", str(video), "--resume") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--images 2 pictures (a.jpg, ...) there, 5 pictures (clip.avi#0, ...)" in err[0], err


def test_an_evaluation_report_says_its_test_set_is_made_of_the_users_pictures(tmp_path, pictures):
    from evfocus_live.train.evaluate import describe_gt_data

    folder, _ = pictures
    assert _sim(tmp_path / "own", "--images", str(folder)) == 0
    assert _sim(tmp_path / "bundled") == 0
    own, bundled = (describe_gt_data(sorted((tmp_path / d).glob("seq_*.h5"))) for d in ("own", "bundled"))
    assert own[0]["images"] == 2 and "images" not in bundled[0]


@pytest.mark.parametrize("name, split", [
    ("/a/clip.mp4#3", ("/a/clip.mp4", 3)),
    ("/a#b/clip.MOV#12", ("/a#b/clip.MOV", 12)),
    ("/a/x#1.png", ("/a/x#1.png", None)),  # a '#' in a picture's name is no frame number
    ("/a/clip.mp4", ("/a/clip.mp4", None)),
])
def test_a_video_frame_is_told_from_a_picture_by_its_name(name, split):
    from evfocus_live.simulate.textures import split_frame

    assert split_frame(name) == split
