"""`evfocus eval ... > log.txt 2>&1`: with no bar (not a terminal, or --no-progress) a long
evaluation said nothing until its report. It logs how many files are done now and then."""

from __future__ import annotations

import logging

from tqdm import tqdm

from evfocus_live.train import evaluate


def test_progress_lines_without_a_bar(monkeypatch, caplog):
    monkeypatch.setattr(evaluate, "PROGRESS_LOG_S", 0.0)
    with caplog.at_level(logging.INFO, logger="evfocus_live.train.evaluate"):
        assert list(evaluate._said_now_and_then(tqdm(["a", "b", "c"], disable=True), "eval (real)")) == ["a", "b", "c"]
        list(evaluate._said_now_and_then(tqdm(["a", "b"], disable=False), "eval (real)"))  # (a bar: no lines)
    assert [r.getMessage() for r in caplog.records] == ["eval (real): 1/3 done", "eval (real): 2/3 done"]
