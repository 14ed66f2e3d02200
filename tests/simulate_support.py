"""`evfocus simulate` run on a disk that fills up (a script for a subprocess with a file-size limit),
and a tiny dataset made, its version edited, and ``--resume`` refusing it."""

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


def _sim(out, *opts):
    from evfocus_live.cli import main as cli_main

    return cli_main(["simulate", str(out), "--sequences", "2", "--duration", "0.05", "--frame-ms", "25",
                     "--resolution", "32x24", "--seed", "3", "--no-aedat4", "--no-progress", *opts])


def _set_version(h5_path, version) -> None:
    import h5py

    with h5py.File(h5_path, "r+") as f:
        if version is None:
            del f.attrs["evfocus_version"]
        else:
            f.attrs["evfocus_version"] = version


def _refused(out, version, capsys) -> str:
    """--resume's one line for a folder whose first sequence ``version`` made."""
    assert _sim(out, "--sequences", "1") == 0
    _set_version(out / "seq_00000.h5", version)
    capsys.readouterr()
    assert _sim(out, "--resume") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and not (out / "seq_00001.h5").exists(), err
    return err[0]
