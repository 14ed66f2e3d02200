"""The real-recording grid showed a DAVIS recording's events and reconstructions, but not the
APS frame its "APS frames" table scores them against. A recording with APS frames now gets an
"APS frame" tile after its events (the scored frame nearest the shown window); one without
APS frames keeps its row as it was."""

from __future__ import annotations

import cv2
import pytest
from conftest import REAL_FILES, make_events

from evfocus_live.sources import open_file
from evfocus_live.train.evaluate import evaluate
from evfocus_live.writers.hdf5 import Hdf5Writer

pytestmark = pytest.mark.usefixtures("one_torch_thread")

DAVIS = REAL_FILES["davis346"]
W, H = DAVIS["width"], DAVIS["height"]


def _aps(n):
    with open_file(DAVIS["path"]) as src:
        return [img for _, img in src.aps_frames(limit=n)]


def test_a_davis_row_shows_the_aps_frame_it_is_scored_against(tmp_path):
    if not DAVIS["path"].is_file():
        pytest.skip("../shared/data holds no DAVIS346 recording")
    rep = evaluate(["evfocus"], [str(DAVIS["path"])], tmp_path / "rep", warmup=1, max_windows=3, progress=False)
    assert rep["real_aps"][DAVIS["path"].name]["scored"] >= 1
    grid = cv2.imread(str(tmp_path / "rep" / "grid_real.png"), cv2.IMREAD_GRAYSCALE)
    assert grid.shape[1] == 3 * W  # events | APS frame | evfocus
    tile = grid[20:H, W:2 * W]  # below its label
    frames = [img[20:H] for img in _aps(3)[1:]]  # the scored ones (past the warm-up)
    assert any((tile == f).all() for f in frames)


def test_a_recording_without_aps_frames_has_no_aps_tile(tmp_path):
    rec = tmp_path / "rec.h5"
    with Hdf5Writer(rec, 64, 48, sensor="test") as wr:
        wr.write(make_events(20_000, 64, 48, duration_us=500_000))
    evaluate(["evfocus"], [str(rec)], tmp_path / "rep", warmup=0, max_windows=3, progress=False)
    grid = cv2.imread(str(tmp_path / "rep" / "grid_real.png"))
    assert grid.shape[1] == 2 * 64  # events | evfocus


def test_a_damaged_aps_stream_is_said_once_and_gets_no_tile(tmp_path, caplog):
    """The grid reads the frames too; what is wrong with them is said by the APS table's read
    alone, not once more for the grid."""
    import logging

    from evfocus_live.sources.aedat4_file import Aedat4FileSource

    if not DAVIS["path"].is_file():
        pytest.skip("../shared/data holds no DAVIS346 recording")
    with Aedat4FileSource(DAVIS["path"]) as src:
        off = src._frame_packets[0][0]
    data = bytearray(DAVIS["path"].read_bytes())
    for i in (off + 4, off + 17, off + 42):  # the first frame packet corrupt: no frame readable
        data[i] ^= 0xFF
    bad = tmp_path / "bad_frames.aedat4"
    bad.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        rep = evaluate(["evfocus"], [str(bad)], tmp_path / "rep", warmup=1, max_windows=3, progress=False)
    assert rep["real_aps"][bad.name]["frames"] == 0
    said = [r.getMessage() for r in caplog.records if "APS frames before it" in r.getMessage()]
    assert len(said) == 1, said
    assert cv2.imread(str(tmp_path / "rep" / "grid_real.png")).shape[1] == 2 * W  # events | evfocus
