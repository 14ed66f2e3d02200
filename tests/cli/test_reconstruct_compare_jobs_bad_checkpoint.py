"""``evfocus reconstruct --jobs --compare BAD.pt``: a compare checkpoint that does not load is
one line before any worker starts (as a bad ``--model``), not one line per input."""

from __future__ import annotations

from pathlib import Path

from compare_support import SLICE, ckpts  # noqa: F401 (the fixture)
from conftest import REAL_FILES

from evfocus_live.cli import main


def test_bad_compare_checkpoint_with_jobs_is_one_line(tmp_path, ckpts, capsys):  # noqa: F811
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    out = tmp_path / "out"
    inputs = [str(REAL_FILES["evt2"]["path"]), str(REAL_FILES["evt3"]["path"])]
    rc = main(["reconstruct", *inputs, "-o", str(out), "--model", str(ckpts[0]), "--compare", str(bad),
               "--jobs", "2", *SLICE])
    err = capsys.readouterr().err
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and "compare model" in err and str(bad) in err, err
    assert not out.exists() or not any(Path(out).rglob("frame_*.png"))
