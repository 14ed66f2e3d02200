"""DAVIS APS frames as a reference: ``evfocus eval`` scores reconstructions at the APS
frame times against those frames; the viewer loads the frames off the GUI thread; the APS
frame follows ``--roi`` / ``--downsample``.

On the real DAVIS346 recording (3 APS frames) and on test_s20_aps's synthetic .aedat4
written by dv-processing's writer (64x48, APS frames at 20, 50 and 80 ms).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from conftest import REAL_FILES, make_events
from aps_support import SYN_APS_US, SYN_H, SYN_W, aps_window, davis_synth, pane_image, syn_aps_image  # noqa: F401 (a fixture)

from evfocus_live.cli import main
from evfocus_live.train.evaluate import evaluate_aps, markdown_report, minmax_normalised
from evfocus_live.writers.aedat4 import Aedat4Writer

DAVIS = REAL_FILES["davis346"]

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class ApsEcho:
    """A test double that "reconstructs" the k-th APS frame at its k-th window (one window
    per APS frame), scaled to [0.2, 0.6]: SSIM 1 after min-max normalisation."""

    def __init__(self, frames):
        self.frames, self.i, self.calls = [img for _, img in frames], 0, 0

    def reset_states(self):
        self.i = 0

    def __call__(self, voxel):
        img = self.frames[min(self.i, len(self.frames) - 1)].astype(np.float32) / 255.0
        self.i += 1
        self.calls += 1
        return {"image": torch.from_numpy(0.2 + 0.4 * img)[None, None]}


class Constant:
    def reset_states(self):
        pass

    def __call__(self, voxel):
        return {"image": torch.full((1, 1, *voxel.shape[-2:]), 0.5)}


def syn_frames():
    return [(t, syn_aps_image(k)) for k, t in enumerate(SYN_APS_US)]


def test_minmax_normalised():
    img = np.array([[10, 20], [30, 110]], np.uint8)
    assert np.allclose(minmax_normalised(img), [[0, 0.1], [0.2, 1]])
    assert np.array_equal(minmax_normalised(np.full((3, 3), 0.4)), np.zeros((3, 3)))  # flat: no structure


@pytest.mark.parametrize("warmup, scored", [(0, 3), (1, 2), (3, 1), (7, 1)])
def test_eval_aps_on_a_synthetic_davis_file(davis_synth, tiny_model, warmup, scored):  # noqa: F811
    echo = ApsEcho(syn_frames())
    models = {"echo": echo, "flat": Constant(), "tiny": tiny_model}
    table = evaluate_aps(models, [davis_synth], warmup=warmup, progress=False)
    res = table[davis_synth.name]
    # warm-up as everywhere in eval: the first frames not scored, the last one always
    assert res["frames"] == 3 and res["scored"] == scored and echo.calls == 3
    e, f, t = (res["models"][k] for k in ("echo", "flat", "tiny"))
    assert e["ssim"] == pytest.approx(1.0, abs=1e-6) and e["mse"] < 1e-10  # right frame, right window
    assert f["ssim"] < 0.05 and f["mse"] > 0.1
    for r in (e, f, t):
        assert -1 <= r["ssim"] <= 1 and 0 <= r["mse"] <= 1 and 0 < r["psnr"] <= 60
        assert all(math.isfinite(v) for v in r.values())
    md = markdown_report(None, None, list(models), aps=table)
    assert "## Real recordings with APS frames" in md
    assert f"| {davis_synth.name} | echo | 1.0000 | 0.00000 | 60.00 | {scored} / 3 |" in md


def test_eval_aps_leaves_out_recordings_without_aps_and_says_dash_when_none_scored(tmp_path, shared_data):
    ours = tmp_path / "ours.aedat4"
    with Aedat4Writer(ours, 346, 260) as w:  # events only
        w.write(make_events(5_000))
    # the real file with its first frame packet corrupt: an APS stream, no frame readable
    from evfocus_live.sources.aedat4_file import Aedat4FileSource
    src_path = shared_data / DAVIS["path"].name
    with Aedat4FileSource(src_path) as src:
        off = src._frame_packets[0][0]
    data = bytearray(src_path.read_bytes())
    for i in (off + 4, off + 17, off + 42):
        data[i] ^= 0xFF
    bad = tmp_path / "bad_frames.aedat4"
    bad.write_bytes(bytes(data))
    garbage = tmp_path / "garbage.aedat4"  # unreadable: the no-reference table says why, not this one
    garbage.write_bytes(b"#!AER-DAT4.0\r\n" + bytes(64))
    table = evaluate_aps({"flat": Constant()}, [ours, garbage, bad], progress=False)
    assert list(table) == ["bad_frames.aedat4"]
    assert table["bad_frames.aedat4"]["frames"] == 0 and table["bad_frames.aedat4"]["scored"] == 0
    assert math.isnan(table["bad_frames.aedat4"]["models"]["flat"]["ssim"])
    md = markdown_report(None, None, ["flat"], aps=table)
    assert "| bad_frames.aedat4 | flat | – | – | – | 0 / 0 |" in md and "nan" not in md


def test_eval_cli_on_the_real_davis_file_has_the_aps_table(tmp_path, shared_data, tiny_ckpt, capsys):
    path = shared_data / DAVIS["path"].name
    out = tmp_path / "rep"
    assert main(["eval", "--models", str(tiny_ckpt), "--data", str(path), "--out", str(out), "--no-progress"]) == 0
    md = (out / "report.md").read_text()
    assert "## Real recordings with APS frames" in capsys.readouterr().out  # printed too
    assert "## Real recordings (no reference)" in md and "## Real recordings with APS frames" in md
    rep = json.loads((out / "report.json").read_text())
    aps = rep["real_aps"][path.name]
    assert aps["frames"] == 3 and aps["scored"] == 1  # default --warmup 3: the last of the 3 frames
    r = aps["models"]["tiny"]
    assert 0 <= r["mse"] <= 1 and -1 <= r["ssim"] <= 1 and 0 < r["psnr"] <= 60
    assert f"| {path.name} | tiny | {r['ssim']:.4f} | {r['mse']:.5f} | {r['psnr']:.2f} | 1 / 3 |" in md


# ---------------------------------------------------------------------- the APS frame follows --roi / --downsample
def block_means(img: np.ndarray, n: int) -> np.ndarray:
    """The reference: each n x n block's mean (rounded half up), a partial last block over its pixels."""
    h, w = img.shape
    out = np.empty((-(-h // n), -(-w // n)), np.uint8)
    for by in range(out.shape[0]):
        for bx in range(out.shape[1]):
            b = img[by * n:(by + 1) * n, bx * n:(bx + 1) * n].astype(np.int64)
            out[by, bx] = (b.sum() + b.size // 2) // b.size
    return out


@pytest.mark.parametrize("roi, n", [(None, 1), ((5, 3, 40, 30), 1), ((5, 3, 41, 29), 3), (None, 2)])
def test_crop_and_bin(roi, n):
    from evfocus_live.config import model_size
    from evfocus_live.core.render import crop_and_bin
    img = syn_aps_image(1)
    x, y, w, h = roi or (0, 0, SYN_W, SYN_H)
    out = crop_and_bin(img, roi, n)
    assert np.array_equal(out, block_means(img[y:y + h, x:x + w], n))
    assert out.shape[::-1] == model_size(SYN_W, SYN_H, roi, n)  # the reconstruction's size


def test_pipeline_aps_follows_roi_and_downsample(davis_synth, tiny_model):  # noqa: F811
    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.pipeline import Pipeline
    roi = (6, 4, 37, 33)
    with Pipeline(str(davis_synth), WindowConfig(mode="timestamps", timestamps_aps=True, roi=roi, downsample=2),
                  model_obj=tiny_model, post=PostConfig(steps=())) as pipe:
        frames = list(pipe.frames())
        assert [fr.aps_t_us for fr in frames] == list(SYN_APS_US)
        for k, fr in enumerate(frames):
            assert fr.aps.shape == fr.image.shape == (17, 19)
            assert np.array_equal(fr.aps, block_means(syn_aps_image(k)[4:37, 6:43], 2))
        # a new ROI (the viewer's box): the next frames' APS frame is cut anew
        pipe.set_window(WindowConfig(mode="duration", window_ms=5, roi=(0, 0, 32, 24)))
        pipe.seek(SYN_APS_US[1] + 1_000)
        fr = next(pipe.frames())
        assert fr.aps_t_us == SYN_APS_US[1] and np.array_equal(fr.aps, syn_aps_image(1)[:24, :32])


def test_save_aps_with_roi_matches_the_frames(tmp_path, davis_synth, tiny_ckpt):  # noqa: F811
    import cv2
    out = tmp_path / "out"
    assert main(["reconstruct", str(davis_synth), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", "--at", "aps", "--save-aps", "--roi", "10,8,40,32", "--downsample", "2"]) == 0
    for k in range(3):
        aps = cv2.imread(str(out / f"aps_{k:010d}.png"), cv2.IMREAD_UNCHANGED)
        assert aps.shape == cv2.imread(str(out / f"frame_{k:010d}.png"), 0).shape == (16, 20)
        assert np.array_equal(aps, block_means(syn_aps_image(k)[8:40, 10:50], 2))


# ---------------------------------------------------------------------- the viewer: frames read off the GUI thread
FRAME_TIMEOUT_MS = 30_000


def slow_aps_source(path, release):
    """The synthetic recording, whose APS frames are only read once ``release`` is set."""
    from evfocus_live.sources.aedat4_file import Aedat4FileSource

    class SlowAps(Aedat4FileSource):
        def aps_frames(self):
            self.read_on = __import__("threading").current_thread()
            self.asked.set()
            release.wait(20)  # (the old viewer waited here, on its GUI thread)
            return super().aps_frames()

    src = SlowAps(path)
    src.asked = __import__("threading").Event()
    return src


def viewer(qtbot, tmp_path, source, model, window, **kw):
    return aps_window(qtbot, tmp_path, source, model, window=window, **kw)


def expected_syn_aps(t_us):
    before = [(t, syn_aps_image(k)) for k, t in enumerate(SYN_APS_US) if t <= t_us]
    return before[-1] if before else None


@pytest.mark.gui
def test_viewer_plays_while_the_aps_frames_load_and_shows_them_after(qtbot, tmp_path, tiny_model, davis_synth):  # noqa: F811
    import threading

    from evfocus_live.config import WindowConfig
    release = threading.Event()
    src = slow_aps_source(davis_synth, release)
    try:
        win = viewer(qtbot, tmp_path, src, tiny_model, WindowConfig(mode="events", window_events=400),
                     speed=0.1, loop=True, show_aps=True)
        # the window stands and plays while the read is held: it is not on the GUI thread
        assert src.asked.wait(10) and src.read_on is not threading.main_thread()
        assert win.session is not None and win.session.aps_loading
        assert win.aps_check.isEnabled() and win.aps_shown  # (the file's frame stream: known at open)
        qtbot.waitUntil(lambda: win.frames_painted >= 5 and win.last_frame.t_us > SYN_APS_US[0],
                        timeout=FRAME_TIMEOUT_MS)
        assert not release.is_set() and win.last_frame.aps is None
        assert win.defocus_pane.note.toPlainText() == "loading APS frames\u2026"
        # paused, then the frames arrive: the frame shown gets its APS frame without a new one
        win.toggle_pause()
        qtbot.waitUntil(lambda: win.session.paused, timeout=5000)
        qtbot.wait(200)
        shown = win.frames_painted
        release.set()
        qtbot.waitUntil(lambda: not win.session.aps_loading and not win._aps_waiting, timeout=FRAME_TIMEOUT_MS)
        exp = expected_syn_aps(win.last_frame.t_us)
        assert exp is not None and win.last_frame.aps_t_us == exp[0]
        assert np.array_equal(pane_image(win.defocus_pane), exp[1])
        assert win.defocus_pane.note.toPlainText() == "" and win.frames_painted == shown
        # and on play, the new frames carry theirs
        win.toggle_pause()

        def shows_its_aps_frame():
            fv = win.last_frame
            e = expected_syn_aps(fv.t_us)
            return fv.index > 0 and e is not None and fv.aps_t_us == e[0] and np.array_equal(pane_image(win.defocus_pane), e[1])
        qtbot.waitUntil(shows_its_aps_frame, timeout=FRAME_TIMEOUT_MS)
        win.close()
    finally:
        release.set()


@pytest.mark.gui
def test_viewer_aps_pane_follows_the_roi(qtbot, tmp_path, tiny_model, davis_synth):  # noqa: F811
    from evfocus_live.config import WindowConfig
    roi = (6, 4, 37, 33)
    win = viewer(qtbot, tmp_path, str(davis_synth), tiny_model,
                 WindowConfig(mode="events", window_events=300, roi=roi, downsample=2),
                 speed=0.1, loop=True, show_aps=True)

    def shows_its_cropped_aps_frame():
        fv = win.last_frame
        e = None if fv is None else expected_syn_aps(fv.t_us)
        return e is not None and np.array_equal(pane_image(win.defocus_pane), block_means(e[1][4:37, 6:43], 2))
    qtbot.waitUntil(shows_its_cropped_aps_frame, timeout=FRAME_TIMEOUT_MS)
    assert pane_image(win.defocus_pane).shape == pane_image(win.frame_pane).shape == (17, 19)
    win.close()
