"""``evfocus-live --video out.gif`` (or a name without an extension) ran the whole replay, then
logged "no frame was reconstructed" beside 3 frames done and failed on the video writer; a
``--screenshot shot.txt`` waited out ``--exit-after`` before "cannot write screenshot"; a
``--record out.raw`` wrote an AEDAT4 file under a Prophesee name. Each is one line and exit 2
before any work now."""

from __future__ import annotations

import pytest

from evfocus_live.gui import app


@pytest.mark.parametrize("flag,name,message", [
    ("--video", "out.gif", "--video {p}: unknown video type '.gif'; use .mp4"),
    ("--video", "out", "--video {p}: unknown video type (no extension)"),
    ("--screenshot", "shot.txt", "--screenshot {p}: unknown image type '.txt'; use .png"),
    ("--screenshot", "shot", "--screenshot {p}: unknown image type (no extension)"),
    ("--record", "out.raw", "--record {p}: recordings are written as AEDAT4; name the file .aedat4"),
])
def test_output_type_refused_before_the_run(tmp_path, monkeypatch, capsys, flag, name, message):
    def must_not_run(*a, **k):
        raise AssertionError("the run started")

    monkeypatch.setattr(app, "run_headless", must_not_run)
    monkeypatch.setattr(app, "run_window", must_not_run)
    path = tmp_path / name
    argv = ["--camera", "sim", flag, str(path), "--exit-after", "1"] + ([] if flag == "--screenshot" else ["--headless"])
    assert app.main(argv) == app.EXIT_USER_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message.format(p=path) in err[0], err
    assert not path.exists()


@pytest.mark.parametrize("flag,name", [("--video", "out.MKV"), ("--video", "out.avi"), ("--screenshot", "s.jpg"),
                                       ("--record", "rec.AEDAT4")])
def test_known_output_types_pass(tmp_path, monkeypatch, flag, name):
    ran = []
    monkeypatch.setattr(app, "run_headless", lambda *a: ran.append(a) or 0)
    monkeypatch.setattr(app, "run_window", lambda *a: ran.append(a) or 0)
    argv = ["--camera", "sim", flag, str(tmp_path / name), "--exit-after", "1"]
    assert app.main(argv + ([] if flag == "--screenshot" else ["--headless"])) == 0
    assert ran
