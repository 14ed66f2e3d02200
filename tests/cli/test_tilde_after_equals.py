"""A ``~`` after ``=`` in an option (``--record=~/x.aedat4``) is the home folder: no shell expands
it there, and the files went to a folder named ``~`` in the current one."""

from evfocus_live.cli import build_parser, parse_args
from evfocus_live.gui.app import build_parser as build_live_parser


def test_live_options_after_equals_expand_the_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    args = parse_args(build_live_parser(), ["--record=~/demo.aedat4", "--video=~/demo.mp4",
                                            "--snapshot-dir=~", "--record-dir", "~keep"])
    assert args.record == f"{tmp_path}/demo.aedat4"
    assert args.video == f"{tmp_path}/demo.mp4"
    assert args.snapshot_dir == str(tmp_path)
    assert args.record_dir == "~keep"  # (a separate word: the shell's to expand, left as given)


def test_evfocus_command_options_after_equals_expand_the_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    args = parse_args(build_parser(), ["reconstruct", "in.aedat4", "--output=~/out", "--window-ms=2"])
    assert args.output == f"{tmp_path}/out"
    assert args.inputs == ["in.aedat4"]


def test_a_value_without_a_leading_tilde_is_left_alone(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    args = parse_args(build_live_parser(), ["--record=a~/b.aedat4"])
    assert args.record == "a~/b.aedat4"
