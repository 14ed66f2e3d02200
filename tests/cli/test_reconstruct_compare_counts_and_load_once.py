"""``evfocus reconstruct --compare``: the "NaN/Inf on all k windows" error counted the compare
model's NaN windows with the main model's (k doubled); the INCOMPLETE line of a run cut short
left out the compare frames written; several inputs in turn reloaded the compare model for each."""

from __future__ import annotations

from pathlib import Path

import pytest
from compare_support import SLICE, ckpts  # noqa: F401 (the fixture)
from conftest import REAL_FILES
from pipeline_support import SumModel

from evfocus_live.cli import main
from evfocus_live.nn import registry

ALWAYS = set(range(1, 10_000))


class FailingModel(SumModel):
    """A SumModel whose ``fail_at``-th call raises (a model broken mid-run)."""

    def __init__(self, fail_at: int):
        super().__init__()
        self.fail_at = fail_at

    def forward(self, voxel):
        if self.calls + 1 == self.fail_at:
            raise RuntimeError("broken (injected)")
        return super().forward(voxel)


@pytest.fixture
def models(monkeypatch, ckpts):  # noqa: F811
    """``load_model`` of the two tiny checkpoints' names gives the models ``make`` says, and
    counts the loads by name."""
    loads: dict[str, int] = {}
    make: dict[str, object] = {}

    def fake_load(name, device="cpu"):
        loads[str(name)] = loads.get(str(name), 0) + 1
        return make[str(name)]()

    monkeypatch.setattr(registry, "load_model", fake_load)
    return [str(p) for p in ckpts], make, loads


def test_nan_on_all_windows_counts_the_main_models_own(tmp_path, models, capsys):
    (m, c), make, _ = models
    make[m] = make[c] = lambda: SumModel(nan_at=ALWAYS)
    rc = main(["reconstruct", str(REAL_FILES["evt2"]["path"]), "-o", str(tmp_path / "out"), "--model", m,
               "--compare", c, *SLICE])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err, err
    assert f"model {m!r} output NaN/Inf on all 3 windows" in err, err  # (was "all 6")
    assert f"compare model {c!r}: NaN/Inf on 3 windows" in err, err


def test_incomplete_line_names_the_compare_frames(tmp_path, models, capsys):
    (m, c), make, _ = models
    make[m] = lambda: FailingModel(fail_at=3)
    make[c] = SumModel
    out = tmp_path / "out"
    inp = str(REAL_FILES["evt2"]["path"])
    assert main(["reconstruct", inp, "-o", str(out), "--model", m, "--compare", c, *SLICE]) == 2
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{inp}: 2 frames -> {out}, 2 compare frames -> {out / 'compare'}, INCOMPLETE ("), line
    assert len(list((out / "compare").glob("frame_*.png"))) == 2


def test_several_inputs_load_the_compare_model_once_its_state_reset(tmp_path, models):
    (m, c), make, loads = models
    make[m] = make[c] = SumModel
    src = Path(REAL_FILES["evt2"]["path"])
    inputs = []
    for name in ("a", "b"):
        (tmp_path / f"{name}.raw").symlink_to(src)
        inputs.append(str(tmp_path / f"{name}.raw"))
    out = tmp_path / "out"
    assert main(["reconstruct", *inputs, "-o", str(out), "--model", m, "--compare", c, *SLICE]) == 0
    assert loads == {m: 1, c: 1}, loads  # (the compare model was loaded for each input)
    alone = tmp_path / "alone"
    assert main(["reconstruct", inputs[1], "-o", str(alone), "--model", m, "--compare", c, *SLICE]) == 0
    got = sorted((out / "b" / "compare").glob("frame_*.png"))
    assert got and [p.read_bytes() for p in got] == [
        p.read_bytes() for p in sorted((alone / "compare").glob("frame_*.png"))]  # the state starts afresh
