"""``evfocus-live --headless --compare MODEL`` ran both models but wrote only the main model's
frames (its --video): ``--frames-dir DIR`` writes the frames as ``evfocus reconstruct -o`` does,
the compare model's in DIR/compare/ under the same numbers with its own timestamps.txt."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from cli_support import write_aedat4
from conftest import TINY

from evfocus_live.gui import app
from evfocus_live.nn.registry import build_model, save_checkpoint


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """``app.main`` on a small recording with a tiny EvFocus and, as the compare model, a tiny FireNet."""
    import torch

    d = tmp_path_factory.mktemp("headless_compare")
    torch.manual_seed(0)
    main_ckpt = save_checkpoint(d / "evfocus_tiny.pt", build_model("evfocus", TINY))
    cmp_ckpt = save_checkpoint(d / "firenet_tiny.pt", build_model("firenet", {"base": 2}))
    rec = write_aedat4(d / "rec.aedat4", n=20_000, duration_us=200_000)

    def main(*extra: str) -> int:
        return app.main([str(rec), "--headless", "--model", str(main_ckpt), "--post", "none", "--speed", "0",
                         "--window-events", "4000", "--device", "cpu", "--exit-after-s", "60", *extra])

    main.compare = str(cmp_ckpt)
    return main


def _names(d: Path) -> list[str]:
    return sorted(p.name for p in d.glob("frame_*.png"))


def test_compare_frames_beside_the_main_ones(tmp_path, run, capsys):
    out = tmp_path / "out"
    assert run("--compare", run.compare, "--frames-dir", str(out)) == 0
    names = _names(out)
    assert len(names) >= 3, names
    assert _names(out / "compare") == names  # the same windows, the same numbers
    lines = (out / "timestamps.txt").read_text().splitlines()
    assert [f"frame_{int(line.split()[0]):010d}.png" for line in lines] == names
    assert (out / "compare" / "timestamps.txt").read_text().splitlines() == lines
    a = cv2.imread(str(out / names[-1]), cv2.IMREAD_UNCHANGED)
    b = cv2.imread(str(out / "compare" / names[-1]), cv2.IMREAD_UNCHANGED)
    assert a.shape == b.shape == (48, 64) and b.dtype == np.uint8
    assert not np.array_equal(a, b)  # the other model's frame, not a copy
    # an earlier run's frames are refused (one line), and replaced with --overwrite
    capsys.readouterr()
    assert run("--frames-dir", str(out)) == 2
    assert "already holds reconstructed frames" in capsys.readouterr().err
    assert run("--frames-dir", str(out), "--overwrite") == 0
    assert _names(out) == names and not (out / "compare").exists()  # (this run had no compare model)


def test_frames_dir_said_to_do_nothing_with_a_window(run, tmp_path, monkeypatch, caplog):
    """The window does not write it: said, not ignored in silence."""
    monkeypatch.setattr(app, "run_window", lambda *a, **k: 0)
    monkeypatch.setattr(app, "has_display", lambda: True)
    rc = app.main([str(tmp_path / "none.aedat4"), "--frames-dir", str(tmp_path / "out")])
    assert rc == 0
    assert any("--frames-dir has no effect with a window" in r.getMessage() for r in caplog.records)
    assert not (tmp_path / "out").exists()


def test_a_failed_write_ends_the_run_with_its_line(tmp_path, run, capsys, monkeypatch):
    """A full disk: exit 2 with the write's line; the frames listed are those on disk, whole."""
    from evfocus_live.cli import reconstruct
    from evfocus_live.errors import InputError

    real, count = reconstruct._write_png, [0]

    def third_fails(path, img):
        count[0] += 1
        if count[0] == 3:
            raise InputError(f"{path}: cannot write (No space left on device)")
        real(path, img)

    monkeypatch.setattr(reconstruct, "_write_png", third_fails)
    out = tmp_path / "out"
    assert run("--compare", run.compare, "--frames-dir", str(out)) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert _names(out) == _names(out / "compare") == ["frame_0000000000.png"]  # (the 2nd frame's main file: removed)
    assert len((out / "timestamps.txt").read_text().splitlines()) == 1
