"""A recording opened through a symbolic link that leads nowhere (a NAS or USB drive not
mounted, a link copied to another machine, a loop): "no such file" named a path that the user
sees in `ls`. The line says it is a link and where it points."""

from __future__ import annotations

import os

import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import open_source

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name != "posix", reason="POSIX links")


def test_link_to_a_missing_file(tmp_path):
    link = tmp_path / "rec.AEDAT4"
    link.symlink_to(tmp_path / "mnt" / "nas" / "rec.aedat4")
    with pytest.raises(InputError, match=r"symbolic link to .*nas/rec\.aedat4, which is not there"):
        open_source(str(link))


def test_link_loop(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(InputError, match="symbolic link that loops"):
        open_source(str(tmp_path / "a"))
