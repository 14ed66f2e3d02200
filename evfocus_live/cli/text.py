"""Small text helpers shared by the subcommands' output (no heavy imports)."""

from __future__ import annotations


def rate_text(ev_per_s: float, digits: int = 3) -> str:
    """An event rate in the unit that shows it (a slow file is not "0.000 Mev/s")."""
    for scale, unit in ((1e6, "Mev/s"), (1e3, "kev/s")):
        if ev_per_s >= scale:
            return f"{ev_per_s / scale:.{digits}f} {unit}"
    return f"{ev_per_s:.{digits}f} ev/s"


def plural(n: int, noun: str) -> str:
    """``noun`` in the number of ``n`` ("1 frame", "2 frames"); the caller formats ``n``."""
    return noun if n == 1 else noun + "s"
