"""A Ctrl-C (or SIGTERM) part-way through a bench stage dropped the whole stage: only the
stages finished before it were reported, minutes of model timing lost. The cut stage's rows now
stay, and a row whose repeats were cut after one or more is kept with the best of those,
marked ``"partial": "n of N repeats"``, and said under the table."""

from __future__ import annotations

import pytest
from bench_cut_support import CtrlCNet

from evfocus_live import benchmark

_Net = CtrlCNet


def _run(monkeypatch, nets):
    def stages(rows, quick, models, repeats, say, threads):
        rows.append(benchmark.Row("read", "346x260", 1.0, "Mev/s"))  # a stage done before
        rows += benchmark.bench_models([(8, 6), (16, 12)], repeats, ["e2vid", "mine"])

    monkeypatch.setattr(benchmark, "_model_list", lambda names: list(nets.items()))
    monkeypatch.setattr(benchmark, "_run_stages", stages)
    return benchmark.run(quick=False, threads=1)


def test_a_model_cut_after_two_repeats_is_kept_partial(monkeypatch):
    # 8x6: e2vid 2 warm-ups + 5 repeats, mine the same; 16x12: e2vid done, mine cut in its 4th repeat
    result = _run(monkeypatch, {"e2vid": _Net(), "mine": _Net(stop_at=7 + 2 + 4)})
    assert result["interrupted"] is True
    rows = [(r["stage"], r["resolution"], r.get("model"), r.get("partial")) for r in result["rows"]]
    assert rows == [("read", "346x260", None, None),
                    ("model forward", "8x6", "e2vid", None), ("model forward", "8x6", "mine", None),
                    ("model forward", "16x12", "e2vid", None),
                    ("model forward", "16x12", "mine", "3 of 5 repeats")]
    cut = result["rows"][-1]
    assert cut["ratio"] is not None and cut["value"] > 0  # against the e2vid timed just before it
    table = benchmark.format_table(result)
    assert "model forward at 16x12 (mine) is partial (3 of 5 repeats)" in table.splitlines()[-1]


def test_a_model_cut_in_its_warm_up_keeps_the_rows_before_it(monkeypatch):
    result = _run(monkeypatch, {"e2vid": _Net(), "mine": _Net(stop_at=7 + 1)})
    rows = [(r["resolution"], r.get("model"), r.get("partial")) for r in result["rows"][1:]]
    assert rows == [("8x6", "e2vid", None), ("8x6", "mine", None), ("16x12", "e2vid", None)]


def test_a_cut_before_any_repeat_of_anything_is_still_a_ctrl_c(monkeypatch):
    def stages(rows, quick, models, repeats, say, threads):
        rows += benchmark.bench_models([(8, 6)], repeats, ["e2vid"])

    monkeypatch.setattr(benchmark, "_model_list", lambda names: [("e2vid", _Net(stop_at=1))])
    monkeypatch.setattr(benchmark, "_run_stages", stages)
    with pytest.raises(KeyboardInterrupt):
        benchmark.run(quick=False, threads=1)


def test_best_of_cut_after_a_repeat_gives_the_best_so_far():
    calls = []

    def fn():
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(benchmark.RepeatsCut) as cut:
        benchmark.best_of(fn, 5)
    assert (cut.value.done, cut.value.of) == (2, 5) and cut.value.best_s < float("inf")


def test_the_runtime_rows_cut_in_their_interleaved_repeats_are_kept_partial(monkeypatch):
    """The plain-vs-optimised stage times its own interleaved loop (not best_of): a Ctrl-C
    after some rounds keeps the finished resolution and the cut one, partial."""
    from evfocus_live.nn import runtime

    class _Runner:
        label, calls = "fake", [0]

        def __init__(self, model, backend, precision="fp32"):
            self.model = model

        def __call__(self, v):
            _Runner.calls[0] += 1
            if _Runner.calls[0] == 3 + 9 + 3 + 2:  # 8x6: 3 checks + 9 rounds; 16x12: 3 checks, cut in round 2
                raise KeyboardInterrupt
            return self.model(v)

    monkeypatch.setattr(runtime, "InferenceModel", _Runner)
    monkeypatch.setattr(benchmark, "_model_list", lambda names: [("mine", _Net())])
    with pytest.raises(benchmark.StageCut) as cut:
        benchmark.bench_runtime([(8, 6), (16, 12)], 3, "mine")
    rows = [(r.resolution, r.extra.get("partial")) for r in cut.value.rows]
    assert rows == [("8x6", None), ("16x12", "1 of 9 repeats")]
