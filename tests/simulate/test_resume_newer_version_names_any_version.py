"""``simulate --resume`` over a sequence a newer evfocus-live made said only "upgrade evfocus-live
to --resume it, or use --overwrite or another folder", though ``--any-version`` keeps it (its
settings all known here) as it keeps an older one's: the refusal names the option that works."""

from __future__ import annotations

import json

from simulate_support import _refused, _set_version, _sim


def test_the_newer_versions_refusal_names_any_version_which_keeps_it(tmp_path, capsys):
    out = tmp_path / "d"
    err = _refused(out, "9.1.0", capsys)
    assert "--resume --any-version to keep it" in err and "upgrade evfocus-live" in err, err
    _set_version(out / "seq_00000.h5", "9.1.0")
    assert _sim(out, "--resume", "--any-version") == 0
    m = json.loads((out / "dataset.json").read_text())
    assert [s["evfocus_version"] for s in m["sequences"]][0] == "9.1.0"
