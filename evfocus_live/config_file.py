"""Settings files: the typed configs (window, model, post-processing) in one TOML file that
the viewer saves (File > Save settings ...) and loads (File > Load settings ...), and
``evfocus-live --config`` and ``evfocus reconstruct --config`` read, options given on the
command line winning over it.

A lab keeps its window, model and filter choices in one file for the viewer and the
batch runs; until now each run took them from its command line only, and the viewer kept
none. The file names its format version (:data:`VERSION`); a key this version does not know,
a value of the wrong type, a file another version wrote or one that cannot be read or written
is one :class:`~evfocus_live.errors.ConfigError` line naming the file and the key; so is a
model, step or step option this install does not have (:func:`check_settings`, before a run).

Example (every key optional; a key left out takes the default)::

    version = 1
    [window]
    mode = "duration"        # events | duration | adaptive | timestamps
    window_ms = 20.0
    roi = [0, 0, 128, 96]    # x, y, w, h
    [model]
    name = "evfocus"
    device = "auto"
    compare = "e2vid"        # the viewer's second pane (--compare); "none": none (left out: kept as it is)
    [post]
    steps = ["auto_hdr", "median"]
    [post.options.median]
    ksize = 5
    [sim]
    images = ["my_photos/", "walk.mp4"]   # the viewer's simulated camera, as --images
    [display]
    palette = "gray"         # the viewer's event colours (--palette): dark | light | white | gray | coolwarm, any case
                             # (left out: kept as it is; the viewer always saves it)
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import logging
import math
import os
import re
import threading
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from .config import DisplayConfig, ModelConfig, PostConfig, SimCameraConfig, WindowConfig
from .errors import ConfigError, EvFocusError, read_user_text

log = logging.getLogger(__name__)

#: the settings file format this version reads and writes
VERSION = 1

#: said after an unknown key or section like none known: a version adds keys without a new
#: ``version`` ([sim] came in version 1), so a newer viewer's file reads as holding a typo
_NEWER = "; saved by a newer evfocus-live? upgrade evfocus-live, or delete it from the file"

#: the sections a settings file may hold and the config each becomes
SECTIONS: dict[str, type] = {"window": WindowConfig, "model": ModelConfig, "post": PostConfig,
                             "sim": SimCameraConfig, "display": DisplayConfig}


@dataclass(frozen=True)
class Settings:
    """What a settings file holds. ``given``: the ``(section, key)`` pairs the file set (the
    rest are defaults), so that a command applies only those over its own defaults."""

    window: WindowConfig = field(default_factory=WindowConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    post: PostConfig = field(default_factory=PostConfig)
    #: the viewer's simulated camera (``evfocus reconstruct`` reads no camera: it ignores it)
    sim: SimCameraConfig = field(default_factory=SimCameraConfig)
    #: the viewer's event colours (``evfocus reconstruct --side-by-side`` takes its own ``--palette``)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    given: frozenset = frozenset()

    def has(self, section: str, key: str | None = None) -> bool:
        """Whether the file set ``section.key`` (any key of ``section`` without one)."""
        return any(s == section and (key is None or k == key) for s, k in self.given)


def _type_text(hint) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return "one of " + ", ".join(map(json.dumps, args))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_text(a) for a in args if a is not type(None))
    if origin is tuple:
        return "a list of strings" if args[:1] == (str,) else f"a list of {len(args)} whole numbers"
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a string",
            dict: "a table"}.get(hint, str(hint))


def _fits(value, hint) -> bool:
    """Whether a TOML ``value`` is of type ``hint`` (a config field's annotation)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return value in args
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, a) for a in args if a is not type(None))
    if origin is tuple:
        if not isinstance(value, list):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_fits(v, args[0]) for v in value)
        return len(value) == len(args) and all(_fits(v, a) for v, a in zip(value, args))
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, hint)


