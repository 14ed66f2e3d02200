"""A synthetic DAVIS recording with APS frames (dv-processing's writer) and helpers the APS tests share."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.sources.aedat4_file import APS_FILL, Aedat4FileSource


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


def aps_of(path) -> list[tuple[int, np.ndarray]]:
    with Aedat4FileSource(path) as src:
        return src.read_frames()


def block_means(img: np.ndarray, n: int) -> np.ndarray:
    """The reference: each n x n block's mean (rounded half up), a partial last block over its pixels."""
    h, w = img.shape
    out = np.empty((-(-h // n), -(-w // n)), np.uint8)
    for by in range(out.shape[0]):
        for bx in range(out.shape[1]):
            b = img[by * n:(by + 1) * n, bx * n:(bx + 1) * n].astype(np.int64)
            out[by, bx] = (b.sum() + b.size // 2) // b.size
    return out


@pytest.fixture(scope="module")
def roi_file(tmp_path_factory) -> Path:
    return write_davis(tmp_path_factory.mktemp("roi") / "roi_davis.aedat4", ROI_FRAMES)


class SlowFrames(Aedat4FileSource):
    """A recording whose frame packets take ``delay_s`` each (a long DAVIS recording's read),
    noting the packets read after close() returned."""

    delay_s = 0.05

    def __init__(self, path):
        self.asked = threading.Event()
        self.closed = False
        self.read_after_close = 0
        super().__init__(path)

    def _packet_frame(self, off, n, pixels=True):
        self.asked.set()
        if self.closed:
            self.read_after_close += 1
        out = super()._packet_frame(off, n, pixels)
        threading.Event().wait(self.delay_s)
        return out

    def close(self):
        super().close()
        self.closed = True  # (a packet read in progress then was waited for; none may start now)


@pytest.fixture(scope="module")
def many_frames(tmp_path_factory) -> Path:
    """60 frames: 3 s of reading at SlowFrames' pace."""
    frames = [(1_000 + 1_600 * k, 0, 0, W, H) for k in range(60)]
    return write_davis(tmp_path_factory.mktemp("many") / "many.aedat4", frames)


N_APS = 40


@pytest.fixture(scope="module")
def many_aps(tmp_path_factory):
    """A DAVIS-like 64x48 .aedat4 (dv-processing's writer) with 40 APS frames over 0.1 s."""
    import dv_processing as dv
    import numpy as np

    path = tmp_path_factory.mktemp("aps") / "many_aps.aedat4"
    ev = make_events(8_000, 64, 48, t0_us=1_000, duration_us=99_000, seed=7)
    w = dv.io.MonoCameraWriter(str(path), dv.io.MonoCameraWriter.DAVISConfig("DAVIS346_synth", (64, 48)))
    store = dv.EventStore()
    for t, x, y, p in ev.tolist():
        store.push_back(t, x, y, bool(p))
    w.writeEvents(store)
    grad = np.arange(64)[None, :] + np.arange(48)[:, None]
    for k in range(N_APS):
        w.writeFrame(dv.Frame(2_000 + 2_400 * k, ((grad * 3 + 17 * k) % 256).astype(np.uint8)))
    del w  # (dv writes the index when the writer goes)
    return path


@pytest.fixture
def frames_decoded(monkeypatch):
    """Counts the APS frame images an .aedat4 source decodes."""
    from evfocus_live.sources.aedat4_file import Aedat4FileSource

    count = [0]
    real = Aedat4FileSource._packet_frame

    def spy(self, off, n, pixels=True):
        count[0] += bool(pixels)
        return real(self, off, n, pixels)

    monkeypatch.setattr(Aedat4FileSource, "_packet_frame", spy)
    return count


def placed(k: int, x: int, y: int, w: int, h: int) -> np.ndarray:
    img = np.full((H, W), APS_FILL, np.uint8)
    img[y:y + h, x:x + w] = roi_image(k, w, h)
    return img


def expected_frames():
    return [(t, placed(ROI_FRAMES.index((t, x, y, w, h)), x, y, w, h)) for t, x, y, w, h in KEPT]
