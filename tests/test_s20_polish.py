"""Session 20 polish: ``evfocus bench``'s ``--roi`` row, the ROI outlined on the event pane in
its decay / time-surface modes, and ``evfocus eval`` reading only the APS frames it scores."""

from __future__ import annotations

import pytest
import torch
from conftest import TINY, make_events

from evfocus_live import benchmark
from evfocus_live.writers import Hdf5Writer


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
    from test_review2_gui import make_window, pattern, wait_frames
    from test_s20_roi import set_roi

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
