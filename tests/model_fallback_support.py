"""Viewer windows for the tests of what runs after a model did not load (the viewer's fallback
to 'evfocus') and of the "same model as the main one" warning."""

from __future__ import annotations

from gui_support import TIMEOUT_MS, make_window, pattern, wait_frames

from evfocus_live.config import ModelConfig


def fallen_back_window(qtbot, tmp_path, compare: str | None = None, with_compare_frame: bool = False):
    """A window asked for a checkpoint that is no checkpoint (``bad.pt``: there, so only the load
    fails), ``compare`` beside it, once its first frame is painted (with a compare frame too)."""
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    win = make_window(qtbot, tmp_path, pattern(), None, model=ModelConfig(name=str(bad), device="cpu", compare=compare))
    qtbot.waitUntil(lambda: win.last_frame is not None and (not with_compare_frame or win.last_frame.compare is not None),
                    timeout=TIMEOUT_MS)
    return win


def comparing_window(qtbot, tmp_path, model_obj, compare: str = "firenet"):
    """A window running 'evfocus' (as ``model_obj``) with ``compare`` picked in its "vs" box."""
    win = make_window(qtbot, tmp_path, pattern(), model_obj, model=ModelConfig(name="evfocus", device="cpu"))
    wait_frames(qtbot, win, 1)
    win.set_compare(compare)
    return win
