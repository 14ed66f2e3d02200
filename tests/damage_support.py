"""A damaged copy of the DAVIS recording, and its replay, for the tests of a replay that meets a bad packet."""

from __future__ import annotations

import time

from conftest import DAVIS_FILE
from pipeline_support import NO_POST, SumModel

from evfocus_live.config import SourceConfig, WindowConfig
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources import open_file


def damaged_copy(tmp_path):
    """The DAVIS recording with its middle event packet's LZ4 bytes overwritten: (path, offset)."""
    with open_file(DAVIS_FILE) as src:
        off = int(src._offs[len(src._offs) // 2])
    data = bytearray(DAVIS_FILE.read_bytes())
    data[off + 20:off + 60] = b"\xff" * 40
    path = tmp_path / "damaged.aedat4"
    path.write_bytes(bytes(data))
    return path, off


def run(path, loop: bool, passes: int = 3) -> tuple[Pipeline, list, list[str]]:
    """``path`` replayed (looping or not) until ``passes`` passes or its end: the pipeline, its
    frames and the warnings it said."""
    pipe = Pipeline(SourceConfig(spec=str(path), speed=0, loop=loop), WindowConfig(mode="duration", window_ms=50),
                    model=SumModel(), post=NO_POST)
    said: list[str] = []
    got: list = []
    pipe.on_warning = said.append
    pipe.start(got.append)
    deadline = time.monotonic() + 120  # (a bound for a broken build, not a timing)
    while time.monotonic() < deadline and pipe.running and pipe.stats.loops < passes:
        pipe.wait(timeout_s=0.05)
    pipe.stop()
    pipe.close()
    return pipe, got, said
