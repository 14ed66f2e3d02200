"""A synthetic DAVIS recording with APS frames (dv-processing's writer) and helpers the APS tests share."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.config import PostConfig, WindowConfig


#: the synthetic recording: 64x48, events over 0.1 s, APS frames at these times
SYN_W, SYN_H = 64, 48


SYN_APS_US = (20_000, 50_000, 80_000)


def syn_aps_image(k: int) -> np.ndarray:
    """A distinct grey image per APS frame (a gradient shifted by k)."""
    x = np.arange(SYN_W, dtype=np.int32)[None, :] + np.arange(SYN_H, dtype=np.int32)[:, None]
    return ((x * 2 + 60 * k) % 256).astype(np.uint8)


@pytest.fixture(scope="module")
def davis_synth(tmp_path_factory) -> Path:
    """A DAVIS-like .aedat4 with events and 3 APS frames (dv-processing's writer)."""
    import dv_processing as dv

    path = tmp_path_factory.mktemp("aps") / "synth_davis.aedat4"
    ev = make_events(6_000, SYN_W, SYN_H, t0_us=1_000, duration_us=99_000, seed=20)
    w = dv.io.MonoCameraWriter(str(path), dv.io.MonoCameraWriter.DAVISConfig("DAVIS346_synth", (SYN_W, SYN_H)))
    store = dv.EventStore()
    for t, x, y, p in ev.tolist():
        store.push_back(t, x, y, bool(p))
    w.writeEvents(store)
    for k, t in enumerate(SYN_APS_US):
        w.writeFrame(dv.Frame(t, syn_aps_image(k)))
    del w  # (dv writes the index when the writer goes)
    return path


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory) -> Path:
    import torch

    from evfocus_live.nn.registry import build_model, save_checkpoint
    torch.manual_seed(0)
    return save_checkpoint(tmp_path_factory.mktemp("ckpt") / "firenet_tiny.pt", build_model("firenet", {"base": 2}))


def reconstruct(inp, out, ckpt, *extra) -> int:
    return main(["reconstruct", str(inp), "-o", str(out), "--model", str(ckpt), "--device", "cpu",
                 "--no-progress", *extra])


def read_ts(d: Path) -> list[tuple[int, int]]:
    return [tuple(int(v) for v in ln.split()) for ln in (d / "timestamps.txt").read_text().splitlines()]


def aps_window(qtbot, tmp_path, source, model, **kw):
    from evfocus_live.gui.window import MainWindow, ViewerOptions
    opts = ViewerOptions(source=source, model_obj=model, post=PostConfig(steps=()),
                         window=kw.pop("window", None) or WindowConfig(mode="events",
                                                                       window_events=kw.pop("window_events", 800)),
                         record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap", **kw)
    win = MainWindow(opts)
    qtbot.addWidget(win)
    win.resize(1200, 600)
    win.show()
    return win


W, H = 64, 48


#: the positioned recording's frames: (t_us, x, y, w, h); the last two lie partly off the sensor
ROI_FRAMES = ((20_000, 0, 0, W, H), (40_000, 10, 8, 32, 20), (60_000, 10, 8, 32, 20),
              (70_000, 40, 30, 32, 20), (75_000, -1, 0, 32, 20), (80_000, 12, 6, 40, 36))


KEPT = [f for f in ROI_FRAMES if f[1] >= 0 and f[2] >= 0 and f[1] + f[3] <= W and f[2] + f[4] <= H]


def roi_image(k: int, w: int, h: int) -> np.ndarray:
    """A distinct textured image per frame (no flat area: SSIM is defined everywhere)."""
    yy, xx = np.mgrid[0:h, 0:w]
    return ((xx * 7 + yy * 13 + 40 * k + (xx * yy) % 17) % 256).astype(np.uint8)


def write_davis(path: Path, frames, n_events: int = 6_000) -> Path:
    """A 64x48 DAVIS-like .aedat4 with events over 0.1 s and the given (t, x, y, w, h) frames."""
    import dv_processing as dv

    ev = make_events(n_events, W, H, t0_us=1_000, duration_us=99_000, seed=21)
    wr = dv.io.MonoCameraWriter(str(path), dv.io.MonoCameraWriter.DAVISConfig("DAVIS346_roi", (W, H)))
    store = dv.EventStore()
    for t, x, y, p in ev.tolist():
        store.push_back(t, x, y, bool(p))
    wr.writeEvents(store)
    for k, (t, x, y, w, h) in enumerate(frames):
        wr.writeFrame(dv.Frame(t, 1000, x, y, roi_image(k, w, h), dv.FrameSource.SENSOR))
    del wr  # (dv writes the index when the writer goes)
    return path


class FakeDavis:
    """dv's camera as DvCameraSource uses it: events, and APS frames now and then."""

    def __init__(self, frames):
        self.frames = list(frames)

    def isRunning(self):
        return True

    def getNextEventBatch(self):
        return None

    def getNextFrame(self):
        return self.frames.pop(0) if self.frames else None


def pane_image(pane) -> np.ndarray:
    return np.asarray(pane.image_item.image)
