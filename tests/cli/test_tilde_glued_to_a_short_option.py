"""A ``~`` glued to a short option (``-o~/out``, ``-o=~/out``) is the home folder, as after
``--output=``: no shell expands it there, and the files went to a folder named ``~``. A
``~user`` is that user's home, as the shell would make it."""

import os

from evfocus_live.cli import build_parser, parse_args


def test_a_short_options_glued_value_expands_the_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    for word in ("-o~/out", "-o=~/out"):
        args = parse_args(build_parser(), ["reconstruct", "in.aedat4", word])
        assert args.output == f"{tmp_path}/out", word


def test_a_users_home_after_equals(monkeypatch, tmp_path):
    user_home = os.path.expanduser("~root")
    args = parse_args(build_parser(), ["reconstruct", "in.aedat4", "--output=~root/out", "-v"])
    assert args.output == f"{user_home}/out" and args.verbose == 1


def test_a_tilde_inside_a_short_options_value_is_left(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    args = parse_args(build_parser(), ["reconstruct", "in.aedat4", "-oa~/out"])
    assert args.output == "a~/out"
