"""evfocus-live: sharp frames from out-of-focus event cameras, live.

The headless core (events, sources, ring buffer, voxel grids, models, pipeline) imports
numpy and torch only; Qt lives in :mod:`evfocus_live.gui`.
"""

__version__ = "0.1.0"
