"""The viewer given a file it cannot open (or a camera not attached) shows the simulated camera
instead and exited 0 when closed; headless exits 2 with the reason for the same run. The
command line's source that did not open is now a failure (exit 2), as a refused --record is;
``auto`` finding no camera, and a file opened later from the menu, are not."""

from __future__ import annotations

import pytest
from gui_support import make_window, wait_frames


@pytest.fixture
def nan_file(tmp_path):
    """A file no reader opens (a NaN row is left out as corrupt now, not refused at open)."""
    path = tmp_path / "broken.npy"
    path.write_bytes(b"not an event file at all\n")
    return path


@pytest.mark.usefixtures("one_torch_thread")
def test_a_file_that_did_not_open_at_start_is_a_failure(qtbot, tmp_path, tiny_model, nan_file):
    win = make_window(qtbot, tmp_path, str(nan_file), tiny_model)
    wait_frames(qtbot, win)
    assert win.session.source.format == "sim"
    assert win.failure is not None and "not a valid npy file" in win.failure and "simulated camera" in win.failure
    win.close()


@pytest.mark.usefixtures("one_torch_thread")
def test_auto_without_a_camera_and_a_later_bad_file_are_not(qtbot, tmp_path, tiny_model, nan_file):
    win = make_window(qtbot, tmp_path, "auto", tiny_model)
    wait_frames(qtbot, win)
    assert not win.open_source(str(nan_file))  # (refused: the current source goes on)
    assert win.failure is None
    win.close()
