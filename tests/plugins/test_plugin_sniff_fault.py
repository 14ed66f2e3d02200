"""A file-format plugin whose ``sniff`` raises (here: ``@classmethod`` forgotten, so the call
misses ``path``): its own file was refused as "content is not a valid ... file", the
TypeError only in the debug log. The one error line now says which sniffer raised what."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from evfocus_live.errors import InputError
from evfocus_live.plugins import SOURCES
from evfocus_live.sources.base import EventSource
from plugin_support import _with_extra, fresh_sources  # noqa: F401 (a fixture)


class NoClassmethodSniff(EventSource):
    format = "lab"
    extensions = (".lab",)

    def sniff(self, head, path):  # @classmethod forgotten
        return head.startswith(b"LAB1")

    def read(self):
        return None


@pytest.mark.parametrize("suffix", [".lab", ".other"])
def test_a_sniffer_that_raises_is_named_in_the_error(monkeypatch, fresh_sources, tmp_path, suffix):
    _with_extra(monkeypatch, [EntryPoint("labfmt", "test_plugin_sniff_fault:NoClassmethodSniff", SOURCES)])
    path = tmp_path / f"rec{suffix}"
    path.write_bytes(b"LAB1" + bytes(64))
    with pytest.raises(InputError) as ei:
        fresh_sources.detect_format(path)
    msg = str(ei.value)
    assert "sniff(head, path) of labfmt raised TypeError" in msg and "'path'" in msg and "\n" not in msg, msg


def test_a_file_no_sniffer_knows_says_nothing_of_sniffers(fresh_sources, tmp_path):
    path = tmp_path / "rec.zzz"
    path.write_bytes(b"ZZZZ" + bytes(64))
    with pytest.raises(InputError) as ei:
        fresh_sources.detect_format(path)
    assert "unknown event file format" in str(ei.value) and "sniff(" not in str(ei.value)
