"""The pure core: slicing, voxel grids, event rendering, post-processing (numpy + torch, no Qt).

Submodules are imported on demand (``from evfocus_live.core.voxel import voxel_grid``) so
that, e.g., the slicers can be used without importing torch.
"""
