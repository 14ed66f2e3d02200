"""eval --data FOLDER leaves out a text file that is no event list (notes, a results table),
but a recording whose first lines hold both the size ``W H`` and a line naming the columns
(a pandas export with the size put above it, or below it) is a recording with a header to fix:
it gets its row with the reader's reason, as before; it was left out as "not event files"."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.sources.text_file import looks_like_events
from evfocus_live.train.evaluate import expand_data

ROWS = b"1000,10,20,1\n1010,11,21,0\n"


@pytest.mark.parametrize("head", [b"64,48\nt,x,y,p\n", b"t,x,y,p\n64,48\n", b"64 48\n# exported\ntimestamp x y polarity\n"])
def test_size_and_column_names_read_as_events(head):
    assert looks_like_events(head + ROWS)


@pytest.mark.parametrize("text", [b"64 48\nthe lens was at f/1.4\n", b"model,ssim,psnr\n64,48\n",
                                  b"t,x,y,p\nnotes\n", b"64 48\n640 480\n"])
def test_still_not_events(text):
    assert not looks_like_events(text)


def test_eval_keeps_a_recording_with_both_header_lines(tmp_path):
    ev = make_events(200, 64, 48)
    rows = np.stack([ev["t"], ev["x"], ev["y"], ev["p"]], 1)
    np.savetxt(tmp_path / "rec.csv", rows, fmt="%d", delimiter=",", header="64,48\nt,x,y,p", comments="")
    (tmp_path / "notes.txt").write_text("Recorded with the 8 mm lens.\n")
    assert [p.name for p in expand_data([str(tmp_path)])[1]] == ["rec.csv"]
