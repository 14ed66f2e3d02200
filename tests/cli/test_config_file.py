"""Settings files shared by the viewer and the commands (``config_file``, ``--config``): the
typed configs were made from each command line only, the viewer kept none of them, and no
file could carry a lab's window, model and filters from the viewer to ``evfocus reconstruct``.
Bad files (an unknown key, a wrong type, another version, not TOML, a folder that cannot be
written) are one line naming the file and key, never a traceback."""

from __future__ import annotations


import numpy as np
import pytest

from conftest import make_events
import evfocus_live.config_file as config_file
from evfocus_live.config import ModelConfig, PostConfig, WindowConfig
from evfocus_live.config_file import load_settings, merge_settings, save_settings, settings_text
from evfocus_live.errors import ConfigError

WINDOW = WindowConfig(mode="duration", window_ms=20.0, roi=(0, 0, 32, 24), downsample=2, num_bins=5)
MODEL = ModelConfig(name="firenet", device="cpu", precision="fp32", half=False)
POST = PostConfig(steps=("auto_hdr", "median"), options={"median": {"ksize": 5}, "auto_hdr": {"min_range": 16}})


def _write(tmp_path, text: str):
    path = tmp_path / "lab.toml"
    path.write_text(text)
    return path


def test_saved_settings_load_back_the_same(tmp_path):
    path = save_settings(tmp_path / "lab.toml", WINDOW, MODEL, POST)
    got = load_settings(path)
    assert (got.window, got.model, got.post) == (WINDOW, MODEL, POST)
    assert got.has("window", "roi") and got.has("post", "steps")


@pytest.mark.parametrize("text, words", [
    ("version = 1\n[window]\nwindow_sm = 20.0\n", ["unknown setting [window] window_sm", "did you mean window_ms"]),
    ("version = 1\n[windows]\nwindow_ms = 20.0\n", ["unknown section [windows]", "did you mean [window]"]),
    ("version = 1\n[window]\nwindow_ms = \"fast\"\n", ["[window] window_ms must be a number", "'fast'"]),
    ("version = 1\n[window]\nroi = [0, 0, 32]\n", ["[window] roi must be a list of 4 whole numbers"]),
    ("version = 1\n[window]\nmode = \"fixed\"\n", ["[window] mode must be one of"]),
    ("version = 1\n[model]\nhalf = \"yes\"\n", ["[model] half must be true or false"]),
    ("version = 1\n[post]\nsteps = \"median\"\n", ["[post] steps must be a list of strings"]),
    ("version = 1\n[window]\nwindow_ms = -3.0\n", ["[window] WindowConfig.window_ms must be"]),
    ("version = 0\n[window]\nwindow_ms = 20.0\n", ["settings version 0 is older", "version = 1"]),
    ("version = 2\n", ["settings version 2 was written by a newer evfocus-live"]),
    ("version = 1\n[window\n", ["not a TOML settings file"]),
])
def test_a_bad_file_is_one_line_naming_it(tmp_path, text, words):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    msg = str(info.value)
    assert str(path) in msg and "\n" not in msg, msg
    for w in words:
        assert w in msg, msg


def test_a_missing_file_and_an_unwritable_folder_are_one_line(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="no such settings file"):
        load_settings(tmp_path / "none.toml")
    with pytest.raises(ConfigError, match="cannot save settings to .*No such file"):
        save_settings(tmp_path / "no" / "such" / "lab.toml", WINDOW, MODEL, POST)

    def read_only(*a, **kw):  # (the tests run as root, whom a chmod does not stop)
        raise PermissionError(13, "Permission denied", str(tmp_path / ".lab.toml.x.tmp"))

    monkeypatch.setattr(config_file, "open", read_only, raising=False)
    with pytest.raises(ConfigError, match=r"cannot save settings to .*lab.toml: Permission denied$"):
        save_settings(tmp_path / "lab.toml", WINDOW, MODEL, POST)
    assert not (tmp_path / "lab.toml").exists()


