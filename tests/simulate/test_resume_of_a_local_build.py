"""``simulate --resume`` compared a sequence's ``evfocus_version`` with this install's as text:
a sequence made by a local build of this release (``0.1.0+g1234``, or this install being one)
was refused as "another version" without ``--any-version``. Versions compare as releases now:
only the local part may differ; a dev build of the release is still another simulator."""

from __future__ import annotations

import json

import pytest

from evfocus_live import __version__

from simulate_support import _set_version, _sim  # (its simulate and version edit)


def test_resume_keeps_a_local_build_of_this_release(tmp_path, capsys):
    out = tmp_path / "d"
    assert _sim(out, "--sequences", "1") == 0
    _set_version(out / "seq_00000.h5", f"{__version__}+g1234")
    assert _sim(out, "--resume") == 0, capsys.readouterr().err
    m = json.loads((out / "dataset.json").read_text())
    assert [s["evfocus_version"] for s in m["sequences"]] == [f"{__version__}+g1234", __version__]


@pytest.mark.parametrize("there", [f"{__version__}.dev1", f"{__version__}-1"], ids=["dev", "post"])
def test_resume_still_refuses_another_build_of_the_release(tmp_path, capsys, there):
    out = tmp_path / "d"
    assert _sim(out, "--sequences", "1") == 0
    _set_version(out / "seq_00000.h5", there)
    capsys.readouterr()
    assert _sim(out, "--resume") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--any-version" in err[0] and there in err[0], err
    assert not (out / "seq_00001.h5").exists()
