"""`evfocus simulate --focus-sweep --sigma-range 0 0` wrote sequences marked as focus sweeps
whose every frame was in focus (sigma 0 throughout): `evfocus eval` then filed them under its
"focus sweep" split. A sweep clipped to one sigma (LO == HI) sweeps nothing: refused in one line."""

from __future__ import annotations

import dataclasses

import pytest

from evfocus_live.errors import ConfigError
from evfocus_live.simulate.sequence import SimConfig


@pytest.mark.parametrize("lo_hi", [(0.0, 0.0), (4.0, 4.0)])
def test_a_focus_sweep_without_a_blur_range_is_refused(tmp_path, capsys, lo_hi):
    with pytest.raises(ConfigError, match="focus sweep needs a range of blur"):
        SimConfig(width=32, height=24, duration_s=0.1, focus_sweep=True, sigma_range=lo_hi).validate()
    from evfocus_live.cli import main as cli_main

    out = tmp_path / "o"
    assert cli_main(["simulate", str(out), "--duration", "0.1", "--resolution", "32x24", "--no-aedat4",
                     "--focus-sweep", "--sigma-range", str(lo_hi[0]), str(lo_hi[1])]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--sigma-range" in err[0], err
    assert not out.exists() or not list(out.glob("seq_*"))


def test_a_fixed_blur_without_a_sweep_is_still_allowed():
    cfg = SimConfig(width=32, height=24, duration_s=0.1, sigma_range=(0.0, 0.0)).validate()
    assert dataclasses.replace(cfg, sigma_range=(4.0, 4.0)).validate().sigma_range == (4.0, 4.0)
    assert SimConfig(width=32, height=24, duration_s=0.1, focus_sweep=True, sigma_range=(0.0, 7.0)).validate().focus_sweep
