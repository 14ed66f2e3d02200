"""``evfocus reconstruct --compare MODEL``: a second model's frames of the same windows in
OUTDIR/compare/, same numbers and times; a bad name is one line, nothing written."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from compare_support import SLICE, ckpts  # noqa: F401 (the fixture)
from conftest import REAL_FILES

from evfocus_live.cli import main

EVT2 = REAL_FILES["evt2"]


def _names(d: Path) -> list[str]:
    return sorted(p.name for p in d.glob("frame_*.png"))


def test_compare_frames_beside_the_main_ones(tmp_path, ckpts, capsys):
    out = tmp_path / "out"
    rc = main(["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(ckpts[0]),
               "--compare", str(ckpts[1]), *SLICE])
    assert rc == 0
    names = _names(out)
    assert names == [f"frame_{i:010d}.png" for i in range(3)]
    assert _names(out / "compare") == names  # the same windows, the same numbers
    assert (out / "compare" / "timestamps.txt").read_text() == (out / "timestamps.txt").read_text()
    a = cv2.imread(str(out / names[1]), cv2.IMREAD_UNCHANGED)
    b = cv2.imread(str(out / "compare" / names[1]), cv2.IMREAD_UNCHANGED)
    assert a.shape == b.shape == (EVT2["height"], EVT2["width"]) and b.dtype == np.uint8
    assert not np.array_equal(a, b)  # another model's frame, not a copy
    # the main frames are those of a run without --compare (its own state, not shared)
    plain = tmp_path / "plain"
    assert main(["reconstruct", str(EVT2["path"]), "-o", str(plain), "--model", str(ckpts[0]), *SLICE]) == 0
    assert not (plain / "compare").exists()
    assert _names(plain) == names
    assert (plain / "timestamps.txt").read_text() == (out / "timestamps.txt").read_text()
    assert all(np.array_equal(cv2.imread(str(out / n), 0), cv2.imread(str(plain / n), 0)) for n in names)
    # an earlier run's compare frames are that run's output: refused, removed by --overwrite
    capsys.readouterr()
    assert main(["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(ckpts[0]), *SLICE]) == 2
    assert "already holds reconstructed frames" in capsys.readouterr().err
    assert main(["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(ckpts[0]), "--overwrite",
                 *SLICE]) == 0
    assert _names(out / "compare") == [] and not (out / "compare" / "timestamps.txt").exists()


def test_compare_as_a_video_panel(tmp_path, ckpts):
    out, video = tmp_path / "out", tmp_path / "v.mp4"
    assert main(["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(ckpts[0]), "--compare",
                 str(ckpts[1]), "--video", str(video), "--side-by-side", *SLICE]) == 0
    cap = cv2.VideoCapture(str(video))
    try:
        w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
    finally:
        cap.release()
    assert w == 3 * EVT2["width"] + (3 * EVT2["width"]) % 2  # events | frame | compare


@pytest.mark.parametrize("name", ["e2vdi", ""])
def test_bad_compare_name_is_one_line(tmp_path, ckpts, capsys, name):
    out = tmp_path / "out"
    rc = main(["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(ckpts[0]), "--compare", name,
               *SLICE])
    err = capsys.readouterr().err
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and "--compare" in err and "Traceback" not in err
    assert not out.exists()


def test_config_file_compare_is_run_and_the_option_wins(tmp_path, ckpts):
    cfg = tmp_path / "s.toml"
    cfg.write_text(f'version = 1\n[model]\ncompare = "{ckpts[1].as_posix()}"\n')
    out = tmp_path / "out"
    assert main(["reconstruct", str(EVT2["path"]), "-o", str(out), "--model", str(ckpts[0]), "--config", str(cfg),
                 *SLICE]) == 0
    assert len(_names(out / "compare")) == 3
    out2 = tmp_path / "out2"
    assert main(["reconstruct", str(EVT2["path"]), "-o", str(out2), "--model", str(ckpts[0]), "--config", str(cfg),
                 "--compare", "none", *SLICE]) == 0
    assert not (out2 / "compare").exists()


def test_compare_with_parallel_inputs(tmp_path, ckpts):
    """--jobs: each worker runs both models; each input's folder gets its compare/ frames."""
    out = tmp_path / "out"
    evt3 = REAL_FILES["evt3"]["path"]
    assert main(["reconstruct", str(EVT2["path"]), str(evt3), "-o", str(out), "--model", str(ckpts[0]),
                 "--compare", str(ckpts[1]), "--jobs", "2", *SLICE]) == 0
    for d in (out / Path(EVT2["path"]).stem, out / Path(evt3).stem):
        assert _names(d) and _names(d / "compare") == _names(d)
