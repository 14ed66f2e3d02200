"""The readout's numba kernel is warmed in the model's first-window step
(``core.defocus.warm_abs_sum_bins``); one that does not compile (a broken numba or LLVM)
raised out of that step, leaving "preparing the model" on show, then at every frame's readout.
It is said once and numpy's sum (the same bits) is used from then on."""

from __future__ import annotations

import logging

import numpy as np

from evfocus_live.core import defocus


def test_a_kernel_that_does_not_compile_falls_back_to_numpy(monkeypatch, caplog):
    def broken(vox, out):
        raise RuntimeError("LLVM ERROR: broken\nmore lines")

    monkeypatch.setattr(defocus, "_abs_sum_numba", broken)
    monkeypatch.setattr(defocus, "_HAVE_NUMBA", True)
    with caplog.at_level(logging.WARNING, logger="evfocus_live.core.defocus"):
        defocus.warm_abs_sum_bins()
        defocus.warm_abs_sum_bins()
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and "did not compile (RuntimeError: LLVM ERROR: broken)" in said[0], said
    v = np.random.default_rng(0).normal(size=(5, 7, 9)).astype(np.float32)
    assert np.array_equal(defocus.abs_sum_bins(v), np.abs(v).sum(0))  # (raised again before)
