"""``evfocus reconstruct --compare``'s OUTDIR/compare/ folder: one held by a file is refused
before any work (the second input failed after the first was reconstructed), and ``--overwrite``
of a compare run by a run without one leaves no empty compare/ behind (it read as a comparison)."""

from __future__ import annotations

from pathlib import Path

from compare_support import SLICE, ckpts  # noqa: F401 (the fixture)
from conftest import REAL_FILES

from evfocus_live.cli import main


def test_compare_folder_held_by_a_file_is_refused_first(tmp_path, ckpts, capsys):  # noqa: F811
    out = tmp_path / "out"
    evt2, evt3 = Path(REAL_FILES["evt2"]["path"]), Path(REAL_FILES["evt3"]["path"])
    (out / evt3.stem).mkdir(parents=True)
    (out / evt3.stem / "compare").write_text("mine")
    rc = main(["reconstruct", str(evt2), str(evt3), "-o", str(out), "--model", str(ckpts[0]), "--compare",
               str(ckpts[1]), *SLICE])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "compare" in err and "not a folder" in err, err
    assert not list(out.rglob("frame_*.png"))  # nothing reconstructed before the refusal


def test_overwrite_without_compare_removes_the_emptied_compare_folder(tmp_path, ckpts):  # noqa: F811
    out, inp = tmp_path / "out", str(REAL_FILES["evt2"]["path"])
    assert main(["reconstruct", inp, "-o", str(out), "--model", str(ckpts[0]), "--compare", str(ckpts[1]),
                 *SLICE]) == 0
    assert main(["reconstruct", inp, "-o", str(out), "--model", str(ckpts[0]), "--overwrite", *SLICE]) == 0
    assert not (out / "compare").exists()
    # a folder holding the user's own files stays, with them
    assert main(["reconstruct", inp, "-o", str(out), "--model", str(ckpts[0]), "--compare", str(ckpts[1]),
                 "--overwrite", *SLICE]) == 0
    (out / "compare" / "notes.txt").write_text("mine")
    assert main(["reconstruct", inp, "-o", str(out), "--model", str(ckpts[0]), "--overwrite", *SLICE]) == 0
    assert [p.name for p in (out / "compare").iterdir()] == ["notes.txt"]
