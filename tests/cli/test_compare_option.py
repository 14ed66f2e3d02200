"""``evfocus-live --compare NAME``: a second model beside the main one, checked before any work as
``--model`` is (one line, exit 2), run by a headless run too (said, with its time in ``infer``),
and kept in settings files as ``[model] compare``."""

from __future__ import annotations

import pytest
from headless_support import headless_lines

from evfocus_live.config import ModelConfig
from evfocus_live.config_file import load_settings, save_settings
from evfocus_live.errors import ConfigError
from evfocus_live.gui import app


@pytest.mark.parametrize("name, said", [
    ("e2vdi", "evfocus-live: error: --compare: unknown model 'e2vdi' (did you mean e2vid?): use one of "),
    ("missing.pt", "evfocus-live: error: --compare: "),
    ("", "evfocus-live: error: --compare: empty model name"),
])
def test_a_bad_compare_name_is_one_line_and_exit_2(capsys, name, said):
    assert app.main(["--headless", "--compare", name, "--exit-after-s", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(said), err
    assert "Traceback" not in err[0]


def test_compare_none_and_a_name_in_the_model_config():
    args = app.build_parser().parse_args(["--compare", "none"])
    assert app._configs(args)[2].compare is None
    args = app.build_parser().parse_args(["--compare", "e2vid"])
    assert app._configs(args)[2] == ModelConfig(compare="e2vid")
    assert app.build_parser().parse_args([]).compare is None  # (the default: none)


def test_headless_runs_both_and_says_so(tmp_path, tiny_ckpt, caplog):
    lines = headless_lines(tmp_path, tiny_ckpt, caplog, "", "--compare", str(tiny_ckpt), "--device", "cpu",
                           "--exit-after-s", "30")
    running = [line for line in lines if line.startswith("running ")]
    assert len(running) == 1 and f"and {tiny_ckpt} (compare) on cpu" in running[0], running
    said = [line for line in lines if line.startswith("comparing with ")]
    assert len(said) == 1 and "both models run on each window" in said[0], said


def test_settings_files_keep_the_compare_model(tmp_path):
    path = save_settings(tmp_path / "s.toml", *_configs(compare="e2vid"))
    assert 'compare = "e2vid"' in path.read_text()
    got = load_settings(path)
    assert got.model.compare == "e2vid" and got.has("model", "compare")
    assert 'compare = "none"' in save_settings(tmp_path / "n.toml", *_configs(compare=None)).read_text()
    (tmp_path / "none.toml").write_text('version = 1\n[model]\ncompare = "none"\n')
    assert load_settings(tmp_path / "none.toml").model.compare is None
    # the viewer's --config: the file's compare model, unless --compare is given
    args = app.build_parser().parse_args(["--config", str(path)])
    assert app._configs(args)[2].compare == "e2vid"
    argv = ["--config", str(path), "--compare", "firenet"]
    args = app.build_parser().parse_args(argv)
    args._argv = argv
    assert app._configs(args)[2].compare == "firenet"
    (tmp_path / "bad.toml").write_text('version = 1\n[model]\ncompare = "e2vdi"\n')
    with pytest.raises(ConfigError, match=r"bad\.toml: \[model\] compare: unknown model 'e2vdi' \(did you mean e2vid"):
        app._configs(app.build_parser().parse_args(["--config", str(tmp_path / "bad.toml")]))


def _configs(compare):
    from evfocus_live.config import PostConfig, WindowConfig

    return WindowConfig(), ModelConfig(compare=compare), PostConfig()


def test_reconstruct_runs_a_settings_files_compare_model(monkeypatch, tmp_path, caplog):
    """reconstruct writes a compare model's frames now (``--compare``): the file's is run, said
    once, unless the command line's ``--compare`` (``none``: off) replaces it."""
    import logging

    from cli_support import reconstruct_model_config

    path = tmp_path / "lab.toml"
    path.write_text('version = 1\n[model]\nname = "e2vid"\ncompare = "firenet"\n')
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        model = reconstruct_model_config(monkeypatch, tmp_path, "--config", str(path))
    assert model.name == "e2vid" and model.compare == "firenet"
    assert any("[model] compare = 'firenet': its frames go to compare/" in r.getMessage() for r in caplog.records)
    model = reconstruct_model_config(monkeypatch, tmp_path, "--config", str(path), "--compare", "none")
    assert model.compare is None
