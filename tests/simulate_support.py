"""`evfocus simulate` run on a disk that fills up (a script for a subprocess with a file-size limit)."""

from __future__ import annotations


#: `evfocus` with files limited to LIMIT bytes, as on a full disk; the simulator's numba
#: kernels are compiled (and cached) first, so only the sequence's own files meet the limit
FULL_DISK_CLI = """
import resource, signal, sys
from evfocus_live.simulate import SimConfig, simulate_sequence
simulate_sequence(SimConfig(width=16, height=16, duration_s=0.02, frame_ms=10), 0)
import lz4.frame  # imported before the limit, as numba's cache is written before it
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
from evfocus_live.cli import main
sys.exit(main(sys.argv[2:]))
"""
