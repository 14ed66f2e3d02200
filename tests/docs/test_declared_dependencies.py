"""Every third-party module the package imports is declared in setup.cfg (install_requires or
an extra), so ``pip install`` of the wheel on a clean server brings it.

``PIL`` (simulate's textures, the metrics' pictures) was imported but came only because
scikit-image happens to require pillow today.
"""

from __future__ import annotations

import ast
import configparser
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: import name -> distribution name, where they differ
DIST_OF = {"PIL": "pillow", "cv2": "opencv-python-headless", "dv_processing": "dv-processing",
           "skimage": "scikit-image", "yaml": "pyyaml", "PySide6": "pyside6-essentials",
           "neuromorphic_drivers": "neuromorphic-drivers"}
#: not on PyPI: Prophesee's Metavision SDK (README: its installer), tried before neuromorphic-drivers
#: (its HAL lists the cameras attached: a lost one without a serial is looked for among them)
NOT_PIP = {"metavision_core", "metavision_hal"}


def _imports() -> set[str]:
    names = set()
    for path in (REPO / "evfocus_live").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "evfocus_live"}


def _declared() -> set[str]:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    lines = cfg["options"]["install_requires"].splitlines()
    for extra in cfg["options.extras_require"].values():
        lines += extra.splitlines()
    reqs = (line.split("#")[0].strip() for line in lines)
    return {re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0].lower().replace("_", "-") for r in reqs if r}


def test_every_imported_module_is_declared():
    declared = _declared()
    missing = {n for n in _imports() - NOT_PIP if DIST_OF.get(n, n).lower().replace("_", "-") not in declared}
    assert not missing, f"imported but not in setup.cfg: {sorted(missing)}"
