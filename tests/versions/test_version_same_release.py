"""Which versions are one (``simulate --resume`` keeps their sequences without --any-version):
only a local part (``+g1234``) and trailing zeros may differ. Two dev builds of one release are
two snapshots of the simulator, and ``0.1.0-1`` is PEP 440's ``0.1.0.post1`` (it read as 0.1.0)."""

from __future__ import annotations

import pytest

from evfocus_live import versions


@pytest.mark.parametrize("a,b,same", [
    ("0.3.0+g1234", "0.3.0", True),
    ("0.3.0+g1234", "0.3+gabcd", True),
    ("v0.3.0", "0.3.0", True),
    ("0.3.0.dev1", "0.3.0.dev3", False),
    ("0.3.0.dev1", "0.3.0", False),
    ("0.3.0.dev1+g1", "0.3.0.dev1+g2", True),
    ("0.1.0-1", "0.1.0", False),
    ("0.1.0-1", "0.1.0.post1", True),
    ("0.3.0rc1", "0.3.0c1", True),
    ("junk", "junk", True),
    ("junk", "0.3.0", False),
])
def test_same_version(a, b, same):
    assert versions.same_version(a, b) is same
    assert versions.same_version(b, a) is same


@pytest.mark.parametrize("file_version,install,newer", [
    ("0.1.0-1", "0.1.0", True),          # (was not: read as the release itself)
    ("0.1.0-1", "0.1.0.post2", False),
    ("0.3.0.dev3", "0.3.0.dev1", True),  # (was not: one dev build read as any other)
    ("0.3.0a1", "0.3.0.dev5", True),
    ("0.3.0rc1", "0.3.0b2", True),
    ("0.3.0.dev1", "0.3.0rc1", False),
])
def test_is_newer_orders_builds_of_one_release(monkeypatch, file_version, install, newer):
    monkeypatch.setattr(versions, "__version__", install)
    assert versions.is_newer(file_version) is newer
