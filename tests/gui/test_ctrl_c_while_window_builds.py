"""Ctrl-C while the viewer's window is being built. The window starts its pipeline in its
constructor (the "inference backend" line comes from there), but the handler that closes the
window cleanly was set only after it was shown: a Ctrl-C in between (a loaded machine) was a
KeyboardInterrupt, "interrupted", exit 130, past a pipeline that was already running."""

from __future__ import annotations

import signal
import time

from evfocus_live.gui import app, window


def test_a_ctrl_c_while_the_window_is_built_closes_it_cleanly(qapp, monkeypatch, tiny_ckpt):
    built = []

    class Interrupted(window.MainWindow):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            built.append(self)
            signal.raise_signal(signal.SIGINT)  # the user's Ctrl-C, mid-construction

    monkeypatch.setattr(window, "MainWindow", Interrupted)
    before = {sig: signal.getsignal(sig) for sig in app.STOP_SIGNALS}
    t0 = time.monotonic()
    try:
        # --exit-after is the test's guard only: the Ctrl-C must end the run long before it
        rc = app.main(["--camera", "pattern", "--model", str(tiny_ckpt), "--device", "cpu", "--exit-after", "60"])
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    assert rc == 0 and len(built) == 1 and not built[0].isVisible()
    assert time.monotonic() - t0 < 50, "closed by --exit-after, not by the Ctrl-C"
