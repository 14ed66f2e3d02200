"""Helper the headless viewer's log-line tests share: a run of ``evfocus-live --headless`` on a
small recording with the tiny model, and its log lines that start a given way."""

from __future__ import annotations

import logging

from cli_support import write_aedat4

from evfocus_live.gui import app


def headless_lines(tmp_path, ckpt, caplog, prefix: str, *extra: str, n: int = 20_000,
                   duration_us: int = 200_000) -> list[str]:
    """Run headless (exit 0 asserted) and return the log lines starting with ``prefix``."""
    rec = write_aedat4(tmp_path / "rec.aedat4", n=n, duration_us=duration_us)
    with caplog.at_level(logging.INFO, logger="evfocus_live.gui"):
        rc = app.main([str(rec), "--headless", "--model", str(ckpt), "--post", "none", *extra])
    assert rc == 0
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(prefix)]
