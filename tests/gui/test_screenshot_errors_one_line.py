"""``python -m evfocus_live.gui.screenshot OUT.png --model nosuch`` logged the viewer's fallback
warning, then its own error, under a prefix ("screenshot: error:") that was not argparse's
("python -m evfocus_live.gui.screenshot: error:"). A model that does not load is now one line,
under the prefix argparse uses, exit 2: a name none has before the run, a checkpoint that does
not load once the window tried it."""

from __future__ import annotations

import pytest

from evfocus_live.gui import screenshot


def _no_run(monkeypatch):
    monkeypatch.setattr(screenshot, "_shoot", lambda *a: (_ for _ in ()).throw(AssertionError("the run started")))


@pytest.mark.parametrize("flag", ["--model", "--compare"])
def test_a_model_no_one_has_is_one_line_before_the_run(tmp_path, monkeypatch, capsys, flag):
    _no_run(monkeypatch)
    assert screenshot.main([str(tmp_path / "shot.png"), flag, "nosuch"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"python -m evfocus_live.gui.screenshot: error: {flag}: "
                                               "unknown model 'nosuch'"), err


def test_the_prefix_is_argparses(tmp_path, capsys):
    with pytest.raises(SystemExit):
        screenshot.main([str(tmp_path / "shot.png"), "--size", "big"])
    parse_error = capsys.readouterr().err.strip().splitlines()[-1]
    assert screenshot.main([str(tmp_path / "shot.jpg")]) == 2
    ours = capsys.readouterr().err.strip()
    assert parse_error.split(": error: ")[0] == ours.split(": error: ")[0] == screenshot.PROG


@pytest.mark.gui
def test_a_checkpoint_that_does_not_load_is_one_line(qapp, tmp_path, capsys, caplog):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    out = tmp_path / "shot.png"
    assert screenshot.main([str(out), "--model", str(bad), "--min-s", "0", "--min-frames", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{screenshot.PROG}: error: --model {str(bad)!r} did not load: {bad}: not a PyTorch "
                   "checkpoint file"], err
    assert not out.exists()
    assert not [r for r in caplog.records if r.name.startswith("evfocus_live.gui")], caplog.text  # (no warning first)
