"""A simulated dataset did not record which evfocus-live made it, so `evfocus simulate DIR
--resume` into a folder an older or newer simulator began mixed the two simulators' sequences
in one dataset without a word. Each sequence's .h5 and dataset.json now record
``evfocus_version``; --resume refuses another version's sequence in one line naming both
(--any-version keeps it), and keeps a sequence from before the version was recorded, saying so."""

from __future__ import annotations

import json
import logging

from evfocus_live import __version__


def _sim(out, *opts):
    from evfocus_live.cli import main as cli_main

    return cli_main(["simulate", str(out), "--sequences", "2", "--duration", "0.05", "--frame-ms", "25",
                     "--resolution", "32x24", "--seed", "3", "--no-aedat4", "--no-progress", *opts])


def _set_version(h5_path, version) -> None:
    import h5py

    with h5py.File(h5_path, "r+") as f:
        if version is None:
            del f.attrs["evfocus_version"]
        else:
            f.attrs["evfocus_version"] = version


def test_a_dataset_records_the_version_that_made_it(tmp_path):
    import h5py

    out = tmp_path / "d"
    assert _sim(out) == 0
    m = json.loads((out / "dataset.json").read_text())
    assert m["evfocus_version"] == __version__
    assert [s["evfocus_version"] for s in m["sequences"]] == [__version__] * 2
    with h5py.File(out / "seq_00000.h5") as f:
        assert f.attrs["evfocus_version"] == __version__.encode()


def _refused(out, version, capsys) -> str:
    """--resume's one line for a folder whose first sequence ``version`` made."""
    assert _sim(out, "--sequences", "1") == 0
    _set_version(out / "seq_00000.h5", version)
    capsys.readouterr()
    assert _sim(out, "--resume") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and not (out / "seq_00001.h5").exists(), err
    return err[0]


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
