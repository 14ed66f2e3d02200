"""``python -m evfocus_live.cli``: the ``evfocus`` tools, as ``python -m evfocus_live`` (the
package name alone said "cannot be directly executed", exit 1)."""

import sys

from . import main

sys.exit(main())
