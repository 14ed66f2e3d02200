"""Open any event source by path or camera name.

File formats are detected by content (magic bytes / header), the extension only
breaking ties; cameras are named (``davis346``, ``dvxplorer``, ``prophesee``, ``sim``,
``auto``). Backends come from the ``evfocus_live.sources`` entry-point group.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from ..errors import DeviceError, EvFocusError, InputError, first_line
from ..plugins import SOURCES, Registry
from .base import MAX_SENSOR_SIDE, EventSource, SourceInfo

log = logging.getLogger(__name__)

__all__ = ["EventSource", "SourceInfo", "open_source", "open_file", "detect_format",
           "source_registry", "CAMERA_NAMES"]

CAMERA_NAMES = ("davis346", "dvxplorer", "prophesee", "sim", "auto")

_registry: Registry | None = None

#: the option that takes a model in the command running (a checkpoint given as the recording is
#: told to go there): ``evfocus eval`` has ``--models``, where "give it with --model" was wrong
_MODEL_OPTION: ContextVar[str] = ContextVar("model_option", default="--model")


@contextmanager
def model_option(name: str):
    """Within it, a checkpoint given as the recording is told to be given with ``name``."""
    token = _MODEL_OPTION.set(name)
    try:
        yield
    finally:
        _MODEL_OPTION.reset(token)


def source_registry() -> Registry:
    """The process-wide registry of source backends (built-ins and plugins)."""
    global _registry
    if _registry is None:
        _registry = Registry(SOURCES)
    return _registry


def _file_backends() -> dict[str, type[EventSource]]:
    reg = source_registry()
    out = {}
    for name, cls in reg.load_all().items():
        if isinstance(cls, type) and issubclass(cls, EventSource) and not cls.is_live and cls.extensions:
            out[name] = cls
    return out


def file_extensions() -> list[str]:
    """Every extension a file backend claims, built-ins and plugins (the open dialog's filter)."""
    return sorted({e for cls in _file_backends().values() for e in cls.extensions})


def _check_regular(path: Path) -> None:
    """Refuse pipes, devices and sockets before opening them: opening a FIFO blocks until a
    writer comes, and sniffing would consume the head that the reader then reopens for."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    if stat.S_ISREG(mode):
        return
    kind = ("a pipe" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a file")
    raise InputError(f"{path}: not a regular file ({kind}); save the stream to a file first")


def _broken_link(path: Path) -> str:
    """Why a symbolic link that exists leads to no file."""
    try:
        target = os.readlink(path)
        path.resolve(strict=True)
    except RuntimeError:  # (Python < 3.13: a loop)
        return "a symbolic link that loops (it leads back to itself)"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link that loops (it leads back to itself)"
        return f"a symbolic link to {target}, which is not there (a drive or share not mounted?)"
    return f"a symbolic link to {target}, which cannot be read"


#: an input given as '' (``evfocus info "$REC"`` with REC unset)
EMPTY_NAME = "empty file name given as the input (an unset variable?)"


def detect_format(path: str | Path) -> tuple[str, type[EventSource]]:
    """(format name, backend class) for a file, by content first, then extension."""
    if isinstance(path, str) and not path:  # Path('') is '.': "is a directory" named no input
        raise InputError(EMPTY_NAME)
    path = Path(path)
    if str(path) == "-" and not path.exists():  # Unix tools' "standard input": "-: no such file" named no way on
        raise InputError("-: standard input is not read (a stream cannot be sought); save it to a file first")
    if not path.exists():
        if str(path) in CAMERA_NAMES:  # `evfocus reconstruct sim`: these commands read files only
            raise InputError(f"{path}: no such file ({path} is a camera; this command reads recordings: "
                             f"evfocus-live --camera {path} --record {path}.aedat4 makes one)")
        if path.is_symlink():  # a link to a drive not mounted, a loop: "no such file" named neither
            raise InputError(f"{path}: {_broken_link(path)}")
        raise InputError(f"{path}: no such file{near_name_hint(path)}")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an event file")
    _check_regular(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    if not head:
        raise InputError(f"{path}: file is empty")
    backends = _file_backends()
    if not backends:  # (not "unknown event file format (supported: )": none could load)
        raise InputError(f"{path}: {_no_reader_why()}")
    # text claims any text .txt/.csv by its extension: ask it last, after the plugins' sniffers
    order = sorted(backends.items(), key=lambda kv: kv[0] == "text")
    crashed = []  # "name: why" of each sniffer that raised
    for name, cls in order:
        try:
            if cls.sniff(head, path):
                return cls.content_format(head, path) or name, cls
        except Exception as exc:  # a sniffer must never crash detection
            log.debug("sniffer %s failed on %s", name, path, exc_info=True)
            crashed.append(f"{name} raised {type(exc).__name__}: {first_line(exc, '')}".rstrip(": ")[:160])
    refused = _refused_format(head, path)
    if refused:
        raise InputError(f"{path}: {refused}")
    # a plugin's sniff() that raised (a missing @classmethod) was told as "not a valid ... file"
    why = f" (sniff(head, path) of {'; '.join(crashed)})" if crashed else ""
    ext = path.suffix.lower()
    claimed = [n for n, c in backends.items() if ext in c.extensions]
    if claimed:  # one backend may read several formats (RAW: evt2/evt3): name them all
        raise InputError(f"{path}: content is not a valid {'/'.join(claimed)} file{why}")
    raise InputError(f"{path}: unknown event file format (supported: "
                     f"{', '.join(sorted({e for c in backends.values() for e in c.extensions}))}){why}")


def _no_reader_why() -> str:
    """Why no event file reader loaded: numba's settings file where it is what broke them,
    else the first reader's load error."""
    from ..numba_cache import numba_config_problem

    problem = numba_config_problem()
    if problem:
        return f"no event file reader could be loaded: {problem}"
    failures = source_registry().failures
    name, why = next(iter(failures.items()), ("", ""))
    return "no event file reader could be loaded" + (f" ({name}: {why})" if name else "")


def near_name_hint(path: Path) -> str:
    """`` (did you mean DIR/NAME?)`` for a file of a name alike beside a missing one (a typo in
    a long recording name; also a training config, settings or timestamps file), else ''; a
    folder of more than 10,000 entries is not searched."""
    import difflib
    import itertools

    try:
        with os.scandir(path.parent if str(path.parent) else ".") as it:
            names = [e.name for e in itertools.islice(it, 10_001) if e.is_file()]
    except OSError:
        return ""
    if len(names) > 10_000:
        return ""
    near = difflib.get_close_matches(path.name, names, n=1, cutoff=0.8)
    return f" (did you mean {path.parent / near[0]}?)" if near else ""


def _utf16_text(head: bytes) -> bool:
    """Whether ``head`` (after a UTF-16 byte order mark) is plain ASCII text in UTF-16: a first
    character that is not a digit (a '# note' or a 't,x,y,p' line, both read in UTF-8) was
    "content is not a valid text file"."""
    sample = head[2:258]
    sample = sample[:len(sample) // 2 * 2]
    try:
        text = sample.decode("utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be")
    except UnicodeDecodeError:
        return False
    return bool(text.strip()) and all(c.isascii() and (c.isprintable() or c in "\r\n\t") for c in text)


def _torch_pickle(head: bytes, path: Path) -> bytes:
    """The pickle of a ``torch.save`` file (its ``data.pkl``, at most 1 MiB: tensors are stored
    apart), whose keys tell a model (``state_dict``, a state_dict's ``_metadata``) from saved
    events; for the old format, the head; b'' where the zip cannot be read."""
    import zipfile

    if not head.startswith(b"PK\x03\x04"):
        return head
    try:
        with zipfile.ZipFile(path) as z:
            name = next((n for n in z.namelist() if n.endswith("data.pkl")), None)
            if name is None:
                return b""
            with z.open(name) as fh:
                return fh.read(1 << 20)
    except (OSError, ValueError, RuntimeError, zipfile.BadZipFile):  # (cut short, encrypted: say checkpoint)
        return b""


_VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv"})
_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"})


#: ISO-BMFF (``ftyp``) brands of still images: HEIF/HEIC (iPhone photos) and AVIF; other brands
#: (isom, mp42, qt, 3gp, ...) are videos
_IMAGE_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
                           b"avif", b"avis"})


