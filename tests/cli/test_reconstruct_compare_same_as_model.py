"""``evfocus reconstruct --compare`` naming ``--model``'s own model: its frames are the main
ones again at twice the time; said once (a settings file saved by the viewer can do it)."""

from __future__ import annotations

import logging

from compare_support import SLICE, ckpts  # noqa: F401 (the fixture)
from conftest import REAL_FILES

from evfocus_live.cli import main


def test_compare_same_as_model_is_said(tmp_path, ckpts, caplog):  # noqa: F811
    inp = str(REAL_FILES["evt2"]["path"])
    # the same checkpoint by another spelling of its path
    other = ckpts[0].parent / ".." / ckpts[0].parent.name / ckpts[0].name
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", inp, "-o", str(tmp_path / "out"), "--model", str(ckpts[0]), "--compare",
                     str(other), *SLICE]) == 0
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "--compare" in r.getMessage()]
    assert len(said) == 1 and "same model as --model" in said[0], said
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", inp, "-o", str(tmp_path / "out2"), "--model", str(ckpts[0]), "--compare",
                     str(ckpts[1]), *SLICE]) == 0
    assert not [r for r in caplog.records if "same model as --model" in r.getMessage()]
