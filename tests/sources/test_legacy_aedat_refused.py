"""AEDAT 2.0/3.1 (jAER, cAER) are not read: each is named in one line that says what to do,
also under a misleading extension (a jAER file renamed .aedat4). (.npz archives are read:
tests/sources/test_npz_reader.py.)"""

from __future__ import annotations

import pytest

from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.sources import open_file

AEDAT2 = (b"#!AER-DAT2.0\r\n# This is a raw AE data file - do not edit\r\n"
          b"# Data format is int32 address, int32 timestamp (8 bytes total)\r\n")
AEDAT31 = b"#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DAVIS346\r\n#!END-HEADER\r\n"


@pytest.mark.parametrize("head, name, version", [
    (AEDAT2, "rec.aedat", "2.0"), (AEDAT2, "rec.aedat4", "2.0"), (AEDAT31, "rec.aedat", "3.1"),
    (AEDAT31, "rec.dat", "3.1")])
def test_legacy_aedat_is_named_and_refused(tmp_path, head, name, version):
    p = tmp_path / name
    p.write_bytes(head + bytes(range(256)) * 4)
    with pytest.raises(InputError, match=rf"AEDAT {version} \(jAER/cAER\) is not read.*convert it"):
        open_file(p)


def test_cli_says_it_in_one_line(tmp_path, capsys):
    p = tmp_path / "rec.aedat"
    p.write_bytes(AEDAT31 + b"\0" * 64)
    assert main(["info", str(p)]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "AEDAT 3.1" in err
