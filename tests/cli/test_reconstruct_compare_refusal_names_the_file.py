"""A rerun into a folder whose earlier run left only compare/ frames is refused naming the file
where it is (``compare/frame_...png``): the bare name pointed at OUTDIR, where no frame was."""

from __future__ import annotations

from compare_support import SLICE, ckpts  # noqa: F401 (the fixture)
from conftest import REAL_FILES

from evfocus_live.cli import main


def test_refusal_names_a_compare_frame_by_its_folder(tmp_path, ckpts, capsys):  # noqa: F811
    out = tmp_path / "out"
    (out / "compare").mkdir(parents=True)
    (out / "compare" / "frame_0000000000.png").write_bytes(b"")
    rc = main(["reconstruct", str(REAL_FILES["evt2"]["path"]), "-o", str(out), "--model", str(ckpts[0]), *SLICE])
    err = capsys.readouterr().err
    assert rc == 2 and "(compare/frame_0000000000.png, ...)" in err, err