def _picture_kind(head: bytes, path: Path) -> str | None:
    """'a video' or 'an image' for a file that is one by its first bytes, else by its name
    (bytes of no picture: a damaged one), else None. Content first: a HEIC/AVIF photo (an
    ``ftyp`` box, as MP4's) was "a video", and a file named ``.mp4`` holding a PNG "a video"."""
    if head[4:8] == b"ftyp":
        return "an image" if head[8:12] in _IMAGE_BRANDS else "a video"
    if head.startswith(b"\x1a\x45\xdf\xa3") or (head.startswith(b"RIFF") and head[8:12] == b"AVI "):
        return "a video"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8")) or (
            head.startswith(b"RIFF") and head[8:12] == b"WEBP") or head.startswith((b"II*\0", b"MM\0*")):
        return "an image"
    ext = path.suffix.lower()
    if ext in _VIDEO_SUFFIXES:
        return "a video"
    if ext in _IMAGE_SUFFIXES | {".heic", ".heif", ".avif"}:
        return "an image"
    return None


def _refused_format(head: bytes, path: Path) -> str | None:
    """Why a known format no backend reads is refused, and what to do, else None: these files
    were "unknown format" (or "not a valid aedat4 file" when renamed), which named no way on."""
    m = re.match(rb"#!AER-DAT(\d+\.\d+)", head)
    if m:
        version = m[1].decode("ascii")
        who = "jAER/cAER" if version.startswith(("2.", "3.")) else "an AEDAT writer"
        return (f"AEDAT {version} ({who}) is not read, only AEDAT 4.0 (DV): convert it to AEDAT 4.0, "
                "or to a t,x,y,p .npy/.txt event list")
    if head.startswith(b"% ") and not re.search(rb"^% (evt|format) ", head, re.M) and (
            re.search(rb"^% (Version \d|Data file containing)", head, re.M) or path.suffix.lower() == ".dat"):
        # Prophesee's older container (Gen1/1 Mpx datasets, metavision_file_to_dat): a "% " header
        # like RAW's, then 8-byte events; it was "unknown event file format" (renamed: "not evt2/evt3")
        return ("Prophesee DAT is not read, only Prophesee RAW (EVT 2.0/3.0): record RAW, or convert it "
                "to a t,x,y,p .npy event list (e.g. expelliarmus: np.save('rec.npy', "
                "Wizard(encoding='dat').read('rec.dat')))")
    if path.suffix.lower() in (".pt", ".pth") or head.startswith(b"PK\x03\x04") and b"data.pkl" in head[:512]:
        # torch.save's zip (`evfocus-live runs/my/final.pt`: the positional is the recording)
        pkl = _torch_pickle(head, path)
        if pkl and not re.search(rb"state_dict|_metadata", pkl):
            # (events saved as a tensor were "a model checkpoint ... give it with --model")
            return ("is a PyTorch file (torch.save) holding no model, not an event recording: save the events "
                    "as a t,x,y,p .npy (np.save('rec.npy', events.numpy()))")
        return (f"is a model checkpoint, not an event recording: give it with {_MODEL_OPTION.get()} "
                "(evfocus info describes it)")
    if path.suffix.lower() in (".toml", ".yaml", ".yml"):  # (`evfocus-live lab.toml`)
        return ("is a settings or training config, not an event recording: the viewer and evfocus reconstruct "
                "take settings with --config; evfocus train takes a training config")
    picture = _picture_kind(head, path)
    if picture:  # (`evfocus info out.mp4`: the reconstruction's --video, or a camera's frames)
        return (f"is {picture}, not an event recording: give the events it was made from (.aedat4, .raw, "
                ".h5, .npy, .npz, .txt/.csv); evfocus simulate --images makes scenes of pictures and videos")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) and _utf16_text(head):
        # Windows PowerShell 5's `>` and Out-File write UTF-16: a text event list of NUL-padded digits
        return "is UTF-16 text (Windows PowerShell's `>` writes it): save it as UTF-8 or ASCII"
    return None


