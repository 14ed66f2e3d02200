"""A file's ``evfocus_version`` against this install's: compared as releases, not as lists of
numbers ("0.2" and "0.2.0" are one release, a .dev/rc before its release, +local ignored)."""

from __future__ import annotations

import pytest

from evfocus_live import versions


@pytest.mark.parametrize("file_version,install,newer", [
    ("0.10.0", "0.9.0", True),
    ("0.9.0", "0.10.0", False),
    ("0.2.0", "0.2", False),            # (was newer: (0, 2, 0) > (0, 2))
    ("0.2", "0.2.0", False),
    ("0.2.0", "0.2.0.dev1", True),      # (was not: the release after its dev build)
    ("0.2.0rc1", "0.2.0", False),
    ("0.2.0.dev1", "0.1.0", True),
    ("0.1.0+g1234", "0.1.0", False),
    ("0.1.0.post1", "0.1.0", True),
    ("0.1.0.post1", "0.1.1", False),
    ("v0.3.0", "0.2.0", True),
    ("junk", "0.1.0", False),
])
def test_is_newer_compares_releases(monkeypatch, file_version, install, newer):
    monkeypatch.setattr(versions, "__version__", install)
    assert versions.is_newer(file_version) is newer
