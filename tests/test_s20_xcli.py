"""Session 20's features where they meet (s20-xcli review): ``--at aps`` with
``--start-s/--end-s``, ``--roi``, ``--downsample`` and the Python API.

On the real DAVIS346 recording (3 APS frames, at 0.000568, 0.040568 and 0.080568 s after its
first event).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REAL_FILES
from aps_support import ckpt, read_ts, reconstruct  # noqa: F401 (ckpt: a fixture)

from evfocus_live.cli import main
from evfocus_live.config import ModelConfig, SourceConfig, WindowConfig
from evfocus_live.errors import InputError
from evfocus_live.pipeline import Pipeline

DAVIS = REAL_FILES["davis346"]
#: the DAVIS file's APS frame times, µs after its first event
APS_REL_US = (568, 40_568, 80_568)


# ------------------------------------------------------------- --at aps with --start-s/--end-s
def test_at_aps_keeps_only_the_aps_frames_between_start_and_end(tmp_path, ckpt, shared_data):
    """--at aps --start-s/--end-s made a frame at every APS frame of the file: those before the
    start held no event (and --save-aps wrote them all); now only the APS frames in the range."""
    t0 = DAVIS["t_first_us"]
    out = tmp_path / "out"
    assert reconstruct(shared_data / DAVIS["path"].name, out, ckpt, "--at", "aps", "--save-aps",
                       "--start-s", "0.03", "--end-s", "0.05", "--roi", "10,20,200,100", "--downsample", "2") == 0
    assert read_ts(out) == [(0, t0 + APS_REL_US[1])]
    assert sorted(p.name for p in out.glob("*.png")) == ["aps_0000000000.png", "frame_0000000000.png"]
    out2 = tmp_path / "out2"
    assert reconstruct(shared_data / DAVIS["path"].name, out2, ckpt, "--at", "aps", "--start-s", "0.03") == 0
    assert read_ts(out2) == [(0, t0 + APS_REL_US[1]), (1, t0 + APS_REL_US[2])]


@pytest.mark.parametrize("rng", [("--start-s", "0.1"), ("--end-s", "0.0003"), ("--start-s", "0.001", "--end-s", "0.03")])
def test_at_aps_with_no_aps_frame_in_the_range_is_one_line_and_exit_2(tmp_path, ckpt, shared_data, capsys, rng):
    """(The old code wrote 3 frames from no events, with a hint to add the start to the times.)"""
    out = tmp_path / "out"
    assert reconstruct(shared_data / DAVIS["path"].name, out, ckpt, "--at", "aps", *rng) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "none of its 3 APS frames lies between" in err, err
    assert "0.000568..0.080568 s" in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())  # checked before any work


def test_pipeline_timestamps_aps_follows_the_source_range(shared_data):
    t0 = DAVIS["t_first_us"]
    path = str(shared_data / DAVIS["path"].name)
    window = WindowConfig(mode="timestamps", timestamps_aps=True, roi=(0, 0, 64, 64))
    with Pipeline(SourceConfig(spec=path, speed=0, start_s=0.03), window,
                  ModelConfig(name="firenet", device="cpu", precision="fp32")) as pipe:
        frames = list(pipe.frames())
    assert [fr.t_us for fr in frames] == [t0 + APS_REL_US[1], t0 + APS_REL_US[2]]
    assert [fr.aps_t_us for fr in frames] == [fr.t_us for fr in frames]
    assert all(fr.aps.shape == fr.image.shape == (64, 64) for fr in frames)
    assert min(fr.n_events for fr in frames) > 0
    with pytest.raises(InputError, match="none of its 3 APS frames"):
        Pipeline(SourceConfig(spec=path, speed=0, start_s=0.09), window,
                 ModelConfig(name="firenet", device="cpu", precision="fp32"))


# ------------------------------------------------------------ set_window to timestamps mid-run
def _frames_with_switch(path, first: WindowConfig, then: WindowConfig, at_index: int):
    with Pipeline(SourceConfig(spec=path, speed=0), first, ModelConfig(name="firenet", device="cpu",
                                                                       precision="fp32")) as pipe:
        out = []
        for fr in pipe.frames():
            out.append(fr)
            if fr.index == at_index:
                pipe.set_window(then)
    return out


def test_set_window_to_aps_times_mid_recording_goes_on_from_there(shared_data):
    """A switch to APS (or given) times mid-recording made a frame at every earlier time, with
    no event, back in time from the last frame; now the times after the stream's position."""
    t0 = DAVIS["t_first_us"]
    frames = _frames_with_switch(str(shared_data / DAVIS["path"].name), WindowConfig(mode="duration", window_ms=10),
                                 WindowConfig(mode="timestamps", timestamps_aps=True), at_index=4)
    assert [fr.t_us - t0 for fr in frames[5:]] == [APS_REL_US[2]]
    assert frames[5].n_events > 0 and frames[5].aps_t_us == frames[5].t_us
    # a new ROI while on APS times goes on too (it started over at the first APS time)
    aps = WindowConfig(mode="timestamps", timestamps_aps=True)
    frames = _frames_with_switch(str(shared_data / DAVIS["path"].name), aps,
                                 WindowConfig(mode="timestamps", timestamps_aps=True, roi=(0, 0, 64, 64)), at_index=0)
    ts = [fr.t_us for fr in frames]
    assert ts == sorted(set(ts)) and ts[0] == t0 + APS_REL_US[0]
    assert frames[-1].image.shape == frames[-1].aps.shape == (64, 64)