def open_file(path: str | Path, **kwargs) -> EventSource:
    """Open a recording with the backend that recognises its content."""
    name, cls = detect_format(path)
    if _is_ours(cls):
        return cls(Path(path), **kwargs)
    try:
        src = cls(Path(path), **kwargs)
    except EvFocusError:
        raise
    except Exception as exc:  # a plugin's parser (a ValueError from np.loadtxt): a traceback out of info
        raise InputError(f"{path}: the {name} reader ({cls.__module__}:{cls.__qualname__}) failed: "
                         f"{type(exc).__name__}: {first_line(exc, '')}".rstrip(": ")) from exc
    return _sized(src, str(path))


def _is_ours(cls: type) -> bool:
    return cls.__module__.startswith(__package__.rpartition(".")[0] + ".")


def _sized(src: EventSource, who: str) -> EventSource:
    """``src`` once a plugin's ``width`` and ``height`` are whole pixels (the built-ins check
    their own headers): one left unset (the base class's 0) or None was a ``TypeError``
    traceback from ``int()`` in ``evfocus info``, ``reconstruct`` and the viewer."""
    if _is_ours(type(src)):
        return src
    w, h = getattr(src, "width", None), getattr(src, "height", None)
    try:
        ok = all(int(v) == v and 0 < int(v) <= MAX_SENSOR_SIDE for v in (w, h))
    except (TypeError, ValueError, OverflowError):
        ok = False
    if ok:
        return src
    try:
        src.close()
    except Exception:  # its fault is already being reported
        log.debug("close() of %s failed", who, exc_info=True)
    cls = type(src)
    err = DeviceError if getattr(src, "is_live", False) else InputError
    raise err(f"{who}: source {cls.__module__}:{cls.__qualname__} gave sensor size {w!r} x {h!r}; "
              f"width and height must be whole pixels in 1..{MAX_SENSOR_SIDE} once it is built")


