"""The simulator from Python: a SimConfig field of the wrong kind, a missing config or a bad
seed is one ConfigError line. Before: ``SimConfig(width="64")`` failed in a comparison
('<=' not supported between 'int' and 'str'), ``sigma_range=3`` in an unpacking,
``simulate_sequence(None, 0)`` was an AttributeError and a string seed numpy's
'SeedSequence expects int or sequence of ints'."""

from __future__ import annotations

import pytest

from evfocus_live.errors import ConfigError
from evfocus_live.simulate import SimConfig, simulate_sequence, simulate_to_files

SMALL = dict(duration_s=0.05, width=32, height=24)


@pytest.mark.parametrize("field, value, said", [
    ("width", "64", "SimConfig.width must be a whole number"),
    ("width", 64.5, "SimConfig.width must be a whole number"),
    ("duration_s", "1", "SimConfig.duration_s must be a number"),
    ("sigma_range", 3, "SimConfig.sigma_range must be two numbers"),
    ("sigma_range", (1, 2, 3), "SimConfig.sigma_range must be two numbers"),
    ("focus_sweep", "no", "SimConfig.focus_sweep must be True or False"),
])
def test_a_field_of_the_wrong_kind_is_one_line(field, value, said):
    with pytest.raises(ConfigError, match=said):
        simulate_sequence(SimConfig(**{**SMALL, field: value}), seed=0)


@pytest.mark.parametrize("cfg, seed, said", [
    (None, 0, "must be a SimConfig"),
    (SimConfig(**SMALL), "a", "seed must be a whole number"),
    (SimConfig(**SMALL), -1, "seed must be a whole number"),
])
def test_a_bad_config_or_seed_is_one_line(tmp_path, cfg, seed, said):
    with pytest.raises(ConfigError, match=said):
        simulate_sequence(cfg, seed)
    with pytest.raises(ConfigError, match=said):
        simulate_to_files(cfg, seed, tmp_path / "seq_00000")


def test_lists_for_ranges_and_numpy_seeds_are_still_taken():
    import numpy as np

    res = simulate_sequence(SimConfig(**SMALL, sigma_range=[1.0, 2.0]), seed=np.int64(3))
    assert res.width == 32
