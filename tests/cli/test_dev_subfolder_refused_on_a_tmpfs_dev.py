"""A container's /dev is a tmpfs, not devtmpfs: only ``/dev`` itself was refused as an output
folder, so ``-o /dev/x/`` (a folder under it) wrote the frames into RAM, gone with the
container. Any folder under /dev is refused now, whatever it is mounted as, but ``/dev/shm``
(RAM a user asks for); the standard streams (/dev/null, /dev/stdout) are files and stay fine."""

from __future__ import annotations

import pathlib
import sys
from pathlib import Path

import pytest

from evfocus_live.cli.options import check_output_dir, check_output_file, kernel_file_system
from evfocus_live.errors import ConfigError

MOUNTINFO = "/proc/self/mountinfo"

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="mountinfo: Linux's")


@pytest.fixture
def tmpfs_dev(monkeypatch, tmp_path):
    """/proc/self/mountinfo of a container: / on overlay, /dev and /dev/shm tmpfs."""
    fake = tmp_path / "mountinfo"
    fake.write_bytes(b"1 0 0:1 / / rw - overlay overlay rw\n"
                     b"2 1 0:2 / /dev rw,nosuid - tmpfs tmpfs rw,mode=755\n"
                     b"3 2 0:3 / /dev/shm rw,nosuid - tmpfs shm rw\n")
    real_open = pathlib.Path.open

    def open_(self, *args, **kwargs):
        return real_open(fake if str(self) == MOUNTINFO else self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", open_)


@pytest.mark.parametrize("folder", ["/dev", "/dev/x", "/dev/x/y", "/dev/shmx"])
def test_a_folder_under_a_tmpfs_dev_is_the_device_folder(tmpfs_dev, folder):
    assert kernel_file_system(Path(folder)) == "the device file system"


@pytest.mark.parametrize("folder", ["/dev/shm", "/dev/shm/frames"])
def test_dev_shm_is_storage(tmpfs_dev, folder):
    assert kernel_file_system(Path(folder)) is None


def test_an_existing_dev_subfolder_is_refused_as_output(tmpfs_dev):
    sub = next((p for p in sorted(Path("/dev").iterdir()) if p.is_dir() and not p.is_symlink()
                and p.name != "shm"), None)
    if sub is None:
        pytest.skip("no folder under /dev here")
    with pytest.raises(ConfigError) as err:
        check_output_dir("-o", sub / "evfocus-test-frames")
    msg = str(err.value)
    assert f"cannot write in {sub}: it is the device file system, not storage" in msg, msg
    assert not (sub / "evfocus-test-frames").exists()


@pytest.mark.parametrize("stream", ["/dev/null", "/dev/stdout"])
def test_the_standard_streams_stay_writable(tmpfs_dev, stream):
    if not Path(stream).exists():
        pytest.skip(f"no {stream} here")
    assert check_output_file("--video", stream) == Path(stream)
