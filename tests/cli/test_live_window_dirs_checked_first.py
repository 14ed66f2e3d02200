"""``evfocus-live --snapshot-dir FILE`` (or ``--record-dir`` in a folder that cannot be written)
opened the viewer without a word; the first snapshot or recording then failed on the status bar
and the moment was lost. A folder given that cannot be used is one line and exit 2 before the
window opens; one that does not exist yet is made when first used, as before."""

from __future__ import annotations

import pytest

from evfocus_live.gui import app


@pytest.fixture
def runs(monkeypatch):
    ran = []
    monkeypatch.setattr(app, "has_display", lambda: True)
    monkeypatch.setattr(app, "run_window", lambda *a: ran.append(a) or 0)
    monkeypatch.setattr(app, "run_headless", lambda *a: ran.append(a) or 0)
    return ran


@pytest.mark.parametrize("flag", ["--snapshot-dir", "--record-dir"])
def test_a_file_as_the_folder_is_refused_before_the_window(tmp_path, capsys, runs, flag):
    afile = tmp_path / "notes.txt"
    afile.write_text("not a folder")
    assert app.main(["--camera", "sim", flag, str(afile)]) == app.EXIT_USER_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"evfocus-live: error: {flag} {afile}: exists and is not a folder"], err
    assert not runs


@pytest.mark.parametrize("flag", ["--snapshot-dir", "--record-dir"])
def test_a_folder_under_a_file_is_refused_before_the_window(tmp_path, capsys, runs, flag):
    afile = tmp_path / "notes.txt"
    afile.write_text("not a folder")
    assert app.main(["--camera", "sim", flag, str(afile / "shots")]) == app.EXIT_USER_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"evfocus-live: error: {flag} {afile / 'shots'}"), err
    assert not runs


@pytest.mark.parametrize("flag", ["--snapshot-dir", "--record-dir"])
def test_a_new_folder_is_fine_and_not_made_up_front(tmp_path, runs, flag):
    new = tmp_path / "later" / "shots"
    assert app.main(["--camera", "sim", flag, str(new)]) == 0
    assert len(runs) == 1 and not new.exists()


def test_headless_only_warns_of_them(tmp_path, runs, caplog):
    afile = tmp_path / "notes.txt"
    afile.write_text("not a folder")
    assert app.main(["--camera", "sim", "--headless", "--snapshot-dir", str(afile)]) == 0
    assert len(runs) == 1
    assert "--snapshot-dir has no effect without a window" in caplog.text
