"""A ``t`` of at most 3 decimals (``1.234``) may be milliseconds, and one warning says so. It
was told from the values only, so a file in seconds written with 6 decimals on a 1 ms grid
(``0.001000``, a 1 kHz simulator or frame-based export) was warned too, and the warning's own
advice ("write ... in seconds with 6 decimals") could not silence it. The decimals as written
count now: more than 3 in the first column is seconds, said without a warning."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from evfocus_live.sources import open_file


def _read(tmp_path, caplog, text):
    path = tmp_path / "ev.txt"
    path.write_text(text)
    with caplog.at_level(logging.WARNING, logger="evfocus_live"), open_file(path) as src:
        ev = src.read()
        maybe_ms = src.t_maybe_ms
    return ev, maybe_ms, [r.getMessage() for r in caplog.records if "at most 3 decimals" in r.getMessage()]


@pytest.mark.parametrize("header, row", [("64 48", "{:.6f} 5 6 1"), ("64;48", "{:.6f};5;6;1"),
                                         ("64,48", "{:.9f},5,6,1")])
def test_ms_grid_written_with_more_decimals_is_seconds_in_silence(tmp_path, caplog, header, row):
    rows = [row.format(i * 0.001) for i in range(1, 200)]
    if ";" in header:
        rows = [r.replace(".", ",") for r in rows]
    ev, maybe_ms, said = _read(tmp_path, caplog, header + "\n" + "\n".join(rows) + "\n")
    assert ev["t"][:3].tolist() == [1000, 2000, 3000]
    assert said == [] and not maybe_ms


def test_three_decimals_written_still_warn(tmp_path, caplog):
    ev, maybe_ms, said = _read(tmp_path, caplog, "64 48\n" + "".join(f"{i * 0.001:.3f} 5 6 1\n" for i in range(1, 200)))
    assert np.array_equal(ev["t"][:2], [1000, 2000]) and maybe_ms and len(said) == 1
