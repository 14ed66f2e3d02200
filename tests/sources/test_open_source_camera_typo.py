"""``open_source("davis347")`` (a camera name mistyped, from Python) lists the camera names;
it said only "davis347: no such file". A missing path keeps its plain line."""

from __future__ import annotations

import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import CAMERA_NAMES, open_source


def test_a_bare_word_that_is_no_file_lists_the_cameras(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as err:
        open_source("davis347")
    text = str(err.value)
    assert text.startswith("davis347: no such file, nor a camera (cameras: davis346, dvxplorer, prophesee, sim, auto")
    from evfocus_live.sources import camera_names

    assert set(CAMERA_NAMES) <= set(camera_names())


@pytest.mark.parametrize("spec", ["nope.aedat4", "sub/nope"])
def test_a_missing_path_is_the_plain_line(tmp_path, monkeypatch, spec):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=rf"^{spec}: no such file$"):
        open_source(spec)
