"""``evfocus info events.txt`` printed "INFO ...: t read as seconds (...)" on stderr before its
report, for every text input and in every command: the only line a reader logs at INFO about a
plain file read (a ``.npy`` of float seconds says nothing), and a fact, not a doubt. It is said
with ``-v`` now; a ``t`` that may be milliseconds (at most 3 decimals) still warns by default."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _info(path, *opts):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in [os.getcwd(), os.environ.get("PYTHONPATH")] if p))
    return subprocess.run([sys.executable, "-m", "evfocus_live", *opts, "info", str(path)], capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.mark.parametrize("fmt, unit", [("{:.6f}", "seconds"), ("{:.0f}", "µs")])
def test_the_t_unit_is_said_only_with_verbose(tmp_path, fmt, unit):
    path = tmp_path / "events.txt"
    scale = 1e6 if unit == "µs" else 1.0  # (1 ms apart: no "time jump" warning)
    path.write_text("64 48\n" + "".join(fmt.format((0.000123 + i * 0.001017) * scale) + " 12 34 1\n" for i in range(50)))
    plain, verbose = _info(path), _info(path, "-v")
    assert plain.returncode == 0 and verbose.returncode == 0, plain.stderr
    assert plain.stderr == "", plain.stderr
    assert f"t read as {unit}" in verbose.stderr


def test_a_t_that_may_be_milliseconds_still_warns(tmp_path):
    path = tmp_path / "ms.txt"
    path.write_text("64 48\n" + "".join(f"{1 + i * 0.001:.3f} 12 34 1\n" for i in range(50)))
    r = _info(path)
    assert r.returncode == 0 and r.stderr.count("\n") == 1 and "at most 3 decimals" in r.stderr, r.stderr
