"""A typo in a long recording name (``davis346_pegboard_aestrem.aedat4``) said only "no such
file"; a file of a name alike beside it is named now, as a missing checkpoint's is."""

from __future__ import annotations

import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import detect_format


def test_a_near_name_is_offered(tmp_path):
    (tmp_path / "davis346_pegboard_aestream.aedat4").write_bytes(b"x")
    missing = tmp_path / "davis346_pegboard_aestrem.aedat4"
    with pytest.raises(InputError) as err:
        detect_format(missing)
    assert str(err.value) == f"{missing}: no such file (did you mean {tmp_path / 'davis346_pegboard_aestream.aedat4'}?)"


def test_no_hint_without_a_near_name(tmp_path):
    (tmp_path / "street.raw").write_bytes(b"x")
    (tmp_path / "davis346_pegboard_aestrem.aedat4").mkdir()  # a folder is not offered
    with pytest.raises(InputError, match=r": no such file$"):
        detect_format(tmp_path / "davis346_pegboard_aestream.aedat4")
    with pytest.raises(InputError, match=r": no such file$"):
        detect_format(tmp_path / "gone" / "x.raw")
