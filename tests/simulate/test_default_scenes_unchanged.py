"""The default simulation is the same for a seed whatever options were added beside it
(`simulate --images` drew from the random stream in a new place): the scenes' textures and
blurs drawn for seeds 0-5, as the version before --images drew them. A change here changes
every dataset simulated before; make it on purpose, not by the way."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.simulate import SimConfig
from evfocus_live.simulate.scenes import sample_scene

DRAWN = {
    0: (["astronaut.png", "text"], [0.115693, 5.692892]),
    1: (["camera.png", "checkerboard"], [6.640546, 2.18282]),
    2: (["page.png", "rocket.jpg", "clock_motion.png"], [0.643412, 4.200704, 5.099924]),
    3: (["page.png", "noise"], [4.075134, 0.6589]),
    4: (["grating", "retina.jpg", "shapes", "coins.png"], [0.565852, 4.251491, 2.635406, 5.613308]),
    5: (["grass.png", "noise", "clock_motion.png"], [2.00061, 0.377515, 2.683582]),
}


@pytest.mark.parametrize("seed", sorted(DRAWN))
def test_a_seed_draws_the_scene_it_drew_before(seed):
    scene = sample_scene(SimConfig(width=48, height=32, duration_s=0.1), np.random.default_rng(seed))
    textures, sigmas = DRAWN[seed]
    assert scene.meta["textures"] == textures
    assert np.allclose(scene.meta["sigma_drawn"], sigmas, atol=1e-6)
