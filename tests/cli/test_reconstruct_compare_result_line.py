"""``evfocus reconstruct --compare``: the result line says how many compare frames were written
and where (a compare model's dropped frames, or none at all, were only a warning on stderr)."""

from __future__ import annotations

from compare_support import SLICE, ckpts  # noqa: F401 (the fixture)
from conftest import REAL_FILES

from evfocus_live.cli import main


def test_result_line_names_the_compare_frames(tmp_path, ckpts, capsys):  # noqa: F811
    out = tmp_path / "out"
    inp = str(REAL_FILES["evt2"]["path"])
    assert main(["reconstruct", inp, "-o", str(out), "--model", str(ckpts[0]), "--compare", str(ckpts[1]),
                 *SLICE]) == 0
    line = capsys.readouterr().out.strip()
    assert line == f"{inp}: 3 frames -> {out}, 3 compare frames -> {out / 'compare'}"
    # without --compare the line is as it was
    assert main(["reconstruct", inp, "-o", str(tmp_path / "plain"), "--model", str(ckpts[0]), *SLICE]) == 0
    assert capsys.readouterr().out.strip() == f"{inp}: 3 frames -> {tmp_path / 'plain'}"
