"""Our own code as it was at a git revision, loaded beside today's, for the bench scripts that
time old against new in one process (``--baseline REV``): ratios from one process, interleaved,
hold on a loaded machine where two runs' absolute times do not.

Only the standard library here (see ``_options``).
"""

from __future__ import annotations

import atexit
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_LOADED: dict[tuple[str, str], object] = {}


def load_revision(rev: str, module: str):
    """``evfocus_live.<module>`` (dotted: ``core.voxel``) as it was at git revision ``rev``,
    loaded beside ours (its relative imports resolve to today's package); once per process.
    ValueError (one line) where git cannot give it."""
    if (rev, module) in _LOADED:
        return _LOADED[rev, module]
    path = "evfocus_live/" + module.replace(".", "/") + ".py"
    src = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:{path}"], capture_output=True, text=True)
    if src.returncode:
        why = (src.stderr.strip().splitlines() or ["git failed"])[-1]
        raise ValueError(f"cannot load {path} at {rev!r}: {why}")
    d = Path(tempfile.mkdtemp(prefix="bench_rev_"))
    atexit.register(shutil.rmtree, d, True)
    package, _, leaf = f"evfocus_live.{module}".rpartition(".")
    name = f"_rev_{len(_LOADED)}_{leaf}"  # (two revisions of one module: two names)
    (d / f"{name}.py").write_text(src.stdout)
    spec = importlib.util.spec_from_file_location(f"{package}.{name}", d / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    _LOADED[rev, module] = mod
    return mod
