"""Fixes the lead made in the eighteenth session, outside the reviewers' files."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import open_source


def test_text_bad_row_past_the_head_yields_the_good_rows_of_its_block_first(tmp_path):
    """A bad row far into a text file threw away the good rows before it in the same 4 MiB
    block (~250 k events read as 0 frames); they are events: they come first, then the error."""
    n, bad_at = 60_000, 50_000
    t = np.arange(n) * 10
    rows = [f"{t[i]} {i % 346} {i % 260} {i % 2}" for i in range(n)]
    rows[bad_at] = "1 2 bogus 4"
    p = tmp_path / "ev.txt"
    p.write_text("346 260\n" + "\n".join(rows) + "\n")
    got = []
    with open_source(p) as src:
        with pytest.raises(InputError, match=f"malformed event row on line {bad_at + 2}: 'bogus'"):
            for b in src:
                got.append(b)
    ev = np.concatenate(got)
    assert len(ev) == bad_at and np.array_equal(ev["t"], t[:bad_at])


def test_headless_source_error_is_one_line_and_exit_2(tmp_path):
    """A bad row replayed headless was said three times (pipeline twice, then the app)."""
    import os
    import subprocess
    import sys

    rows = ["346 260"] + [f"{i * 10} {i % 346} {i % 260} {i % 2}" for i in range(60_000)]
    rows[50_001] = "1 2 bogus 4"
    p = tmp_path / "bad.txt"
    p.write_text("\n".join(rows) + "\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", "evfocus_live.gui.app", "--headless", str(p), "--speed", "0",
                           "--post", "none", "--exit-after", "60"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    said = [ln for ln in proc.stderr.splitlines() if "bogus" in ln]
    assert len(said) == 1 and "line 50002" in said[0] and "ERROR" in said[0], proc.stderr[-2000:]


def test_prophesee_close_stops_the_reader_on_a_stream_of_empty_packets(monkeypatch):
    """A camera watching a still scene gives packets without events; the reader's filter never
    returned to the pump's stop check, so close() left a thread spinning a core (it slowed
    every later test of the suite to half speed)."""
    import sys
    import threading
    import types

    from evfocus_live.sources import prophesee_camera

    class Dev:
        def properties(self):
            return types.SimpleNamespace(width=64, height=48)

        def __iter__(self):
            while True:
                yield None, None

    listed = [types.SimpleNamespace(name="prophesee_evk4", serial="1")]
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers",
                        types.SimpleNamespace(list_devices=lambda: listed, open=lambda serial=None: Dev()))
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")
    cam = prophesee_camera.PropheseeCameraSource(poll_timeout_s=0.01)
    assert len(cam.read()) == 0
    cam.close()
    assert not [t for t in threading.enumerate() if t.name == "prophesee-reader" and t.is_alive()]
