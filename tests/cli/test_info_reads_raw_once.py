"""``evfocus info`` on a RAW file whose clock was never reset decodes it once. Since info asks a
reader with ``clocks()`` for them (an AEDAT4 file's, from its packet index), it asked the RAW
reader too, whose ``clocks()`` builds its seek index: a second decode of the whole file, for the
one clock its decoder had already counted (``clock_resets`` 0): info on a large RAW took twice as long."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conftest import make_events  # noqa: E402
from evt_reference import raw_file_bytes  # noqa: E402

from evfocus_live.cli import main  # noqa: E402
from evfocus_live.sources.raw_file import RawFileSource  # noqa: E402


def test_info_decodes_a_raw_file_on_one_clock_once(tmp_path, capsys, monkeypatch):
    ev = make_events(50_000, 64, 48, duration_us=2_000_000, seed=3)
    path = tmp_path / "one_clock.raw"
    path.write_bytes(raw_file_bytes(ev, 3, 64, 48))
    words_read = []
    orig = RawFileSource._load

    def load(self, buf, start, end):
        words_read.append(end - start)
        return orig(self, buf, start, end)

    monkeypatch.setattr(RawFileSource, "_load", load)
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["events"] == len(ev) and "duration_on_clocks_us" not in info
    n_words = (path.stat().st_size - path.read_bytes().index(b"% end\n") - 6) // 2
    # (the first load: the opening check that the file has events, its first block)
    assert sum(words_read[1:]) < 1.2 * n_words  # (twice the file before)
