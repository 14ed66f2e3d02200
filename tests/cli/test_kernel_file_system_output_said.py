"""An output under /sys read "cannot create /sys/x: Permission denied in /sys" (true, but not
why), and under /dev, as root, it was taken: a file in the device folder, in RAM, gone at the
next boot. Both, and /proc, now say that the folder is a kernel file system, not storage;
ordinary folders (/dev/shm, a tmp folder) are untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from evfocus_live.cli import main
from evfocus_live.cli.options import check_output_dir, check_output_file
from evfocus_live.errors import ConfigError

linux = pytest.mark.skipif(not Path("/proc/self/mountinfo").is_file(), reason="needs Linux mountinfo")
CHECKS = [check_output_dir, check_output_file]


@linux
@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("name, folder, what", [
    ("/sys/x", "/sys", "(sysfs)"), ("/sys/kernel/x/y", "/sys/kernel", "(sysfs)"),
    ("/proc/x", "/proc", "(proc)"), ("/dev/evfocus-test-x", "/dev", "device file system"),
])
def test_a_kernel_file_system_is_named_as_such(check, name, folder, what):
    if not Path(folder).is_dir():
        pytest.skip(f"no {folder} here")
    with pytest.raises(ConfigError) as err:
        check("-o", name)
    msg = str(err.value)
    assert msg.startswith(f"-o {name}: cannot write in {folder}: it is "), msg
    assert what in msg and msg.endswith("not storage")
    assert "Permission denied" not in msg
    assert not Path(name).exists()


@linux
def test_ordinary_folders_are_not_kernel_ones(tmp_path):
    from evfocus_live.cli.options import kernel_file_system

    assert kernel_file_system(tmp_path) is None
    if Path("/dev/shm").is_dir():
        assert kernel_file_system(Path("/dev/shm")) is None  # (a tmpfs below /dev: a user's to write)


@linux
def test_the_cli_says_it_in_one_line(capsys):
    assert main(["bench", "-o", "/sys/evfocus-test.json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["evfocus bench: error: -o /sys/evfocus-test.json: cannot write in /sys: "
                   "it is the kernel's file system (sysfs), not storage"]


@linux
@pytest.mark.parametrize("folder", ["/sys", "/dev"])
def test_simulate_refuses_a_kernel_file_system_before_any_work(folder, capsys):
    if not Path(folder).is_dir():
        pytest.skip(f"no {folder} here")
    out = f"{folder}/evfocus-test-sim"
    assert main(["simulate", out, "--sequences", "1", "--duration", "0.05"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"cannot write in {folder}: it is " in err[0] and err[0].endswith("not storage"), err
    assert not Path(out).exists()
