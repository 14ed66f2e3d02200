"""``evfocus bench --threads 0`` was refused ("must be >= 1") while ``evfocus reconstruct
--threads`` takes 0 as its default (the pipeline's thread count): the same option, the same
meaning, in both. Below 0 is still one error line."""

from __future__ import annotations

from evfocus_live.cli import main as cli_main


def _stub_bench(monkeypatch):
    import evfocus_live.benchmark as bench

    asked = []
    monkeypatch.setattr(bench, "run", lambda **k: asked.append(k["threads"]) or {"rows": []})
    monkeypatch.setattr(bench, "format_table", lambda result: "")
    return asked


def test_zero_is_the_pipelines_default(monkeypatch):
    asked = _stub_bench(monkeypatch)
    assert cli_main(["bench", "--quick", "--threads", "0"]) == 0
    assert asked == [0]


def test_below_zero_is_one_line(monkeypatch, capsys):
    asked = _stub_bench(monkeypatch)
    assert cli_main(["bench", "--quick", "--threads", "-1"]) == 2
    assert not asked
    assert capsys.readouterr().err.strip().splitlines() == [
        "evfocus bench: error: --threads must be >= 0 (0 = default), got -1"]


def test_the_help_says_so(capsys):
    import pytest

    with pytest.raises(SystemExit):
        cli_main(["bench", "--help"])
    assert "0 = " in " ".join(capsys.readouterr().out.split())