def camera_names() -> list[str]:
    """Every camera name ``open_source`` takes: ``CAMERA_NAMES``, then live plugin sources."""
    live = [n for n, c in source_registry().load_all().items() if getattr(c, "is_live", False)]
    return [*CAMERA_NAMES, *(n for n in live if n not in CAMERA_NAMES)]


def open_source(spec: str | Path, **kwargs) -> EventSource:
    """Open a camera by name (``CAMERA_NAMES`` or a plugin name) or a file by path (its
    format found from its content); a context manager. A missing file or unknown camera
    is an :class:`InputError` (a bare word that is neither lists the camera names)."""
    s = str(spec)
    reg = source_registry()
    if s in CAMERA_NAMES or (s in reg.names() and not Path(s).is_file()):
        if s == "auto":
            from .autodetect import open_any_camera
            return open_any_camera(**kwargs)
        try:
            cls = reg.load(s)
        except KeyError:
            reason = reg.failures.get(s, "not installed")
            raise InputError(f"source {s!r} is unavailable: {reason}") from None
        if getattr(cls, "is_live", False):
            return _sized(cls(camera=s, **kwargs) if s in ("davis346", "dvxplorer") else cls(**kwargs), s)
    p = Path(s)
    if not p.suffix and len(p.parts) == 1 and not p.exists():  # a camera's name, mistyped?
        raise InputError(f"{s}: no such file, nor a camera (cameras: {', '.join(camera_names())})")
    return open_file(s, **kwargs)
