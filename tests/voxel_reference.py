"""A plain-numpy voxel grid: the reference the fast kernels are checked against."""

from __future__ import annotations

import numpy as np


def reference_voxel(ev, B, W, H, normalize=True):
    """E2VID's definition, one event at a time, in float64."""
    vox = np.zeros((B, H, W))
    if len(ev) == 0:
        return vox
    t = ev["t"].astype(np.int64)
    t0, t1 = t.min(), t.max()
    span = max(int(t1 - t0), 1)
    for e in ev:
        if e["x"] >= W or e["y"] >= H:
            continue
        ts = (B - 1) * (int(e["t"]) - t0) / span
        ti = int(np.floor(ts))
        d = ts - ti
        pol = 1.0 if e["p"] else -1.0
        vox[ti, e["y"], e["x"]] += pol * (1 - d)
        if ti + 1 < B:
            vox[ti + 1, e["y"], e["x"]] += pol * d
    if normalize:
        nz = vox != 0
        if nz.any():
            m = vox[nz].mean()
            s = vox[nz].std()
            vox = np.where(nz, (vox - m) / (s if s > 1e-8 else 1.0), 0.0)
    return vox
