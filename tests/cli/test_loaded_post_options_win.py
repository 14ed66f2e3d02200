"""A settings file's ``[post.options]`` over the running config's: File > Load settings merged
them with the viewer's options winning for the same step and key, so a file saying
``median.ksize = 5`` loaded into a viewer running ksize 3 kept 3 (the file is what the user
loaded). ``--post NAME:KEY=VALUE`` given on the command line still wins over ``--config``'s."""

from __future__ import annotations

import pytest

from evfocus_live.config import ModelConfig, PostConfig, WindowConfig
from evfocus_live.config_file import load_settings, merge_settings

FILE = """version = 1
[post]
steps = ["median", "auto_hdr"]
[post.options.median]
ksize = 5
"""
RUNNING = PostConfig(steps=("median",), options={"median": {"ksize": 3}, "auto_hdr": {"min_range": 16}})


def _merge(tmp_path, given):
    path = tmp_path / "lab.toml"
    path.write_text(FILE)
    _, _, post = merge_settings(path, load_settings(path), WindowConfig(), ModelConfig(), RUNNING, given)
    return post


def test_the_files_options_win_over_the_running_ones(tmp_path):
    post = _merge(tmp_path, set())
    assert post.steps == ("median", "auto_hdr")
    assert post.options["median"] == {"ksize": 5}
    assert post.options["auto_hdr"] == {"min_range": 16}  # (a key the file leaves out stays)


@pytest.mark.parametrize("given", [{"post"}, {"post", "model"}])
def test_the_command_lines_post_still_wins_over_config(tmp_path, given):
    post = _merge(tmp_path, given)
    assert post.steps == ("median",) and post.options["median"] == {"ksize": 3}
