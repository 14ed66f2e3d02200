"""A writer given a list (not an event array) says what it needs in one line: it was an
AttributeError ("'list' object has no attribute 'dtype'")."""

from __future__ import annotations

import pytest

from evfocus_live.writers import Aedat4Writer, Hdf5Writer


@pytest.mark.parametrize("writer", [Aedat4Writer, Hdf5Writer])
def test_a_list_is_the_events_need_fields_line(tmp_path, writer):
    with writer(tmp_path / "out.bin", 8, 8) as w:
        with pytest.raises(ValueError, match=r"^events need fields t, x, y, p \(got int64\)$"):
            w.write([1, 2])
        assert w.events_written == 0
