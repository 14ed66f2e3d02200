"""`evfocus simulate DIR --resume` with other options than the run it finishes (a test set
simulated again at another resolution) said "made with another config or seed than this run":
it now names what differs, as the file has it and as this run asks."""

from __future__ import annotations


def _sim(out, *opts):
    from evfocus_live.cli import main as cli_main

    return cli_main(["simulate", str(out), "--sequences", "1", "--duration", "0.05", "--frame-ms", "25",
                     "--seed", "3", "--no-aedat4", "--no-progress", *opts])


def test_resume_with_another_resolution_names_it(tmp_path, capsys):
    out = tmp_path / "test"
    assert _sim(out, "--resolution", "32x24") == 0
    capsys.readouterr()
    assert _sim(out, "--resolution", "40x24", "--resume") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "--resolution 32x24 there, 40x24 in this run" in err[0], err


def test_resume_with_another_seed_names_it(tmp_path, capsys):
    out = tmp_path / "test"
    assert _sim(out, "--resolution", "32x24") == 0
    capsys.readouterr()
    assert _sim(out, "--resolution", "32x24", "--resume", "--seed", "4") == 2
    err = capsys.readouterr().err.strip()
    assert "--seed 3 there, 4 in this run" in err, err
