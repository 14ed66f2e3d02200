"""A headless ``--frames-dir`` run closes its folder once the session stopped, but a slow
model's window can outlive that stop (``sess.stop`` waits 5 s; a CPU's first traced
``evfocus-full`` window takes longer, a Ctrl-C in it is common): its frame, handed to the sink
after the close, was written as a PNG that timestamps.txt does not list and the "wrote N frames"
line does not count. A frame after the close is not written."""

from __future__ import annotations

import numpy as np

from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.gui import app
from evfocus_live.gui.session import FrameView


def _view(index: int) -> FrameView:
    return FrameView(index=index, t_us=1000 * (index + 1), n_events=10, image=np.zeros((6, 8), np.uint8),
                     event_image=None, defocus=None, defocus_mean_px=None, infer_ms=1.0, t_done=0.0)


def test_a_frame_after_the_close_is_not_left_unlisted(tmp_path):
    sink = app._FrameSink(FrameFolder(tmp_path))
    sink(_view(0))
    sink.close()
    sink(_view(1))  # (the worker's last window, finished after the stop)
    assert sorted(p.name for p in tmp_path.glob("frame_*.png")) == ["frame_0000000000.png"]
    assert (tmp_path / "timestamps.txt").read_text().splitlines() == ["0 1000"]
    assert sink.folder.n == 1 and sink.error is None


def test_the_folder_writes_nothing_once_closed(tmp_path):
    """``FrameFolder`` itself (``evfocus reconstruct``'s too): no file it cannot list."""
    folder = FrameFolder(tmp_path, compare=True)
    folder.close()
    view = _view(0)
    view.compare = np.zeros((6, 8), np.uint8)
    try:
        folder.write(view)
    except ValueError:
        pass
    assert not list(tmp_path.rglob("frame_*.png")) and folder.n == 0
