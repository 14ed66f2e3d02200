"""``evfocus`` command line: one module per subcommand.

Each subcommand module defines ``add_parser(subparsers)`` (cheap: no heavy imports)
and ``run(args) -> int``. Any :class:`~evfocus_live.errors.EvFocusError` ends the
command with one line on stderr and exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import signal
import sys
import threading

from .. import __version__
from ..config import home_expanded
from ..errors import EvFocusError
from .options import glue_dash_values, old_names, renamed_options

#: subcommand name -> module (``add_parser(subparsers)``, ``run(args) -> int``); a new command goes here
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
EXIT_INTERRUPTED = 130  # 128 + SIGINT: what a shell reports for a Unix tool stopped by Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a Unix tool stopped by a closed pipe


def setup_logging(verbose: int = 0, quiet: bool = False) -> None:
    """Our INFO (DEBUG with -v) to stderr; torch's loggers at WARNING, as torch sets them once it
    is imported: a Ctrl-C while ``import torch`` ran left them at our level, and torch's
    exit handler then logged three lines of "FakeTensor cache stats" after "interrupted"."""
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("torch").setLevel(logging.WARNING)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evfocus", description="evfocus-live tools: sharp frames from out-of-focus event streams.",
        epilog=VIEWER_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for modname in SUBCOMMANDS.values():
        # (a module not found raises: it was skipped in silence, so a misspelt new one was just missing)
        mod = importlib.import_module(modname)
        p = mod.add_parser(sub)
        # also after the command (`evfocus simulate DIR -q`, as its --help's "also with -q"
        # invites): refused there as an unrecognised argument; SUPPRESS keeps the top level's
        p.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help="more log output")
        p.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                       help="warnings and errors only")
        p.set_defaults(_run=mod.run, _parser=p)
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """``parser.parse_args``, but an unknown option after a command is that command's error, with
    its usage and the nearest option (``evfocus reconstruct ... --windowms 33`` said "evfocus:
    error: unrecognized arguments" under the top level's usage, which lists no option of it).
    A renamed option's old name (:func:`~evfocus_live.cli.options.add_old_name`) is taken too."""
    import difflib
    import shlex
    from pathlib import Path

    if argv is None:
        argv = sys.argv[1:]
    argv = [_home_after_equals(word) for word in argv]
    _refuse_file_option(parser, renamed_options(parser, argv))
    args, extra = parser.parse_known_args(renamed_options(parser, argv))
    split = _split_path(argv)
    if split:  # `--model runs/lab ft/final.pt`: "checkpoint not found: runs/lab" hid the space
        getattr(args, "_parser", parser).error(
            f"{split} is one path with a space in it, split in two by the shell: quote it ({shlex.quote(split)})")
    if extra:
        sub = getattr(args, "_parser", parser)
        hint = ""
        new_path = _split_new_output(sub, argv, args, extra)
        if new_path:  # `-o runs/new run`: "unrecognized arguments: run" alone hid the space
            hint = (f" (is the output {shlex.quote(new_path)}, one path with a space in it? the shell split it "
                    "in two: quote it)")
        for word in extra if not hint else ():
            given = _positional_as_option(sub, word)
            if given:  # `evfocus-live --file rec.aedat4`: the nearest option (--video) misled
                hint = f" ({given})"
                break
            if word.startswith("--"):
                known = [*sub._option_string_actions, *old_names(sub)]
                near = difflib.get_close_matches(word.split("=", 1)[0], known, n=1)
                if near:  # (an old name's typo: its new name, the one --help shows)
                    hint = f" (did you mean {old_names(sub).get(near[0], near[0])}?)"
                    break
            if getattr(args, "resume", False) is True and word.endswith((".pt", ".pth")):
                # `evfocus train my.toml --resume runs/b/last.pt`: the flag names no file
                hint = (f" (--resume takes no file: it goes on from OUT/last.pt; for {word}: "
                        f"--resume --out {shlex.quote(str(Path(word).parent))})")
                break
        sub.error(f"unrecognized arguments: {' '.join(extra)}{hint}")
    return args


def _split_path(argv: list[str]) -> str:
    """An existing path with spaces that the shell gave as several words (``runs/lab`` and
    ``ft/final.pt`` for ``runs/lab ft/final.pt``), or "" when there is none: the first word
    names nothing there, the words joined by spaces do. The longest such join: with ``runs/lab
    ft`` and ``runs/lab ft 2`` both there, ``runs/lab ft 2/final.pt`` was said as the folder."""
    from pathlib import Path

    for i, word in enumerate(argv):
        if word.startswith("-") or not word.strip() or os.path.lexists(word):
            continue
        joined, found = word, ""
        for nxt in argv[i + 1:i + 6]:  # (a few spaces at most)
            if nxt.startswith("-"):
                break
            joined = f"{joined} {nxt}"
            try:
                if Path(joined).expanduser().exists():
                    found = joined
            except OSError:  # (a name too long for the file system)
                break
        if found:
            return found
    return ""


#: the destinations of the commands' and the viewer's outputs (folders, and files: OUT.mp4, FILE)
_OUTPUT_DESTS = ("output", "out", "outdir", "video", "record")


def _split_new_output(parser: argparse.ArgumentParser, argv: list[str], args: argparse.Namespace,
                      extra: list[str]) -> str:
    """An output path with a space that does not exist yet (``-o runs/new run``), which
    :func:`_split_path` cannot see, or "": the output's value names nothing, the words right
    after it are ones argparse could not place and name nothing either, and joined they make a
    path in a folder that exists. A folder's words have no suffix (``-o out b.raw``: an input
    given late, not a folder "out b.raw"), a file's last one has (``--video my clip.mp4``). It
    is a guess (a new path is never there to check), so the caller words it as one."""
    from pathlib import Path

    for action in parser._actions:
        value = getattr(args, action.dest, None) if action.dest in _OUTPUT_DESTS else None
        if not isinstance(value, str) or not value.strip() or os.path.lexists(value):
            continue
        is_file = bool(action.metavar) and (action.metavar == "FILE" or "." in action.metavar)
        given = {value, *(f"{o}{eq}{value}" for o in action.option_strings for eq in ("=", ""))}
        for i, word in enumerate(argv):
            if word not in given:
                continue
            words = []
            for nxt in argv[i + 1:i + 6]:  # (a few spaces at most, as _split_path)
                if nxt not in extra or nxt.startswith("-") or os.path.lexists(nxt):
                    break
                words.append(nxt)
            if not words:
                continue
            if not (Path(words[-1]).suffix if is_file else not any(Path(w).suffix for w in words)):
                continue
            joined = " ".join([value, *words])
            try:
                if Path(joined).expanduser().parent.is_dir():
                    return joined
            except OSError:  # (a name too long for the file system)
                continue
    return ""


#: options people give a recording by (other tools' habits); ours takes it without one
_FILE_OPTIONS = ("--file", "--input", "--in", "--recording", "--rec", "-i", "-f")


def _positional_as_option(parser: argparse.ArgumentParser, word: str) -> str:
    """The hint for ``--file rec.aedat4`` given to a command that takes its recording as a
    plain argument (INPUT): "" for other words and commands."""
    if word.split("=", 1)[0] not in _FILE_OPTIONS:
        return ""
    for action in parser._actions:
        if not action.option_strings and action.dest in ("input", "inputs"):
            return f"the recording is given without an option: {parser.prog} PATH"
    return ""


def _refuse_file_option(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """``evfocus info --file=rec.aedat4``: the recording glued to an option the command does not
    have. argparse stopped at "the following arguments are required: INPUT" (the path went
    with the option), which hid the cause; said as ``--file rec.aedat4`` is now, at once."""
    sub, words = parser, argv
    commands = next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    if commands is not None:  # the command's parser: the first word that is no option names it
        i = next((i for i, w in enumerate(argv) if not w.startswith("-")), None)
        if i is None or argv[i] not in commands:
            return
        sub, words = commands[argv[i]], argv[i + 1:]
    known = sub._option_string_actions
    for word in words:
        if word == "--":
            return
        name, eq, _ = word.partition("=")
        if not eq or name in known or (name.startswith("--") and any(o.startswith(name) for o in known)):
            continue  # (an option of the command's, or a prefix argparse takes for one)
        hint = _positional_as_option(sub, word)
        if hint:
            sub.error(f"unrecognized arguments: {word} ({hint})")


def _home_after_equals(word: str) -> str:
    """``--record=~/x.aedat4`` (and ``-o~/out``, ``-o=~/out``) with the home folder for its ``~``:
    no shell expands a ``~`` after ``=`` in an argument, nor after a short option glued to it,
    and the file went to a folder named ``~`` in the current one (``--record ~/x.aedat4``, two
    words, the shell already expands)."""
    if len(word) > 2 and word[0] == "-" and word[1].isalpha():
        eq = "=" if word[2] == "=" else ""
        value = word[2 + len(eq):]
        return word[:2] + eq + home_expanded(value)
    if not word.startswith("--") or "=~" not in word:
        return word
    name, value = word.split("=", 1)
    return f"{name}={home_expanded(value)}"


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


def interrupted(who: str = "evfocus") -> int:
    """Say "interrupted" in one line; the exit status of a Ctrl-C (130).

    Also forgets a Ctrl-C that landed inside an ``exec``/``eval`` of a string (namedtuple and
    dataclass creation while modules were imported): CPython (3.11-3.13) then marks it unhandled
    even though it was caught, and kills the process with SIGINT at exit (-2, not 130); any
    later ``eval`` of a string clears that mark."""
    print(f"{who}: interrupted", file=sys.stderr)
    eval("None")  # noqa: S307 (a constant: see above)
    return EXIT_INTERRUPTED


#: imported with Ctrl-C held back (:class:`_HeldImports`): inside ``import torch`` it aborted the
#: process (pybind11: "terminate called...", -6) or died by SIGINT (-2), inside numba's it came
#: back as an ImportError ("unknown event file format", exit 2)
HELD_IMPORTS = ("torch", "numba")


class _Sigint:
    """Ctrl-C while a command runs: Python's own handler (KeyboardInterrupt), which also notes it,
    and holds it back during :meth:`held` (raised once that ends). Installed only in the main
    thread over Python's default handler (an embedding program's is left alone)."""

    def __init__(self):
        self.seen = False
        self._prev = None

    def _seen(self, signum=None, frame=None) -> None:
        self.seen = True

    def _handler(self, signum, frame):
        self._seen()
        signal.default_int_handler(signum, frame)

    def __enter__(self):
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self._prev = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc):
        if self._prev is not None:
            signal.signal(signal.SIGINT, self._prev)

    def held(self):
        """The block runs to its end; a Ctrl-C meanwhile (noted at once) is raised after it
        (nests; a second one is the same Ctrl-C: see :func:`~.signals.held_signals`)."""
        from .signals import held_signals

        return held_signals((signal.SIGINT,), second="hold", on_held=self._seen)


class _HeldImports:
    """A ``sys.meta_path`` finder: the first import of a :data:`HELD_IMPORTS` package runs with
    Ctrl-C held back, wherever a command imports it (no import ahead of need: an early error
    stays quick). It finds the package as Python does, and wraps only that spec's loader. The
    KeyboardInterrupt raised once the import has run makes importlib drop the module again: the
    command ends then anyway."""

    def __init__(self, sigint: _Sigint):
        self._sigint = sigint

    def find_spec(self, fullname, path=None, target=None):
        from importlib.machinery import PathFinder

        if fullname not in HELD_IMPORTS:
            return None
        spec = PathFinder.find_spec(fullname, path)
        if spec is None or not hasattr(spec.loader, "exec_module"):
            return None
        real, held = spec.loader.exec_module, self._sigint.held

        def exec_module(module):
            with held():
                real(module)

        spec.loader.exec_module = exec_module  # (this module's own loader object only)
        return spec


@contextlib.contextmanager
def _held_imports(sigint: _Sigint):
    finder = _HeldImports(sigint)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal: progress bars redraw with carriage returns, which a log file
    (``evfocus ... > log.txt 2>&1``, a batch job) keeps as one line of hundreds of bar copies."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # (no stderr, or a closed one)
        return False


def main(argv: list[str] | None = None) -> int:
    with _Sigint() as sigint, _held_imports(sigint):
        try:
            with sigint.held():  # the subcommands' imports (numpy...): a Ctrl-C there was a traceback and -2
                glued = glue_dash_values(argv)
                args = parse_args(build_parser(), glued)
                args._argv = glued  # (--config: which options the command line gave)
        except KeyboardInterrupt:
            return interrupted()
        setup_logging(args.verbose, args.quiet)
        if getattr(args, "no_progress", None) is False and not stderr_is_terminal():
            args.no_progress = True  # (bars only on a terminal; the result lines are said either way)
        who = f"evfocus {args.command}"
        stdout, sys.stdout = sys.stdout, _NamedStdout(sys.stdout)
        try:
            rc = int(args._run(args) or 0)
            sys.stdout.flush()  # a full disk or closed pipe shows here, not in Python's exit flush
            return rc
        except EvFocusError as exc:
            if sigint.seen:  # the error came of the Ctrl-C (a later import that swallowed it)
                return interrupted(who)
            print(f"{who}: error: {exc}", file=sys.stderr)
            return EXIT_USER_ERROR
        except KeyboardInterrupt:
            return interrupted(who)
        except BrokenPipeError:  # `evfocus info F | head -1`: the reader left; quietly, as Unix tools do
            _quiet_stdout()
            return EXIT_BROKEN_PIPE
        except OSError as exc:  # safety net for what the up-front checks could not foresee (disk full...)
            print(f"{who}: error: {exc.filename or 'output'}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USER_ERROR
        except Exception as exc:  # (simulate, bench import numba themselves: a bad .numba_config.yaml
            from ..numba_cache import config_problem_behind  # was a yaml ParserError traceback there)

            problem = config_problem_behind(exc)
            if problem is None:
                raise
            print(f"{who}: error: {problem}", file=sys.stderr)
            return EXIT_USER_ERROR
        finally:
            sys.stdout = stdout


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
