"""A network built directly (``EvFocus(cfg)``, ``E2VID(cfg)``: the classes' documented use)
refuses the integrator where the registry would: without the count channel it integrated the
last voxel bin, silently, and an e2vid or firenet took it and saved a checkpoint that
``load_model`` then refused ("integrator is not an option of e2vid")."""

from __future__ import annotations

import pytest
import torch

from evfocus_live.nn.e2vid import E2VID
from evfocus_live.nn.evfocus import LIGHT, EvFocus
from evfocus_live.nn.firenet import FireNet


def test_evfocus_without_the_count_channel_refuses_it():
    with pytest.raises(ValueError, match="integrator = true needs count_channel = true"):
        EvFocus(dict(LIGHT, integrator=True))


@pytest.mark.parametrize("cls", [E2VID, FireNet])
def test_other_networks_refuse_it(cls):
    with pytest.raises(ValueError, match=f"{cls.__name__}: integrator is an option of evfocus only"):
        cls({"count_channel": True, "integrator": True})


def test_evfocus_with_the_count_channel_builds_it():
    model = EvFocus(dict(LIGHT, count_channel=True, integrator=True)).eval()
    with torch.no_grad():
        model(torch.zeros(1, 6, 16, 16))
    assert model.integrator and len(model.states) == len(model.encoders) + 1
