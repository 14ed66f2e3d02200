"""A version's pre-, post- and dev-release segments read in full: ``1.0.0rc1.dev2`` (a dev
build before rc1, as setuptools-scm names one) read as ``1.0.0rc1``, so two dev snapshots of an
rc were one version to ``simulate --resume``; and a word was matched by its first letters
(``0.1.0-rocm`` a post-release, ``0.1.0.cpu`` a release candidate). A suffix that is no
PEP 440 segment is one version only with the same text (as a version that does not parse)."""

from __future__ import annotations

import pytest

from evfocus_live import versions


@pytest.mark.parametrize("a,b", [
    ("1.0.0rc1.dev1", "1.0.0rc1.dev2"),
    ("1.0.0rc1.dev2", "1.0.0rc1"),
    ("0.1.0.post1.dev3", "0.1.0.post1"),
    ("0.1.0a1.post1", "0.1.0a1"),
    ("0.1.0-dirty", "0.1.0"),
    ("0.1.0-5-g1234", "0.1.0"),
])
def test_other_builds_are_not_one_version(a, b):
    assert not versions.same_version(a, b)
    assert not versions.same_version(b, a)


@pytest.mark.parametrize("a,b", [
    ("1.0.0rc1.dev2+g1", "1.0.0rc1.dev2+g2"),
    ("1.0.0-rc.1.dev2", "1.0.0rc1.dev2"),
    ("0.1.0-dirty", "0.1.0-dirty"),
])
def test_one_version(a, b):
    assert versions.same_version(a, b)


@pytest.mark.parametrize("file_version,install,newer", [
    ("1.0.0rc1", "1.0.0rc1.dev2", True),   # (rc1 comes after its dev builds)
    ("1.0.0rc1.dev3", "1.0.0rc1.dev2", True),
    ("1.0.0rc1.dev2", "1.0.0rc1", False),
    ("1.0.0rc1.dev2", "1.0.0b3", True),
    ("0.1.0.post1", "0.1.0.post1.dev4", True),
    ("0.1.0.post1.dev4", "0.1.0", True),
    ("0.1.0-rocm", "0.1.0", False),       # (not a post-release: 'r' is not 'rocm')
    ("0.1.0", "0.1.0.cpu", False),        # (nor 'c' a release candidate)
    ("0.1.0.releases", "0.1.0", False),
])
def test_is_newer_reads_every_segment(monkeypatch, file_version, install, newer):
    monkeypatch.setattr(versions, "__version__", install)
    assert versions.is_newer(file_version) is newer
