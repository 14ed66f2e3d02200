"""A Prophesee DAT file (the Gen1/1 Mpx datasets, ``metavision_file_to_dat``) was "unknown event
file format", and renamed to .raw "content is not a valid evt2/evt3 file": neither named the
format nor a way on. It is refused in one line saying what it is and how to convert it."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import EVT2_FILE, EVT3_FILE

from evfocus_live.errors import InputError
from evfocus_live.sources import detect_format

DAT_HEADER = (b"% Data file containing CD events.\n% Version 2\n% Date 2019-02-13 10:27:38\n"
              b"% Height 720\n% Width 1280\n")


def _dat_bytes(header: bytes = DAT_HEADER) -> bytes:
    ev = np.zeros(100, dtype=[("t", "<u4"), ("d", "<u4")])
    ev["t"] = np.arange(100) * 10
    ev["d"] = (np.arange(100) % 1280) | ((np.arange(100) % 720) << 14) | ((np.arange(100) % 2) << 28)
    return header + bytes([0, 8]) + ev.tobytes()


@pytest.mark.parametrize("name,header", [("td.dat", DAT_HEADER), ("td.raw", DAT_HEADER),
                                         ("bare.dat", b"% Date 2019-02-13 10:27:38\n% Height 480\n% Width 640\n")])
def test_dat_is_named_with_a_way_on(tmp_path, name, header):
    path = tmp_path / name
    path.write_bytes(_dat_bytes(header))
    with pytest.raises(InputError) as err:
        detect_format(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}: Prophesee DAT is not read") and ".npy" in msg and "\n" not in msg, msg


def test_raw_files_are_still_raw():
    assert detect_format(EVT2_FILE)[0] == "evt2"
    assert detect_format(EVT3_FILE)[0] == "evt3"
