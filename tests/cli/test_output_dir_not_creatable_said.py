"""``-o /proc/x`` said "cannot write in /proc (No such file or directory)": the folder named
exists, and the file it lacks was not the one asked for. The error now names what the run would
create and why it cannot; a parent that is a file, and a missing grandparent (made by the run),
are said as before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evfocus_live.cli.options import check_output_dir, check_output_file
from evfocus_live.errors import ConfigError

CHECKS = [check_output_dir, check_output_file]
_PROC = Path("/proc")
proc_only = pytest.mark.skipif(not (_PROC / "self").is_dir() or os.name != "posix", reason="needs Linux /proc")


@proc_only
@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("name", ["/proc/x", "/proc/x/y"])
def test_proc_says_what_cannot_be_created(check, name):
    with pytest.raises(ConfigError) as err:
        check("-o", name)
    assert str(err.value) == f"-o {name}: cannot write in /proc: it is the kernel's process file system (proc), not storage"


@proc_only
def test_proc_itself_as_the_folder():
    with pytest.raises(ConfigError) as err:
        check_output_dir("-o", "/proc")
    assert str(err.value) == "-o /proc: cannot write in /proc: it is the kernel's process file system (proc), not storage"


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("below", ["x", "x/y"])
def test_a_parent_that_is_a_file(tmp_path, check, below):
    (tmp_path / "f").write_text("")
    with pytest.raises(ConfigError) as err:
        check("-o", tmp_path / "f" / below)
    assert str(err.value) == f"-o {tmp_path / 'f' / below}: {tmp_path / 'f'} is not a folder"


@pytest.mark.parametrize("check", CHECKS)
def test_a_missing_grandparent_is_made_by_the_run(tmp_path, check):
    assert check("-o", tmp_path / "a" / "b" / "c") == tmp_path / "a" / "b" / "c"
    assert not (tmp_path / "a").exists()  # (nothing is created by the check)


def test_a_folder_that_refuses_files_names_it(tmp_path, monkeypatch):
    import errno
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    with pytest.raises(ConfigError) as err:
        check_output_dir("-o", tmp_path / "new" / "sub")
    assert str(err.value) == f"-o {tmp_path / 'new' / 'sub'}: cannot create {tmp_path / 'new'}: Permission denied in {tmp_path}"
    with pytest.raises(ConfigError) as err:
        check_output_dir("-o", tmp_path)
    assert str(err.value) == f"-o {tmp_path}: cannot write in {tmp_path} (Permission denied)"
