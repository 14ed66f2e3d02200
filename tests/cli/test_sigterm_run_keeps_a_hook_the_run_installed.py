"""``run_with_sigterm_as_ctrl_c`` put back the ``sys.unraisablehook`` it found at its end
unconditionally: a hook the wrapped run installed itself (a test harness, a plugin's
diagnostics) was overwritten. It is put back only where the hook is still its own."""

from __future__ import annotations

import sys

from evfocus_live.cli.signals import run_with_sigterm_as_ctrl_c


def test_a_hook_the_run_installed_is_kept(monkeypatch):
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)  # (put back after the test)

    def theirs(unraisable) -> None:
        pass

    def run() -> int:
        sys.unraisablehook = theirs
        return 0

    assert run_with_sigterm_as_ctrl_c(run) == 0
    assert sys.unraisablehook is theirs


def test_its_own_hook_is_taken_back(monkeypatch):
    def before(unraisable) -> None:
        pass

    monkeypatch.setattr(sys, "unraisablehook", before)
    seen = []
    assert run_with_sigterm_as_ctrl_c(lambda: seen.append(sys.unraisablehook) or 0) == 0
    assert seen[0] is not before  # (its own was in place while it ran)
    assert sys.unraisablehook is before
