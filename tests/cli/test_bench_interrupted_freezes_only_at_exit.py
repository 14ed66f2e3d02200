"""An interrupted ``evfocus bench`` froze the garbage collector inside ``main()``: a program or
test that calls ``main()`` again kept everything alive then (cycles included) for good. The
freeze, there to skip the interpreter's last collection, now comes at exit (atexit), and
``main()`` returns with the collector as it found it."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

_SCRIPT = """
import atexit, gc
import evfocus_live.benchmark as bench
from evfocus_live.cli import main

atexit.register(lambda: print("at exit frozen:", gc.get_freeze_count() > 0))  # (runs after later ones)
bench.run = lambda **kw: {"machine": {"cpu_count": 2, "torch_threads": 1, "torch": "x", "cuda": False,
                                      "peak_rss_mb": 1.0}, "rows": [], "interrupted": True}
rc = main(["bench", "--json"])
print("rc", rc, "frozen after main:", gc.get_freeze_count() > 0)
"""


def test_main_returns_unfrozen_and_the_exit_is_frozen():
    gc.unfreeze()
    done = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert "rc 130 frozen after main: False" in done.stdout, done.stdout + done.stderr
    assert "at exit frozen: True" in done.stdout, done.stdout + done.stderr
