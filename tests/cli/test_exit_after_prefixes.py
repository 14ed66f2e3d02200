"""Prefixes of ``--exit-after-s`` are taken (``--exit-aft 3`` was "ambiguous option: could
match --exit-after-s, --exit-after": the old name was an argparse option beside it), while the
old name ``--exit-after`` still works in full, stays out of --help and is still suggested."""

from __future__ import annotations

import pytest

from evfocus_live.cli import parse_args
from evfocus_live.gui import app


@pytest.mark.parametrize("argv", [["--exit-after-s", "3"], ["--exit-after-s=3"], ["--exit-after", "3"],
                                  ["--exit-after=3"], ["--exit-aft", "3"], ["--exit-a=3"], ["--exit-after-", "3"]])
def test_the_name_its_prefixes_and_the_old_name_set_the_seconds(argv):
    args = parse_args(app.build_parser(), ["--camera", "sim", *argv])
    assert args.exit_after_s == 3.0


def test_the_old_name_is_no_argparse_option_and_not_in_help():
    from evfocus_live.cli.options import old_names

    parser = app.build_parser()
    assert "--exit-after" not in parser._option_string_actions
    assert old_names(parser) == {"--exit-after": "--exit-after-s"}
    assert "--exit-after " not in parser.format_help().replace("--exit-after-s", "")


def test_only_whole_words_before_a_double_dash_are_renamed():
    from evfocus_live.cli.options import renamed_options

    parser = app.build_parser()
    assert renamed_options(parser, ["--exit-after", "1", "--exit-afterwards", "--", "--exit-after"]) == [
        "--exit-after-s", "1", "--exit-afterwards", "--", "--exit-after"]


def test_the_viewer_runs_with_a_prefix(monkeypatch):
    seen = []
    monkeypatch.setattr(app, "run_headless", lambda args, *a: seen.append(args.exit_after_s) or 0)
    assert app.main(["--headless", "--exit-aft", "2.5"]) == 0
    assert seen == [2.5]
