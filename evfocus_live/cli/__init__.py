"""``evfocus`` command line: one module per subcommand.

Each subcommand module defines ``add_parser(subparsers)`` (cheap: no heavy imports)
and ``run(args) -> int``. Any :class:`~evfocus_live.errors.EvFocusError` ends the
command with one line on stderr and exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from .. import __version__
from ..errors import EvFocusError
from .options import glue_dash_values

#: subcommand name -> module; a module that is not there yet is skipped
SUBCOMMANDS = {
    "info": "evfocus_live.cli.info",
    "reconstruct": "evfocus_live.cli.reconstruct",
    "simulate": "evfocus_live.cli.simulate",
    "train": "evfocus_live.cli.train",
    "eval": "evfocus_live.cli.evaluate",
    "bench": "evfocus_live.cli.bench",
}

#: ``python -m evfocus_live`` is this tool: its help never named the viewer, a separate command
VIEWER_EPILOG = ("the live viewer is a separate command:\n"
                 "  evfocus-live --help    (without the script on PATH: python -m evfocus_live.gui.app --help)")

EXIT_USER_ERROR = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a Unix tool stopped by a closed pipe


def setup_logging(verbose: int = 0, quiet: bool = False) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evfocus", description="evfocus-live tools: sharp frames from out-of-focus event streams.",
        epilog=VIEWER_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, modname in SUBCOMMANDS.items():
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            if exc.name == modname:
                continue
            raise
        p = mod.add_parser(sub)
        p.set_defaults(_run=mod.run)
    return parser


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so Python's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real stdout (e.g. captured by pytest)
        pass


class _NamedStdout:
    """sys.stdout whose errors name it: a failed print() has no file name of its own."""

    def __init__(self, stream):
        self._stream = stream

    def _named(self, fn, *a):
        try:
            return fn(*a)
        except OSError as exc:
            if exc.filename is None:
                exc.filename = "stdout"
            raise

    def write(self, text):
        return self._named(self._stream.write, text)

    def flush(self):
        return self._named(self._stream.flush)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(glue_dash_values(argv))
    setup_logging(args.verbose, args.quiet)
    stdout, sys.stdout = sys.stdout, _NamedStdout(sys.stdout)
    try:
        rc = int(args._run(args) or 0)
        sys.stdout.flush()  # a full disk or closed pipe shows here, not in Python's exit flush
        return rc
    except EvFocusError as exc:
        print(f"evfocus {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(f"evfocus {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `evfocus info F | head -1`: the reader left; quietly, as Unix tools do
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:  # safety net for what the up-front checks could not foresee (disk full...)
        print(f"evfocus {args.command}: error: {exc.filename or 'output'}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        sys.stdout = stdout


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
