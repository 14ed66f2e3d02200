"""Session 20 polish: ``evfocus bench``'s ``--roi`` row, the ROI outlined on the event pane in
its decay / time-surface modes, and ``evfocus eval`` reading only the APS frames it scores."""

from __future__ import annotations

import pytest
import torch
from conftest import TINY, make_events

from evfocus_live import benchmark
from evfocus_live.writers.hdf5 import Hdf5Writer


# ---------------------------------------------------------------------- evfocus bench --roi row
def _tiny_evfocus():
    from evfocus_live.nn.registry import build_model

    torch.manual_seed(0)
    return build_model("evfocus", TINY).eval()


def _replay(tmp_path, w=64, h=48):
    ev = make_events(60_000, w, h, duration_us=300_000)
    path = tmp_path / "r.h5"
    with Hdf5Writer(path, w, h) as wr:
        wr.write(ev)
    return {"events": ev, "path": path, "width": w, "height": h}


def test_centred_roi_is_a_davis346_in_the_middle_of_a_gen4_sensor():
    assert benchmark.centred_roi(1280, 720) == (467, 230, 346, 260)  # bench_roi.py's default
    assert benchmark.centred_roi(64, 48, 32, 24) == (16, 12, 32, 24)
    assert benchmark.centred_roi(200, 100) == (0, 0, 200, 100)  # never larger than the sensor


def test_bench_roi_row_compares_the_roi_to_the_full_sensor_in_one_run(tmp_path, monkeypatch, one_torch_thread):
    model = _tiny_evfocus()
    monkeypatch.setattr(benchmark, "_model_list", lambda names: [("evfocus", model)])
    replay = _replay(tmp_path)
    full = benchmark.bench_end_to_end({"1280x720": replay}, "evfocus", 10.0, 5, precisions=("fp32",))
    (row,) = benchmark.roi_rows(full, replay, 5, 0, roi_wh=(32, 24))
    assert row.stage == "end to end (replay), --roi 16,12,32,24" and row.resolution == "1280x720"
    assert row.extra["model_size"] == "32x24" and row.extra["precision"] == "fp32"
    assert row.extra["frames"] == 5 and row.value > 0 and row.unit == "frames/s"
    assert row.baseline == "full sensor, fp32, this run" and row.ratio == pytest.approx(row.value / full[0].value)
    assert "model_size" not in full[0].extra  # the full-sensor row is not marked as cropped


def test_bench_run_has_the_roi_row_after_the_downsample_row(tmp_path, monkeypatch):
    """`evfocus bench` (here with every stage but end to end stubbed): the ROI row is in the
    result and the table, with its ratio against the full-sensor fp32 row."""
    for stage in ("bench_read", "bench_voxel", "bench_models", "bench_runtime", "bench_post_and_display"):
        monkeypatch.setattr(benchmark, stage, lambda *a, **k: [])
    model = _tiny_evfocus()
    monkeypatch.setattr(benchmark, "_model_list", lambda names: [("evfocus", model)])
    monkeypatch.setattr(benchmark, "make_replays", lambda tmp, seconds: {"1280x720": _replay(tmp, 400, 300)})
    res = benchmark.run(quick=True, threads=1)
    stages = [r["stage"] for r in res["rows"]]
    assert stages.index("end to end (replay), --roi 27,20,346,260") > stages.index("end to end (replay), --downsample 2")
    row = next(r for r in res["rows"] if r["stage"].startswith("end to end (replay), --roi"))
    full = next(r for r in res["rows"] if r["stage"] == "end to end (replay)" and r["precision"] == "fp32")
    assert row["model_size"] == "346x260" and row["ratio"] == pytest.approx(row["value"] / full["value"])
    assert "| end to end (replay), --roi 27,20,346,260 | 1280x720 |" in benchmark.format_table(res)


# ---------------------------------------------------------------------- the ROI outline on the event pane
def _outline(win):
    """(visible, (x, y, w, h)) of the event pane's ROI outline."""
    item = win.event_pane.outline
    r = item.rect()
    return item.isVisible(), (r.x(), r.y(), r.width(), r.height())


