"""After SIGTERM, ``evfocus bench`` printed the stages it had measured at once, then spent about
2 s (of a 2-7 s stop) in the interpreter's last garbage collection over everything torch and
the timed models made. Interrupted, it now freezes the collector at exit (its output is written
and closed by then), so the process ends promptly; a finished run is as before."""

from __future__ import annotations

import gc

import pytest

from evfocus_live.cli import main as cli_main


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def _result(interrupted: bool) -> dict:
    return {"machine": {"cpu_count": 2, "torch_threads": 1, "torch": "x", "cuda": False, "peak_rss_mb": 1.0},
            "rows": [{"stage": "read", "resolution": "346x260", "value": 1.0, "unit": "Mev/s", "baseline": "",
                      "ratio": None}], **({"interrupted": True} if interrupted else {})}


@pytest.mark.parametrize("interrupted", [True, False])
def test_the_collector_is_frozen_only_when_interrupted(tmp_path, monkeypatch, capsys, unfrozen, interrupted):
    import evfocus_live.benchmark as bench

    monkeypatch.setattr(bench, "run", lambda **kw: _result(interrupted))
    at_exit = []
    monkeypatch.setattr("atexit.register", at_exit.append)  # (frozen at exit, not in main())
    out = tmp_path / "bench.json"
    rc = cli_main(["bench", "--json", "-o", str(out)])
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    assert rc == (130 if interrupted else 0)
    assert frozen == 0 and (gc.freeze in at_exit) == interrupted
    assert '"stage": "read"' in capsys.readouterr().out and out.is_file()  # (the stages measured are kept)
