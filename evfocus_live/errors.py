"""User-facing errors: each carries one line that the CLI prints and the GUI shows.

Anything raised as an :class:`EvFocusError` ends a CLI command with that line on
stderr and exit code 2 (see :mod:`evfocus_live.cli`), never a traceback.
"""


class EvFocusError(Exception):
    """Base class; ``str(err)`` is the one line shown to the user."""


class InputError(EvFocusError):
    """An input file is missing, unknown, empty or corrupt."""


class DeviceError(EvFocusError):
    """A camera is absent, unplugged or not usable (drivers, permissions)."""


class CheckpointError(EvFocusError):
    """A model checkpoint is missing, corrupt or does not match its architecture."""


class ConfigError(EvFocusError):
    """A config file or command-line option is invalid."""


class TrainingError(EvFocusError):
    """Training could not go on (the loss diverged)."""


def first_line(exc: BaseException, default: str | None = None) -> str:
    """The first line of ``str(exc)`` for a one-line message; ``default`` (else the exception's
    type name) when it has no text. Driver and library errors can span pages."""
    line = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), None)
    return line if line is not None else (default if default is not None else type(exc).__name__)


def first_sentence(exc: BaseException, limit: int = 200) -> str:
    """The first sentence of :func:`first_line` (cut at a word past ``limit`` characters, with
    "…"), without its full stop, for a parenthesis: a cut at a fixed length ended torch's zip
    error mid-word ("... internal miniz error. If yo")."""
    import re

    out = re.split(r"(?<=[.!?])\s+", first_line(exc), maxsplit=1)[0]
    if len(out) > limit:
        out = out[:limit].rsplit(" ", 1)[0] + "…"
    return out.rstrip(".") or type(exc).__name__


def read_user_text(path, kind: str) -> str:
    """The text of a file a user named (a settings or timestamps file), or one
    :class:`ConfigError` line for each way it fails: missing (with a did-you-mean), a folder,
    unreadable, not UTF-8 text. One place, so each kind of file says its failures alike."""
    from pathlib import Path

    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")  # (a BOM: Windows Notepad's "UTF-8 with BOM")
    except FileNotFoundError:
        from .sources import near_name_hint

        raise ConfigError(f"{path}: no such {kind} file{near_name_hint(path)}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a {kind} file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {kind}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a {kind} file (not UTF-8 text)") from None
