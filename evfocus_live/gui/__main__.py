"""``python -m evfocus_live.gui``: the viewer, as ``evfocus-live`` and ``python -m
evfocus_live.gui.app`` (the package name alone said "cannot be directly executed")."""

import sys

from . import main

sys.exit(main())
