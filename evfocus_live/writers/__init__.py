"""Event writers: AEDAT 4.0 (:mod:`.aedat4`) and our HDF5 layout (:mod:`.hdf5`)."""

from .aedat4 import Aedat4Writer
from .base import EventWriter
from .hdf5 import Hdf5Writer

__all__ = ["Aedat4Writer", "EventWriter", "Hdf5Writer"]
