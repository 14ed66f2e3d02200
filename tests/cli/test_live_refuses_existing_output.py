"""``evfocus-live --video OUT.mp4`` / ``--record OUT.aedat4`` replaced an existing file without a
word (the headless run started the recorder with overwrite=True), while ``evfocus reconstruct
--video`` refuses one: a user's earlier recording was lost. Refused now in one line, exit 2,
before any work (headless and windowed), unless ``--overwrite``."""

from __future__ import annotations

import pytest
from cli_support import write_aedat4
from headless_support import headless_lines

from evfocus_live.gui import app


def _must_not_run(*a, **k):
    raise AssertionError("the run started")


@pytest.mark.parametrize("flag,name", [("--video", "old.mp4"), ("--record", "old.aedat4")])
@pytest.mark.parametrize("headless", [True, False])
def test_existing_output_refused_before_any_work(tmp_path, monkeypatch, capsys, flag, name, headless):
    rec = write_aedat4(tmp_path / "rec.aedat4")
    old = tmp_path / name
    old.write_bytes(b"an earlier recording")
    monkeypatch.setattr(app, "run_headless", _must_not_run)
    monkeypatch.setattr(app, "run_window", _must_not_run)
    argv = [str(rec), flag, str(old), "--exit-after", "1"] + (["--headless"] if headless else [])
    assert app.main(argv) == app.EXIT_USER_ERROR
    err = capsys.readouterr().err.strip()
    assert err == f"evfocus-live: error: {flag} {old}: already exists; use --overwrite or another file name", err
    assert old.read_bytes() == b"an earlier recording"


@pytest.mark.parametrize("flag,name", [("--video", "old.mp4"), ("--record", "old.aedat4")])
def test_overwrite_or_an_empty_file_runs(tmp_path, monkeypatch, flag, name):
    """``--overwrite`` lets it through; so does an empty file (``mktemp``'s), as reconstruct does."""
    rec = write_aedat4(tmp_path / "rec.aedat4")
    old = tmp_path / name
    ran = []
    monkeypatch.setattr(app, "run_headless", lambda *a: ran.append(a) or 0)
    old.write_bytes(b"an earlier recording")
    assert app.main([str(rec), "--headless", flag, str(old), "--overwrite"]) == 0
    old.write_bytes(b"")
    assert app.main([str(rec), "--headless", flag, str(old)]) == 0
    assert len(ran) == 2


def test_overwrite_replaces_the_recording(tmp_path, tiny_ckpt, caplog):
    out = tmp_path / "out.aedat4"
    out.write_bytes(b"an earlier recording")
    wrote = headless_lines(tmp_path, tiny_ckpt, caplog, f"wrote {out}", "--speed", "0", "--record", str(out),
                           "--overwrite", "--exit-after", "30")
    assert len(wrote) == 1 and out.read_bytes()[:8] != b"an earli", wrote


def test_help_states_overwrite_and_its_default():
    text = " ".join(app.build_parser().format_help().split())
    assert "--overwrite replace an existing --video/--record file and an earlier run's frames in --frames-dir " \
           "(default: off" in text, text
