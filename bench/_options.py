"""Option checks shared by the bench scripts: a bad value ends the script with one line on
stderr and exit code 2, before any timing (not a traceback, nor a table of nonsense).

Import it from a script with ``sys.path.insert(0, str(Path(__file__).resolve().parent))``
(``runpy.run_path`` does not put the script's folder on the path). Only the standard library
here, so a bad option fails in a fraction of a second, before torch is imported.
"""

from __future__ import annotations

import argparse
import re
import sys


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (``prog: error: ...``), exit 2."""

    def error(self, message: str):  # the default prints the whole usage block first
        self.exit(2, f"{self.prog}: error: {message}\n")


def fail(prog: str, exc: BaseException | str) -> int:
    """Say ``exc`` in one line on stderr (an EvFocusError's text is that line); returns 2."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    print(f"{prog}: error: {text}", file=sys.stderr)
    return 2


def positive_int(text: str) -> int:
    """An integer >= 1; ``2e6`` is accepted for counts."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if not value.is_integer() or value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(value)


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def non_negative_float(text: str, hint: str = "") -> float:
    """A finite number >= 0 (``hint``: what 0 means, said in the error)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number >= 0{hint}, got {text!r}")
    return value


def unit_float(text: str) -> float:
    """A value in [0, 1] (a focus knob position)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


def resolution(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` with both >= 1, e.g. ``346x260``."""
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT (e.g. 346x260), got {text!r}")
    return int(m.group(1)), int(m.group(2))
