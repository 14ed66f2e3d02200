"""``python -m evfocus_live.gui.screenshot OUT.png --scene nosuch`` warned, shot the default scene
after its 10 s run and exited 0; an unknown scene is one line and exit 2 before the window is built."""

from __future__ import annotations

from evfocus_live.gui import screenshot


def test_unknown_scene_is_refused_before_the_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(screenshot, "_shoot", lambda *a: (_ for _ in ()).throw(AssertionError("the run started")))
    assert screenshot.main([str(tmp_path / "shot.png"), "--scene", "nosuch"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{screenshot.PROG}: error: --scene 'nosuch': not a simulated scene"), err
    assert "checkerboard" in err[0]
    assert not (tmp_path / "shot.png").exists()


def test_a_known_scene_reaches_the_run(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(screenshot, "_shoot", lambda args, out: seen.append(args.scene) or 0)
    assert screenshot.main([str(tmp_path / "shot.png"), "--scene", "checkerboard"]) == 0
    assert seen == ["checkerboard"]
