"""evfocus-live: sharp frames from out-of-focus event cameras, live.

The headless core (events, sources, ring buffer, voxel grids, models, pipeline) never
imports Qt (numpy, numba and torch, and each file format's library); Qt lives in
:mod:`evfocus_live.gui`.
"""

import os as _os

# OpenMP workers that spin while waiting make 2 torch threads 2-4x slower than 1 as soon
# as anything else runs (our reader and GUI threads do); must be set before torch loads.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"

# before any module of ours imports numba: a read-only install needs a writable cache folder
from .numba_cache import ensure_cache_dir as _ensure_numba_cache_dir  # noqa: E402

_ensure_numba_cache_dir()
