"""An existing ``--video`` file is another run's video: refused unless ``--overwrite``.

``--help`` says ``--overwrite`` replaces an earlier run's video, but without it the video was
replaced anyway: ``-o outA --video demo.mp4`` then ``-o outB --video demo.mp4`` lost A's video.
"""

from __future__ import annotations

import cv2
from conftest import DAVIS_FILE, EVT2_FILE

from evfocus_live.cli import main


def _recon(tmp_path, out, video, *extra, inputs=(EVT2_FILE,), model=None):
    return main(["reconstruct", *map(str, inputs), "-o", str(tmp_path / out), "--video", str(video),
                 "--model", str(model), "--device", "cpu", "--window-ms", "10", "--end-s", "0.02",
                 "--no-progress", *extra])


def test_an_existing_video_is_refused_without_overwrite(tmp_path, tiny_ckpt, capsys):
    video = tmp_path / "demo.mp4"
    video.write_bytes(b"an earlier run's video")
    assert _recon(tmp_path, "outB", video, model=tiny_ckpt) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already exists" in err[0] and "--overwrite" in err[0], err
    assert video.read_bytes() == b"an earlier run's video" and not (tmp_path / "outB").exists()
    assert _recon(tmp_path, "outB", video, "--overwrite", model=tiny_ckpt) == 0
    cap = cv2.VideoCapture(str(video))
    assert cap.get(cv2.CAP_PROP_FRAME_COUNT) == 2
    cap.release()


def test_each_inputs_video_is_checked_and_an_empty_file_is_free_to_use(tmp_path, tiny_ckpt, capsys):
    """With several inputs an absolute --video writes OUT_<subfolder>.mp4: the second's is held."""
    (tmp_path / "demo_prophesee_gen3_spinner_evt2.mp4").write_bytes(b"")  # (mktemp's empty file: ours to fill)
    (tmp_path / "demo_davis346_pegboard_aestream.mp4").write_bytes(b"kept")
    assert _recon(tmp_path, "out", tmp_path / "demo.mp4", inputs=(EVT2_FILE, DAVIS_FILE), model=tiny_ckpt) == 2
    assert "demo_davis346_pegboard_aestream.mp4: already exists" in capsys.readouterr().err
    assert (tmp_path / "demo_davis346_pegboard_aestream.mp4").read_bytes() == b"kept"
    assert not (tmp_path / "out").exists()
