"""`evfocus eval`'s report.json/report.md and `evfocus bench`'s results did not say which
evfocus-live made them, so two reports could not be told apart when metrics or timings changed
between versions: both now carry ``evfocus_version`` (and say it in their text); a bench result
from before it was recorded still prints."""

from __future__ import annotations

import json

import pytest
import torch

from evfocus_live import __version__, benchmark
from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import save_checkpoint
from evfocus_live.train.evaluate import evaluate
from evfocus_live.train.synth import simulate_minimal

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_eval_report_records_the_version(tmp_path):
    simulate_minimal(tmp_path / "data" / "seq_00000.h5", width=48, height=40, n_frames=5, sigma_range=(0.5, 1), seed=1)
    torch.manual_seed(0)
    ck = save_checkpoint(tmp_path / "tiny.pt", EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)))
    rep = evaluate([str(ck)], [str(tmp_path / "data")], tmp_path / "report", warmup=1, progress=False)
    assert rep["evfocus_version"] == __version__
    assert json.loads((tmp_path / "report" / "report.json").read_text())["evfocus_version"] == __version__
    assert f"Written by evfocus-live {__version__}." in (tmp_path / "report" / "report.md").read_text()


def test_bench_result_records_the_version(monkeypatch):
    monkeypatch.setattr(benchmark, "_run_stages", lambda rows, *a: rows.append(
        benchmark.Row("read", "346x260", 40.0, "Mev/s", "dv", 0.95)))
    result = benchmark.run(quick=True, threads=1)
    assert result["evfocus_version"] == __version__
    assert f"evfocus-live {__version__}; machine:" in benchmark.format_table(result)
    old = {k: v for k, v in result.items() if k != "evfocus_version"}  # (a result saved before it was recorded)
    assert "evfocus-live (version not recorded); machine:" in benchmark.format_table(old)
