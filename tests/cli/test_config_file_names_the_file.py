"""A settings file's unknown model, unknown post-processing step or wrong step option was found
only when the run built them: one line that named neither the file nor the key. Now the file
is checked before the run, for ``evfocus reconstruct --config`` and ``evfocus-live --config``
(File > Load settings: tests/gui/test_load_settings.py)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import make_events
from evfocus_live.config_file import check_settings, load_settings
from evfocus_live.errors import ConfigError

BAD = [
    ("[post]\nsteps = [\"median\"]\n[post.options.median]\nksz = 5\n", ["[post.options.median]", "ksz=5", "ksize"]),
    ("[model]\nname = \"evfocsu\"\n", ["[model] name", "unknown model 'evfocsu'"]),
    ("[model]\nname = \"no/such.pt\"\n", ["[model] name", "checkpoint not found"]),
    ("[post]\nsteps = [\"medain\"]\n", ["[post] steps", "'medain'"]),
    ("[post.options.medain]\nksize = 5\n", ["[post.options.medain]", "did you mean median"]),
]


@pytest.mark.parametrize("text, words", BAD)
def test_load_settings_names_the_file_and_key(tmp_path, text, words):
    path = tmp_path / "lab.toml"
    path.write_text("version = 1\n" + text)
    settings = load_settings(path)  # (it reads: another machine may have that model or plugin)
    with pytest.raises(ConfigError) as info:
        check_settings(path, settings)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ") and "\n" not in msg, msg
    for w in words:
        assert w in msg, msg


def test_options_of_a_known_step_not_run_are_kept(tmp_path):
    path = tmp_path / "lab.toml"
    path.write_text("version = 1\n[post]\nsteps = []\n[post.options.median]\nksize = 5\n")
    settings = load_settings(path)
    check_settings(path, settings)
    assert settings.post.options == {"median": {"ksize": 5}}
    # a model the command line replaces is not checked
    bad = tmp_path / "bad.toml"
    bad.write_text("version = 1\n[model]\nname = \"evfocsu\"\n")
    check_settings(bad, load_settings(bad), {"model"})


@pytest.mark.parametrize("text, words", BAD[:2])
def test_both_commands_say_the_file(tmp_path, capsys, text, words):
    from evfocus_live.cli import main
    from evfocus_live.gui.app import main as viewer_main

    path = tmp_path / "lab.toml"
    path.write_text("version = 1\n" + text)
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(2_000, width=64, height=48, duration_us=50_000))
    assert main(["reconstruct", str(rec), "-o", str(tmp_path / "out"), "--config", str(path), "--no-progress"]) == 2
    assert viewer_main(["--headless", "--config", str(path), "--exit-after-s", "1"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if "error" in ln]
    assert len(lines) == 2 and all(str(path) in ln and words[0] in ln for ln in lines), err
