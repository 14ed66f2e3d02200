"""The kernel-file-system check of every output folder reads /proc/self/mountinfo as text: one
mount point anywhere on the machine whose name is not UTF-8 (a Latin-1 share, a USB stick
named on an old system) made ``evfocus reconstruct -o``, ``simulate``, ``bench -o`` end in a
UnicodeDecodeError traceback, whatever folder was given; and of the escapes mountinfo writes
(``\\040`` space, ``\\011`` tab, ``\\012`` newline, ``\\134`` backslash) only the space was
read, so a kernel file system mounted at a name with a backslash was not recognised."""

from __future__ import annotations

import os
import pathlib
import sys
from pathlib import Path

import pytest

from evfocus_live.cli.options import check_output_dir, kernel_file_system
from evfocus_live.errors import ConfigError

MOUNTINFO = "/proc/self/mountinfo"

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="mountinfo, byte file names: Linux's")


@pytest.fixture
def mountinfo(monkeypatch, tmp_path):
    """/proc/self/mountinfo read as the bytes given (written by the test), elsewhere as it is."""
    fake = tmp_path / "mountinfo"
    real_open = pathlib.Path.open

    def open_(self, *args, **kwargs):
        return real_open(fake if str(self) == MOUNTINFO else self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", open_)
    return fake


def _line(n: int, mount: bytes, fs_type: bytes) -> bytes:
    return b"%d 1 0:%d / %s rw,relatime - %s none rw\n" % (n, n, mount, fs_type)


def test_a_mount_point_not_in_utf8_elsewhere_is_no_traceback(mountinfo, tmp_path):
    mountinfo.write_bytes(_line(1, b"/", b"ext4") + _line(2, b"/media/caf\xe9", b"vfat"))
    out = tmp_path / "out"
    assert check_output_dir("-o", out) == out
    assert kernel_file_system(tmp_path) is None


def test_a_folder_under_a_mount_point_not_in_utf8_is_matched(mountinfo, tmp_path):
    weird = os.fsencode(tmp_path) + b"/k\xe9"
    os.mkdir(weird)
    mountinfo.write_bytes(_line(1, b"/", b"ext4") + _line(2, weird, b"sysfs"))
    assert kernel_file_system(Path(os.fsdecode(weird))) == "the kernel's file system (sysfs)"


@pytest.mark.parametrize("name, escaped", [("back\\slash", b"back\\134slash"), ("a\tb", b"a\\011b"),
                                           ("a b", b"a\\040b")])
def test_mountinfos_escapes_are_read(mountinfo, tmp_path, name, escaped):
    (tmp_path / name).mkdir()
    mountinfo.write_bytes(_line(1, b"/", b"ext4") + _line(2, os.fsencode(tmp_path) + b"/" + escaped, b"sysfs"))
    with pytest.raises(ConfigError) as err:
        check_output_dir("-o", tmp_path / name / "out")
    assert "it is the kernel's file system (sysfs), not storage" in str(err.value)
