"""``python -m evfocus_live.gui.screenshot OUT.png`` found an unwritable OUT only after its run
(10 s at least) and said "cannot write"; it is one line and exit 2 before the window is built."""

from __future__ import annotations

from evfocus_live.gui import screenshot


def test_unwritable_out_is_refused_before_the_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(screenshot, "_shoot", lambda *a: (_ for _ in ()).throw(AssertionError("the run started")))
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    assert screenshot.main([str(afile / "shot.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{screenshot.PROG}: error: OUT.png {afile / 'shot.png'}: {afile} is not a folder"], err
