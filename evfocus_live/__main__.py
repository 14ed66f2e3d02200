"""``python -m evfocus_live``: the ``evfocus`` tools (:func:`evfocus_live.cli.main`), where the
script is not on PATH."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C at once: one line and 130, as later (not a traceback and death by SIGINT)
    print("evfocus: interrupted", file=sys.stderr)
    eval("None")  # noqa: S307 (see cli.interrupted: a Ctrl-C inside an exec is not "unhandled")
    sys.exit(130)

sys.exit(main())
