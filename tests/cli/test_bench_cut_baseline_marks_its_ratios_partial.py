"""The model-forward rows' ratios are against ``e2vid`` timed in the same run, and e2vid is
timed after the models listed before it (the built-ins: evfocus, evfocus-full, then e2vid). A
Ctrl-C in e2vid's repeats kept it marked partial, but the rows before it took their ratio from
that cut best-of-fewer time (slower, so their speed-ups read higher) with no mark: a partial
measurement read as a full one. They are now marked ``baseline n of N repeats``."""

from __future__ import annotations

import pytest
from bench_cut_support import CtrlCNet

from evfocus_live import benchmark

_Net = CtrlCNet


def _cut_rows(monkeypatch, nets: list) -> list[dict]:
    monkeypatch.setattr(benchmark, "_model_list", lambda names: nets)
    with pytest.raises(benchmark.StageCut) as cut:
        benchmark.bench_models([(8, 6)], 5, None)
    return [r.as_dict() for r in cut.value.rows]


def test_rows_timed_against_a_cut_baseline_are_partial(monkeypatch):
    # evfocus: 2 warm-ups + 5 repeats; e2vid: 2 warm-ups, cut in its 3rd repeat
    rows = _cut_rows(monkeypatch, [("evfocus", _Net()), ("e2vid", _Net(stop_at=2 + 3))])
    assert [(r["model"], r.get("partial")) for r in rows] == [
        ("evfocus", "baseline 2 of 5 repeats"), ("e2vid", "2 of 5 repeats")]
    assert rows[0]["ratio"] is not None  # (kept, and said to be against a cut baseline)
    table = benchmark.format_table({"machine": {"cpu_count": 2, "torch": "x", "torch_threads": 1, "cuda": False,
                                                "peak_rss_mb": 1.0}, "rows": rows, "interrupted": True})
    assert "model forward at 8x6 (evfocus) is partial (baseline 2 of 5 repeats)" in table.splitlines()[-1]


def test_rows_before_a_cut_model_that_is_not_the_baseline_stay_full(monkeypatch):
    rows = _cut_rows(monkeypatch, [("e2vid", _Net()), ("evfocus", _Net()), ("mine", _Net(stop_at=2 + 2))])
    assert [(r["model"], r.get("partial")) for r in rows] == [
        ("e2vid", None), ("evfocus", None), ("mine", "1 of 5 repeats")]