def _outline_pixels(win) -> int:
    """Pixels of the outline's colour (#30c0ff) in a grab of the event pane."""
    from evfocus_live.gui.widgets import qimage_to_array

    img = qimage_to_array(win.event_pane.grab().toImage())[..., :3].astype(int)
    return int((abs(img - (0x30, 0xC0, 0xFF)).sum(-1) < 40).sum())


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_roi_is_outlined_on_the_whole_sensor_event_modes(qtbot, tmp_path, tiny_model):
    from gui_support import make_window, pattern, wait_frames
    from gui_support import set_roi

    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    assert not _outline(win)[0]  # no ROI
    set_roi(win, "16,8,48,32")
    qtbot.waitUntil(lambda: win.event_pane.image_shape == (32, 48), timeout=30_000)
    assert not _outline(win)[0]  # "network window": the pane is the ROI itself
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("decay"))
    qtbot.waitUntil(lambda: win.event_pane.image_shape == (72, 96), timeout=30_000)
    assert _outline(win) == (True, (16.0, 8.0, 48.0, 32.0))
    qtbot.wait(100)
    assert _outline_pixels(win) > 50  # drawn, not just flagged visible
    set_roi(win, "40,30,56,40")  # follows the ROI
    assert _outline(win) == (True, (40.0, 30.0, 56.0, 40.0))
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("time_surface"))
    assert _outline(win)[0]
    assert win.open_source(pattern(96, 72))  # a source that holds it: still outlined
    wait_frames(qtbot, win)
    assert _outline(win) == (True, (40.0, 30.0, 56.0, 40.0))
    assert win.open_source(pattern(64, 48))  # one that cannot: it runs whole, no outline
    assert win.opts.window.roi is None and not _outline(win)[0]
    set_roi(win, "0,0,32,16")
    assert _outline(win) == (True, (0.0, 0.0, 32.0, 16.0))
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("window"))
    assert not _outline(win)[0]
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("decay"))
    assert _outline(win)[0]
    win.roi_full_button.click()  # cleared
    assert not _outline(win)[0]
    qtbot.wait(100)
    assert _outline_pixels(win) == 0
    win.close()


# ---------------------------------------------------------------------- evfocus eval reads only the APS frames it scores
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


def test_aps_frames_limit_reads_only_the_first_and_keeps_the_default(many_aps, frames_decoded):
    import numpy as np

    from evfocus_live.sources.aedat4_file import Aedat4FileSource

    with Aedat4FileSource(many_aps) as src:
        first = src.aps_frames(limit=3)
        assert frames_decoded[0] == 3 and [t for t, _ in first] == [2_000, 4_400, 6_800]
        every = src.aps_frames()  # the default: all of them, read once and kept
        assert len(every) == N_APS and frames_decoded[0] == 3 + N_APS
        assert all(a[0] == b[0] and np.array_equal(a[1], b[1]) for a, b in zip(first, every[:3]))
        assert src.aps_frames(limit=5) == every[:5] and src.aps_frames() is every
        assert frames_decoded[0] == 3 + N_APS  # (from what is kept)


def test_eval_max_windows_1_reads_one_aps_frame_with_the_same_scores(many_aps, tiny_ckpt, tmp_path,
                                                                       frames_decoded, monkeypatch):
    import json

    from evfocus_live.cli import main
    from evfocus_live.train import evaluate

    def run(out):
        frames_decoded[0] = 0
        assert main(["eval", "--models", str(tiny_ckpt), "--data", str(many_aps), "--out", str(out),
                     "--no-progress", "--max-windows", "1"]) == 0
        return json.loads((out / "report.json").read_text())["real_aps"][many_aps.name], frames_decoded[0]

    now, read_now = run(tmp_path / "now")
    assert read_now == 1 and now["frames"] == 1 and now["scored"] == 1
    # as before: every frame read, then cut to --max-windows
    monkeypatch.setattr(evaluate, "_first_aps_frames", lambda src, n: list(src.aps_frames())[:n])
    before, read_before = run(tmp_path / "before")
    assert read_before == N_APS and now == before


def test_eval_calls_a_plugin_sources_aps_frames_without_limit():
    """A plugin's source whose ``aps_frames()`` predates ``limit`` is called as before."""
    from evfocus_live.train.evaluate import _first_aps_frames

    class Old:
        def aps_frames(self):
            return [(1, "a"), (2, "b"), (3, "c")]

    class New:
        def aps_frames(self, limit=None):
            self.limit = limit
            return [(1, "a"), (2, "b"), (3, "c")][:limit]

    assert _first_aps_frames(Old(), 2) == [(1, "a"), (2, "b")]
    new = New()
    assert _first_aps_frames(new, 2) == [(1, "a"), (2, "b")] and new.limit == 2