def test_a_saved_file_has_the_mode_of_any_file_the_user_writes(tmp_path):
    """(written through mkstemp, it was 0600: a lab's shared settings file others could not read)"""
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    saved = save_settings(tmp_path / "lab.toml", WINDOW, MODEL, POST)
    assert saved.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_command_line_wins_over_the_file_only_where_given(tmp_path):
    path = save_settings(tmp_path / "lab.toml", WINDOW, MODEL, POST)
    settings = load_settings(path)
    cli_w, cli_m, cli_p = WindowConfig(mode="events", window_events=900), ModelConfig(), PostConfig(
        steps=("median",), options={"median": {"ksize": 3}})
    w, m, p = merge_settings(path, settings, cli_w, cli_m, cli_p, {"window_events", "downsample", "post"})
    assert (w.mode, w.window_events, w.downsample, w.roi) == ("events", 900, 1, (0, 0, 32, 24))
    assert m == MODEL
    assert p.steps == ("median",) and p.options["median"] == {"ksize": 3}
    # a file that sets only some keys leaves the command's own defaults for the rest
    only = load_settings(_write(tmp_path, "version = 1\n[model]\nname = \"e2vid\"\n"))
    w, m, p = merge_settings(path, only, cli_w, ModelConfig(precision="fp32"), cli_p, set())
    assert (w, m.name, m.precision, p) == (cli_w, "e2vid", "fp32", cli_p)


def test_reconstruct_reads_the_file_and_its_own_options_win(tmp_path, capsys):
    from evfocus_live.cli import main

    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(6_000, width=64, height=48, duration_us=100_000))
    cfg = save_settings(tmp_path / "lab.toml", WindowConfig(mode="duration", window_ms=20.0, downsample=2),
                        ModelConfig(name="firenet", device="cpu"), PostConfig(steps=()))
    out = tmp_path / "out"
    assert main(["reconstruct", str(rec), "-o", str(out), "--config", str(cfg), "--no-progress"]) == 0
    frames = sorted(out.glob("frame_*.png"))
    import cv2
    assert len(frames) == 5 and cv2.imread(str(frames[0]), 0).shape == (24, 32)
    out2 = tmp_path / "out2"
    # --downsample 1 is the default, and given: it wins over the file's 2
    assert main(["reconstruct", str(rec), "-o", str(out2), "--config", str(cfg), "--downsample", "1",
                 "--no-progress"]) == 0
    assert cv2.imread(str(sorted(out2.glob("frame_*.png"))[0]), 0).shape == (48, 64)
    bad = _write(tmp_path, "version = 1\n[window]\nwindow_ms = \"fast\"\n")
    assert main(["reconstruct", str(rec), "-o", str(tmp_path / "out3"), "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "window_ms must be a number" in err and "Traceback" not in err, err


def test_the_viewer_command_reads_the_file(tmp_path, capsys):
    from evfocus_live.gui.app import _configs, build_parser, main

    cfg = save_settings(tmp_path / "lab.toml", WINDOW, MODEL, POST)
    argv = ["--config", str(cfg), "--window-ms", "10"]
    args = build_parser().parse_args(argv)
    args._argv = argv
    spec, w, m, p = _configs(args)
    assert (w.mode, w.window_ms, w.roi, w.downsample) == ("duration", 10.0, (0, 0, 32, 24), 2)
    assert m == MODEL and p == POST
    assert args.precision == "fp32"  # (the file's choice: the viewer's remembered one does not replace it)
    ts = _write(tmp_path, "version = 1\n[window]\nmode = \"timestamps\"\ntimestamps_aps = true\n")
    assert main(["--headless", "--config", str(ts), "--exit-after-s", "1"]) == 2
    err = capsys.readouterr().err
    assert "mode \"timestamps\" is evfocus reconstruct's" in err and "Traceback" not in err, err


def test_settings_text_is_toml_for_odd_step_names(tmp_path):
    post = PostConfig(steps=("my step",), options={"my step": {"a b": "x\"y", "n": 3}})
    text = settings_text(WindowConfig(), ModelConfig(), post)
    path = _write(tmp_path, text)
    assert load_settings(path).post == post
