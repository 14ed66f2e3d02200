"""A simulated dataset did not record which evfocus-live made it, so `evfocus simulate DIR
--resume` into a folder an older or newer simulator began mixed the two simulators' sequences
in one dataset without a word. Each sequence's .h5 and dataset.json now record
``evfocus_version``; --resume refuses another version's sequence in one line naming both
(--any-version keeps it), and keeps a sequence from before the version was recorded, saying so."""

from __future__ import annotations

import json
import logging

from simulate_support import _refused, _set_version, _sim

from evfocus_live import __version__


def test_a_dataset_records_the_version_that_made_it(tmp_path):
    import h5py

    out = tmp_path / "d"
    assert _sim(out) == 0
    m = json.loads((out / "dataset.json").read_text())
    assert m["evfocus_version"] == __version__
    assert [s["evfocus_version"] for s in m["sequences"]] == [__version__] * 2
    with h5py.File(out / "seq_00000.h5") as f:
        assert f.attrs["evfocus_version"] == __version__.encode()


def test_resume_refuses_an_older_versions_sequence(tmp_path, capsys):
    err = _refused(tmp_path / "d", "0.0.9", capsys)
    assert f"made by evfocus-live 0.0.9, this is {__version__}" in err and "--any-version" in err, err


def test_resume_any_version_keeps_it_and_lists_its_version(tmp_path):
    out = tmp_path / "d"
    assert _sim(out, "--sequences", "1") == 0
    _set_version(out / "seq_00000.h5", "0.0.9")
    assert _sim(out, "--resume", "--any-version") == 0
    m = json.loads((out / "dataset.json").read_text())
    assert [s["evfocus_version"] for s in m["sequences"]] == ["0.0.9", __version__]


def test_resume_of_a_newer_versions_sequence_names_both_versions(tmp_path, capsys):
    err = _refused(tmp_path / "d", "9.1.0", capsys)
    assert f"made by evfocus-live 9.1.0's simulate, this is {__version__}" in err and "upgrade evfocus-live" in err


def test_resume_keeps_a_sequence_without_a_version_and_says_it(tmp_path, caplog):
    out = tmp_path / "d"
    assert _sim(out, "--sequences", "1") == 0
    _set_version(out / "seq_00000.h5", None)
    caplog.set_level(logging.WARNING)
    assert _sim(out, "--resume") == 0
    said = [r.getMessage() for r in caplog.records if "record no evfocus-live version" in r.getMessage()]
    assert len(said) == 1 and "seq_00000" in said[0], said
    assert (out / "seq_00001.h5").is_file()


def test_any_version_without_resume_is_one_line(tmp_path, capsys):
    assert _sim(tmp_path / "d", "--any-version") == 2
    assert "--any-version goes with --resume" in capsys.readouterr().err
