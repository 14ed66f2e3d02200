"""`evfocus simulate DIR --resume` on a folder a newer evfocus-live began (its sequences' config
holds a setting this version does not have) said "future_knob 0.5 there, None in this run; use
the same options", an option no one can give: it now says the run is a newer version's. A run
of an older version (its config lacks a setting added since) still resumes."""

from __future__ import annotations

import json


def _sim(out, *opts):
    from evfocus_live.cli import main as cli_main

    return cli_main(["simulate", str(out), "--sequences", "2", "--duration", "0.05", "--frame-ms", "25",
                     "--resolution", "32x24", "--seed", "3", "--no-aedat4", "--no-progress", *opts])


def _edit_config(h5_path, edit) -> None:
    import h5py

    with h5py.File(h5_path, "r+") as f:
        cfg = json.loads(f.attrs["sim_config"])
        edit(cfg)
        f.attrs["sim_config"] = json.dumps(cfg)


def test_resume_of_a_newer_versions_run_says_so(tmp_path, capsys):
    out = tmp_path / "test"
    assert _sim(out, "--sequences", "1") == 0
    _edit_config(out / "seq_00000.h5", lambda c: c.update(future_knob=0.5))
    capsys.readouterr()
    assert _sim(out, "--resume") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "newer evfocus simulate" in err[0] and "future_knob" in err[0] and "upgrade evfocus-live" in err[0], err
    assert not (out / "seq_00001.h5").exists()


def test_resume_of_an_older_versions_run_goes_on(tmp_path, capsys):
    out = tmp_path / "test"
    assert _sim(out, "--sequences", "1") == 0
    _edit_config(out / "seq_00000.h5", lambda c: c.pop("images", None))  # (as versions before --images wrote)
    assert _sim(out, "--resume") == 0
    assert (out / "seq_00001.h5").is_file()
    assert [s["name"] for s in json.loads((out / "dataset.json").read_text())["sequences"]] == ["seq_00000",
                                                                                                "seq_00001"]