def _taken_as_named(cls: type, key: str, value, hint) -> bool:
    """Whether ``cls`` takes the string ``value`` as one of its ``Literal`` field ``key``'s names
    (``DisplayConfig`` takes a palette in any case): the file then takes what Python and the
    command line take (``palette = "CoolWarm"``, as Metavision writes it, was refused)."""
    if typing.get_origin(hint) is not typing.Literal or not isinstance(value, str):
        return False
    try:
        return getattr(cls(**{key: value}), key) in typing.get_args(hint)
    except (ConfigError, TypeError, ValueError):
        return False


def _section(path: Path, name: str, table, cls: type):
    """``cls`` made from the TOML ``table`` of section ``name``, each key checked."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{name}] must be a table of settings, got {table!r}")
    hints = typing.get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls)]
    kw = {}
    for key, value in table.items():
        if key not in known:
            near = difflib.get_close_matches(key, known, n=1)
            raise ConfigError(f"{path}: unknown setting [{name}] {key}"
                              + (f" (did you mean {near[0]}?)" if near else f" (known: {', '.join(known)}){_NEWER}"))
        if not _fits(value, hints[key]) and not _taken_as_named(cls, key, value, hints[key]):
            raise ConfigError(f"{path}: [{name}] {key} must be {_type_text(hints[key])}, got {value!r}")
        kw[key] = tuple(value) if isinstance(value, list) else value
    try:
        return cls(**kw)
    except ConfigError as exc:
        raise ConfigError(f"{path}: [{name}] {exc}") from None


def _precision_as_chosen(model: dict) -> dict:
    """``[model] precision`` without ``half``: the viewer's choice (auto | fp32 | bf16 | fp16), as
    ``--precision`` reads it. ``ModelConfig`` keeps fp16 as ``precision = "fp32"`` with ``half``,
    whose default is true: a hand-written ``precision = "fp32"`` ran fp16 on a GPU."""
    from .gui.precision import PRECISION_CHOICES, with_precision  # (Qt-free: the choices and their meaning)

    if model["precision"] not in PRECISION_CHOICES:
        return model  # (ModelConfig's own line names the value)
    cfg = with_precision(ModelConfig(), model["precision"])
    return {**model, "precision": cfg.precision, "half": cfg.half}


def load_settings(path: str | Path) -> Settings:
    """The settings in ``path``; a ConfigError line naming the file (and key) for one that is
    missing, unreadable, not TOML, of another version, or holds an unknown key or a bad value."""
    path = Path(path)
    text = read_user_text(path, "settings")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        hint = {".ini": "; the viewer's own evfocus-live.ini (recent files, the window's place) is not one: "
                        "File > Save settings ... writes a settings file",
                ".json": "; settings files are TOML (README \"Settings files\")"}.get(path.suffix.lower(), "")
        raise ConfigError(f"{path}: not a TOML settings file: {exc}{hint}") from None
    version = data.pop("version", VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ConfigError(f"{path}: version must be a whole number ({VERSION}), got {version!r}")
    if version > VERSION:
        raise ConfigError(f"{path}: settings version {version} was written by a newer evfocus-live; this one "
                          f"reads version {VERSION} (upgrade evfocus-live, or save the settings again from this one)")
    if version < VERSION:
        raise ConfigError(f"{path}: settings version {version} is older than any this evfocus-live reads "
                          f"({VERSION}); write 'version = {VERSION}' and check the keys against README "
                          "\"Settings files\"")
    for name in data:
        if name not in SECTIONS:
            near = difflib.get_close_matches(name, list(SECTIONS), n=1)
            raise ConfigError(f"{path}: unknown section [{name}]"
                              + (f" (did you mean [{near[0]}]?)" if near else f" (known: version, "
                                 f"{', '.join(f'[{s}]' for s in SECTIONS)}){_NEWER}"))
    model = data.get("model")
    if isinstance(model, dict) and "precision" in model and "half" not in model:
        data["model"] = _precision_as_chosen(model)
    made = {name: _section(path, name, data.get(name, {}), cls) for name, cls in SECTIONS.items()}
    made["window"], made["model"], made["sim"] = _files_beside(path, made["window"], made["model"], made["sim"])
    opts = made["post"].options
    bad = [k for k, v in opts.items() if not isinstance(v, dict)]
    if bad:
        raise ConfigError(f"{path}: [post.options.{bad[0]}] must be a table of the step's options, "
                          f"got {opts[bad[0]]!r}")
    given = frozenset((s, k) for s in SECTIONS for k in data.get(s, {}))
    return Settings(window=made["window"], model=made["model"], post=made["post"], sim=made["sim"],
                    display=made["display"], given=given)


def check_settings(path: str | Path, settings: Settings, given: set[str] = frozenset()) -> None:
    """The model and post-processing the file ``settings`` names, checked before a run uses
    them (nothing loaded, nothing kept), except those an option in ``given`` replaces: found
    only when the run built them, an unknown model or a wrong step option was a line naming
    neither the file nor the key. (Not in :func:`load_settings`: a file names a checkpoint or
    a plugin another machine has, and reads back the same here.)"""
    from .core.postprocess import build_postprocessors
    from .plugins import POSTPROCESSORS, Registry

    from .nn.registry import check_model_name

    for key in ("name", "compare"):
        name = getattr(settings.model, key)
        if name is None or not settings.has("model", key) or set(CLI_DESTS[("model", key)]) & set(given):
            continue
        try:
            check_model_name(name)
        except EvFocusError as exc:
            raise ConfigError(f"{path}: [model] {key}: {exc}") from None
    post = settings.post
    reg = Registry(POSTPROCESSORS)
    for name in () if "post" in given else post.steps:
        try:
            build_postprocessors([name], registry=reg)
        except ConfigError as exc:
            raise ConfigError(f"{path}: [post] steps: {exc}") from None
    for name, opts in post.options.items():
        if name not in post.steps and name in reg.failures:
            continue  # (options kept for a plugin this machine cannot load, and not run)
        if name not in post.steps and name not in reg.names():
            near = difflib.get_close_matches(name, reg.names(), n=1)
            raise ConfigError(f"{path}: unknown section [post.options.{_key(name)}]: no post-processor {name!r}"
                              + (f" (did you mean {near[0]}?)" if near else f" (available: {', '.join(reg.names())})"))
        try:
            build_postprocessors([name], {name: opts}, registry=reg)
        except ConfigError as exc:
            raise ConfigError(f"{path}: [post.options.{_key(name)}] {exc}") from None


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _string(text: str) -> str:
    """``text`` as a TOML basic string. Not json.dumps alone: its ``\\ud83d\\ude00`` for a
    character beyond U+FFFF (an emoji in a folder's name) is no TOML escape, and the file the
    viewer saved could not be read back; TOML also escapes DEL, which JSON leaves raw."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(k: str) -> str:
    return k if _BARE_KEY.fullmatch(k) else _string(k)


def _value(v) -> str | None:
    """``v`` as TOML (None: no TOML value, left out, so the default stands)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")) if not math.isfinite(v) else repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (list, tuple)):
        items = [_value(x) for x in v]
        return None if None in items else "[" + ", ".join(items) + "]"
    if isinstance(v, os.PathLike):
        return _string(os.fspath(v))
    return None


def settings_text(window: WindowConfig, model: ModelConfig, post: PostConfig,
                  sim: SimCameraConfig | None = None, display: DisplayConfig | None = None) -> str:
    """The TOML a settings file holds for these configs (every field but the unset ones, except
    ``[model] compare``: "none" said; ``[sim]`` only where its camera draws from pictures,
    ``[display]`` where given, ``dark`` too).

    A file without ``[display]`` leaves the palette as it is, as any key left out does (it set
    ``dark`` on a viewer showing another palette, a hand-written ``[window]``-only file too), so
    the viewer's own file says its palette whatever it is: ``dark`` left out (for a viewer older
    than ``[display]``, which refuses the section) loaded back into a viewer showing ``gray``
    stayed gray. Those older viewers refuse these files anyway, for the ``[model] compare`` always
    written, but for the development builds of the hour between the two keys (0.1.0 all)."""
    lines = ["# evfocus-live settings: evfocus-live --config FILE, evfocus reconstruct --config FILE",
             "# (options given on the command line win over these)", f"version = {VERSION}"]
    sections = [("window", window), ("model", model), ("post", post)]
    sections += [("sim", sim)] if sim is not None and sim.images else []
    sections += [("display", display)] if display is not None else []
    for name, cfg in sections:
        lines += ["", f"[{name}]"]
        for f in dataclasses.fields(cfg):
            if f.name == "options":
                continue
            text = _value(getattr(cfg, f.name))
            if text is None and (name, f.name) == ("model", "compare"):
                # (left out, a viewer comparing kept its compare model when the file was loaded)
                text = _string("none")
            if text is not None:
                lines.append(f"{f.name} = {text}")
    for step, opts in post.options.items():
        if not opts:
            continue
        lines += ["", f"[post.options.{_key(step)}]"]
        lines += [f"{_key(k)} = {t}" for k, v in opts.items() if (t := _value(v)) is not None]
    return "\n".join(lines) + "\n"


def _absolute_files(window: WindowConfig, model: ModelConfig) -> tuple[WindowConfig, ModelConfig]:
    """A checkpoint or timestamps file named relative to the folder the viewer ran in, as an
    absolute path: read from another folder, the file named ``./mine.pt`` was not there."""
    model = dataclasses.replace(model, name=absolute_model_file(model.name), compare=absolute_model_file(model.compare))
    if window.timestamps_path:
        window = dataclasses.replace(window, timestamps_path=str(Path(window.timestamps_path).expanduser().absolute()))
    return window, model


def absolute_model_file(name: str | None) -> str | None:
    """A model named by a checkpoint's path relative to the current folder, as the absolute
    path (a name, a plugin's or a shipped one, as it is): kept for a run from another folder."""
    return str(Path(name).expanduser().absolute()) if _looks_like_file(name) else name


def _looks_like_file(name: str | None) -> bool:
    if name is None:
        return False
    return name.endswith((".pt", ".pth")) or "/" in name or os.sep in name


def _files_beside(path: Path, window: WindowConfig, model: ModelConfig,
                  sim: SimCameraConfig) -> tuple[WindowConfig, ModelConfig, SimCameraConfig]:
    """A relative checkpoint, timestamps file or ``[sim]`` picture (folder, video) that is not in
    the current folder but beside the settings file, taken from there: settings saved before the
    viewer wrote absolute paths (and hand-written ones) name it as seen from the folder they were
    made in, usually the file's own; run from elsewhere, the model was 'not found'."""
    def beside(name: str, what: str) -> str:
        p = Path(name).expanduser()
        if p.is_absolute() or not (path.parent / p).exists():
            return name
        if p.exists():  # (the current folder wins, as documented; said where the two differ)
            if p.resolve() != (path.parent / p).resolve():
                log.warning("%s: %s %s taken from the current folder (%s), not the one beside the settings "
                            "file (%s)", path, what, name, p.absolute(), (path.parent / p).absolute())
            return name
        log.info("%s: %s %s taken from beside the settings file (%s)", path, what, name, path.parent / p)
        return str((path.parent / p).absolute())

    for key in ("name", "compare"):
        if _looks_like_file(getattr(model, key)):
            model = dataclasses.replace(model, **{key: beside(getattr(model, key), f"[model] {key}")})
    if window.timestamps_path:
        window = dataclasses.replace(window, timestamps_path=beside(window.timestamps_path, "[window] timestamps_path"))
    if sim.images:
        from .simulate.textures import split_frame

        def picture(name: str) -> str:  # (a video's frame, ``clip.mp4#12``: the video's path)
            file, frame = split_frame(name)
            return beside(file, "[sim] images") + ("" if frame is None else f"#{frame}")

        sim = dataclasses.replace(sim, images=tuple(picture(n) for n in sim.images))
    return window, model, sim


def sim_camera_config(images) -> SimCameraConfig:
    """The ``[sim]`` settings of a simulated camera drawing from the picture names ``images``
    (:func:`~evfocus_live.simulate.textures.user_image_names`: absolute files, ``video#k`` for a
    video's frames), as ``--images`` takes them: each video once, by its path."""
    from .simulate.textures import split_frame

    return SimCameraConfig(images=tuple(dict.fromkeys(split_frame(str(n))[0] for n in images)))


def save_settings(path: str | Path, window: WindowConfig, model: ModelConfig, post: PostConfig,
                  sim: SimCameraConfig | None = None, display: DisplayConfig | None = None) -> Path:
    """Write the settings to ``path`` (whole or not at all: a temporary file renamed over it);
    a folder that is missing or cannot be written is one ConfigError line naming it. Files the
    settings name (a checkpoint, a timestamps file, ``sim``'s pictures) are written as absolute paths."""
    path = Path(path)
    window, model = _absolute_files(window, model)
    text = settings_text(window, model, post, sim, display)
    folder = path.parent if str(path.parent) else Path(".")
    tmp = None
    try:
        # (not mkstemp: its file is 0600, and a lab's shared settings file was then unreadable to
        # the others; open() gives the umask's mode, as any file the user writes)
        name = folder / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(name, "x", encoding="utf-8") as fh:
            tmp = name
            fh.write(text)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:  # (a read-only or missing folder: the error names the temporary file)
        raise ConfigError(f"cannot save settings to {path}: {exc.strerror or exc}") from None
    except UnicodeEncodeError:  # (a file name whose bytes are not UTF-8, taken in as surrogates)
        raise ConfigError(f"cannot save settings to {path}: a setting is not UTF-8 text (a file name's "
                          "bytes?); rename the file it names") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return path


_WINDOW_MODE = ("window_ms", "window_events", "adaptive_ms", "at")
#: (section, key) -> the command-line options (argparse dests) that set it: given there, the
#: command line wins; a key no option sets is always the file's
CLI_DESTS: dict[tuple[str, str], tuple[str, ...]] = {
    **{("window", k): _WINDOW_MODE for k in ("mode", "window_ms", "window_events", "timestamps_path",
                                             "timestamps_aps")},
    ("window", "downsample"): ("downsample",), ("window", "roi"): ("roi",),
    ("model", "name"): ("model",), ("model", "device"): ("device",), ("model", "precision"): ("precision",),
    ("model", "half"): ("precision",), ("model", "threads"): ("threads",), ("model", "backend"): ("backend",),
    ("model", "compare"): ("compare",),
    ("post", "steps"): ("post",), ("sim", "images"): ("images",), ("display", "palette"): ("palette",),
}


def merge_settings(path: str | Path, settings: Settings, window: WindowConfig, model: ModelConfig,
                   post: PostConfig, given: set[str]) -> tuple[WindowConfig, ModelConfig, PostConfig]:
    """The command line's configs with what the file ``settings`` set, except where an option
    in ``given`` (argparse dests the command line gave) sets the same thing. A post-processing
    step's options: the file's over those in ``post``, except that ``--post`` given (its
    ``NAME:KEY=VALUE``) replaces the file's for that key. Without it ``post`` is the viewer's
    running config (File > Load settings): its options won over the file the user loaded."""
    out = []
    for name, cfg in (("window", window), ("model", model), ("post", post)):
        mine = getattr(settings, name)
        changes = {k: getattr(mine, k) for s, k in settings.given
                   if s == name and k != "options" and not set(CLI_DESTS.get((s, k), ())) & given}
        if name == "post":
            over, under = (cfg.options, mine.options) if "post" in given else (mine.options, cfg.options)
            opts = {step: dict(o) for step, o in under.items()}
            for step, o in over.items():
                opts.setdefault(step, {}).update(o)
            changes["options"] = opts
        try:
            out.append(dataclasses.replace(cfg, **changes))
        except ConfigError as exc:  # (a file key beside a command-line option: timestamps_aps and --at FILE)
            raise ConfigError(f"{path}: [{name}] with the command line's options: {exc}") from None
    return out[0], out[1], out[2]
