"""`evfocus train my.toml --resume` after editing `[model] sigmas_px` to other blur levels of the
same count: no tensor changed shape, so last.pt's weights loaded, and (the key being absent from
the run's recorded [model] table, where the default applied) no change was named: the run went on
as another network, and its final.pt recorded the new levels. A resumed run whose [model] builds
another network than last.pt's is now refused, as one with other shapes was."""

from __future__ import annotations

import pytest
from train_support import tiny_cfg, tiny_data  # noqa: F401 (a fixture)

from evfocus_live.errors import CheckpointError
from evfocus_live.train.trainer import train

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_resume_with_other_blur_levels_is_refused(tiny_data, tmp_path):
    out = tmp_path / "run"
    train(tiny_cfg(tiny_data, out, steps=2), progress=False)
    cfg = tiny_cfg(tiny_data, out, steps=4)
    cfg["model"]["sigmas_px"] = [0.0, 1.0, 2.0, 3.0, 6.0]  # the default's count, another last level
    with pytest.raises(CheckpointError, match="sigmas_px: file"):
        train(cfg, resume=True, progress=False)


def test_resume_with_the_same_model_goes_on(tiny_data, tmp_path):
    out = tmp_path / "run"
    train(tiny_cfg(tiny_data, out, steps=2), progress=False)
    cfg = tiny_cfg(tiny_data, out, steps=3)
    cfg["model"]["sigmas_px"] = [0.0, 1.0, 2.0, 3.0, 4.5]  # the default, now written out
    assert train(cfg, resume=True, progress=False)["step"] == 3
