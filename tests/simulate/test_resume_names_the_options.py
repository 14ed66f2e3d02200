"""`evfocus simulate DIR --resume` with other options than the run it finishes named what
differs by the simulator's field names (``sigma_range 0 7 there, 2 5 in this run``, ``width``,
``speed_range_px_s``), which the user never typed: it now names the command's options, with
the value there and in this run."""

from __future__ import annotations

import pytest


def _sim(out, *opts):
    from evfocus_live.cli import main as cli_main

    return cli_main(["simulate", str(out), "--sequences", "1", "--duration", "0.05", "--frame-ms", "25",
                     "--seed", "3", "--resolution", "32x24", "--no-aedat4", "--no-progress", *opts])


@pytest.mark.parametrize("first, again, said", [
    ([], ["--sigma-range", "2", "5"], "--sigma-range 0 7 there, 2 5 in this run"),
    ([], ["--resolution", "40x24"], "--resolution 32x24 there, 40x24 in this run"),
    ([], ["--max-speed", "100"], "--max-speed 250 there, 100 in this run"),
    (["--sigma-range", "1", "4"], ["--sigma-range", "1", "4", "--focus-sweep"], "--focus-sweep off there, on in this run"),
    ([], ["--seed", "4"], "--seed 3 there, 4 in this run"),
])
def test_resume_names_the_options_typed(tmp_path, capsys, first, again, said):
    out = tmp_path / "test"
    assert _sim(out, *first) == 0
    capsys.readouterr()
    assert _sim(out, *again, "--resume") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0], err
    for internal in ("sigma_range", "width", "speed_range_px_s", "focus_sweep", "seed 3"):
        assert internal not in err[0].replace("--seed 3", ""), err


def test_resume_with_workers_names_the_options_too(tmp_path, capsys):
    """The mismatch raised in a worker process reaches the command whole."""
    out = tmp_path / "test"
    assert _sim(out, "--sequences", "2") == 0
    capsys.readouterr()
    assert _sim(out, "--sequences", "2", "--workers", "2", "--frame-ms", "10", "--resume") == 2
    err = capsys.readouterr().err.strip()
    assert "--frame-ms 25 there, 10 in this run" in err, err
