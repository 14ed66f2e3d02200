"""Event writers: AEDAT 4.0 (:mod:`.aedat4`) and our HDF5 layout (:mod:`.hdf5`)."""

from .aedat4 import Aedat4Writer
from .hdf5 import Hdf5Writer

__all__ = ["Aedat4Writer", "Hdf5Writer"]
