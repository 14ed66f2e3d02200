"""``SimConfig`` was checked only when ``simulate_*`` ran (or ``validate()`` was called): a bad
field was a ConfigError far from the line that set it, and the live sim camera's config was never
checked. It is checked as it is made now, as ``WindowConfig`` and the pipeline's configs are,
with their kind check (``config._kind``): numpy's numbers still count as numbers."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.errors import ConfigError
from evfocus_live.simulate import SimConfig

SMALL = dict(duration_s=0.05, width=32, height=24)


@pytest.mark.parametrize("kw, said", [
    ({"width": "64"}, r"SimConfig\.width must be a whole number, got '64'"),
    ({"duration_s": None}, r"SimConfig\.duration_s must be a number, got None"),
    ({"static": "no"}, r"SimConfig\.static must be True or False"),
    ({"sigma_range": 3}, r"SimConfig\.sigma_range must be two numbers \(LO, HI\), got 3"),
    ({"images": "pics/"}, r"SimConfig\.images must be picture names, got 'pics/'"),
    ({"duration_s": 0}, r"duration must be in \(0, 3600\] s"),
    ({"sigma_range": (5, 2)}, r"sigma range must satisfy 0 <= LO <= HI <= 50"),
    ({"duration_s": np.float32("nan")}, r"duration_s must be finite"),
])
def test_a_bad_field_is_refused_when_the_config_is_made(kw, said):
    with pytest.raises(ConfigError, match=said):
        SimConfig(**{**SMALL, **kw})


def test_numpy_numbers_and_lists_are_taken():
    cfg = SimConfig(width=np.int64(32), height=np.int32(24), duration_s=np.float32(0.05),
                    static=np.bool_(False), sigma_range=[np.float64(1.0), 2], images=["a.png"])
    assert cfg.static is False and cfg.sigma_range == (1.0, 2) and cfg.images == ("a.png",)
    assert {cfg: 1}  # (hashable: a list range made it not)


@pytest.mark.parametrize("opts, said", [
    (["--resolution", "4x4"], "resolution 4x4 out of range (8..4096)"),
    (["--sigma-range", "5", "2"], "sigma range must satisfy 0 <= LO <= HI <= 50, got 5.0 2.0"),
    (["--contrast-range", "0", "0.2"], "contrast threshold range must be positive"),
])
def test_the_command_line_says_one_line(tmp_path, capsys, opts, said):
    from evfocus_live.cli import main

    out = tmp_path / "o"
    assert main(["simulate", str(out), "--duration", "0.05", "--resolution", "16x16", "--no-aedat4",
                 "--no-progress", *opts]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0] and "Traceback" not in err[0], err
    assert not out.exists() or not list(out.iterdir())
