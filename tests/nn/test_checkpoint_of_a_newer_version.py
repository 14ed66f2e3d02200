"""A checkpoint saved by a newer evfocus-live (an architecture or a config option this install
does not have) was refused as 'unknown architecture' or 'X is not an option of evfocus', as if
the file were broken: the line now says it may be a newer version's and to upgrade. An older
version's checkpoint (a config without options added since) still loads."""

from __future__ import annotations

import pytest
from runtime_support import edited_checkpoint

from evfocus_live.errors import CheckpointError
from evfocus_live.nn.registry import load_checkpoint

_saved = edited_checkpoint


@pytest.mark.parametrize("edit", [lambda ck: ck["config"].update(future_option=3),
                                  lambda ck: ck.update(arch="evfocus2")], ids=["option", "arch"])
def test_a_newer_versions_checkpoint_says_upgrade(tmp_path, edit):
    path = _saved(tmp_path, edit)
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    msg = str(info.value)
    assert "\n" not in msg and str(path) in msg
    assert "saved by a newer evfocus-live? upgrade evfocus-live" in msg, msg


def test_an_older_versions_checkpoint_loads(tmp_path):
    path = _saved(tmp_path, lambda ck: [ck["config"].pop(k, None) for k in ("integrator", "integrator_decay",
                                                                           "count_channel")])
    assert load_checkpoint(path).arch == "evfocus"


def test_a_bad_value_gets_no_upgrade_hint(tmp_path):
    path = _saved(tmp_path, lambda ck: ck["config"].update(base=0))
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    assert "newer" not in str(info.value)
