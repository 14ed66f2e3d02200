"""SIGTERM (``kill``, ``timeout``, a batch job's time limit) killed ``evfocus simulate``,
``evfocus eval`` and ``evfocus bench`` outright (exit -15): simulate left ``.part`` files,
eval lost the report of what it had scored and bench the stages it had measured, while
``evfocus reconstruct`` and ``evfocus train`` take it as Ctrl-C. Now all of them do: exit 130."""

from __future__ import annotations

import os
import signal

import pytest

from evfocus_live.cli import main as cli_main


def _sigterm_then(result):
    """A stand-in for the command's work that gets SIGTERM; the old code left SIGTERM at its
    default, which would end pytest itself: sent only where a handler catches it."""
    seen = []

    def work(*a, **k):
        seen.append(signal.getsignal(signal.SIGTERM))
        if seen[-1] not in (signal.SIG_DFL, None):
            os.kill(os.getpid(), signal.SIGTERM)
        return result

    return work, seen


@pytest.fixture
def handler_put_back():
    before = signal.getsignal(signal.SIGTERM)
    yield
    assert signal.getsignal(signal.SIGTERM) == before  # (the command's only)


def test_simulate(tmp_path, monkeypatch, capsys, handler_put_back):
    import evfocus_live.simulate as sim

    work, seen = _sigterm_then({"total_events": 0, "total_bytes": 0})
    monkeypatch.setattr(sim, "simulate_dataset", work)
    rc = cli_main(["simulate", str(tmp_path / "sim"), "--sequences", "1", "--duration", "0.1",
                   "--resolution", "32x24", "--no-progress"])
    assert seen and rc == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == "evfocus simulate: interrupted"


def test_eval(tmp_path, monkeypatch, capsys, handler_put_back):
    import evfocus_live.train.evaluate as ev

    work, seen = _sigterm_then({"markdown": "# report"})
    monkeypatch.setattr(ev, "evaluate", work)
    rc = cli_main(["eval", "--models", "evfocus", "--data", str(tmp_path), "--no-progress"])
    assert seen and rc == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == "evfocus eval: interrupted"


def test_bench(monkeypatch, capsys, handler_put_back):
    import evfocus_live.benchmark as bench

    work, seen = _sigterm_then({"rows": []})
    monkeypatch.setattr(bench, "run", work)
    monkeypatch.setattr(bench, "format_table", lambda result: "")
    rc = cli_main(["bench", "--quick"])
    assert seen and rc == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == "evfocus bench: interrupted"
