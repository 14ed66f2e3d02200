"""``evfocus`` command line: one module per subcommand.

Each subcommand module defines ``add_parser(subparsers)`` (cheap: no heavy imports)
and ``run(args) -> int``. Any :class:`~evfocus_live.errors.EvFocusError` ends the
command with one line on stderr and exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from ..errors import EvFocusError

#: subcommand name -> module; a module that is not there yet is skipped
SUBCOMMANDS = {
    "info": "evfocus_live.cli.info",
    "reconstruct": "evfocus_live.cli.reconstruct",
    "simulate": "evfocus_live.cli.simulate",
    "train": "evfocus_live.cli.train",
    "eval": "evfocus_live.cli.evaluate",
    "bench": "evfocus_live.cli.bench",
}

EXIT_USER_ERROR = 2


def setup_logging(verbose: int = 0, quiet: bool = False) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evfocus", description="evfocus-live tools: sharp frames from out-of-focus event streams.")
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose, args.quiet)
    try:
        return int(args._run(args) or 0)
    except EvFocusError as exc:
        print(f"evfocus {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(f"evfocus {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
