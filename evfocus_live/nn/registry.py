"""Model registry: build networks by name or from a checkpoint file.

Names: ``evfocus`` (light, the default), ``evfocus-full`` (the paper's width, trained on a
GPU), ``e2vid``, ``e2vid-full``, ``e2vid-sharp``, ``firenet`` — weights in the repository's
``models/``, which an installed package carries as ``evfocus_live/_models`` (override with
``$EVFOCUS_MODELS_DIR``) — plus any third-party entry point in
the ``evfocus_live.models`` group, or a path to a ``.pt`` checkpoint.

A checkpoint is a plain dict ``{"arch", "config", "state_dict", "meta"}`` loaded with
``torch.load(..., map_location=..., weights_only=True)``: no pickled objects, ever.
Shipped weights of the full-width models are stored int8 (per-output-channel scales in
``int8_scales``, everything else fp16) so that a 12 M-parameter network stays under 20 MB;
they are dequantised to fp32 on load.
Every failure (unknown name, missing file, corrupt bytes, wrong architecture) is a
:class:`~evfocus_live.errors.CheckpointError` with one line.
"""

from __future__ import annotations

import hashlib
import logging
import math
import numbers
import os
import warnings
from pathlib import Path
from typing import Any

import torch

from .. import __version__
from ..errors import CheckpointError, DeviceError, first_sentence
from ..versions import VERSION_KEY, newer_hint
from . import e2vid as _e2vid
from . import evfocus as _evfocus
from . import firenet as _firenet
from .e2vid import E2VID
from .evfocus import EvFocus
from .firenet import FireNet

log = logging.getLogger(__name__)

ARCHS: dict[str, type] = {"evfocus": EvFocus, "e2vid": E2VID, "firenet": FireNet}

#: each architecture's options with their defaults: any other key in a config is a typo
#: (``bse = 4`` would otherwise build the default width, silently)
ARCH_OPTIONS: dict[str, dict[str, Any]] = {"evfocus": _evfocus.DEFAULTS, "e2vid": _e2vid.DEFAULTS,
                                           "firenet": _firenet.DEFAULTS}

#: whole-number options: the least and the most each may be, and whether it must be odd (a
#: conv kernel: an even one shifts its output by half a pixel and the skips no longer add up).
#: The most is far past any useful network; it turns a typo (``num_bins = 500``) into an error
#: instead of a process killed for memory while voxel grids are cached
_INT_OPTIONS: dict[str, tuple[int, int, bool]] = {
    "num_bins": (1, 64, False), "base": (1, 1024, False), "num_encoders": (0, 8, False),
    "num_residual_blocks": (0, 64, False), "kernel": (1, 31, True), "rec_kernel": (1, 31, True),
    "cf_kernel": (1, 31, True), "num_deblur_blocks": (0, 64, False), "sigma_head": (0, 1024, False)}


#: the largest blur level a re-defocus mixture may have: its kernels reach 3 sigma, so a
#: level of 1e9 px (a typo, a corrupt checkpoint) would allocate gigabytes and kill the
#: process; the simulator's blur stops at 7 px and the shipped models' levels at 10
MAX_SIGMA_PX = 100.0


def model_config_problem(arch: str, config: dict[str, Any]) -> str | None:
    """What is wrong with ``config`` for ``arch`` in one phrase, or None: an unknown
    architecture, a key that is not one of its options (naming the known ones), or a
    size that is not a whole number in range. Callers say where (config or checkpoint)."""
    known = ARCH_OPTIONS.get(arch)
    if known is None:
        return f"unknown architecture {arch!r} (known: {', '.join(sorted(ARCHS))})"
    unknown = sorted(str(k) for k in config if k not in known)
    if unknown:
        import difflib

        # (sigma_haed: the known list alone, where [data]'s keys name the nearest)
        near = [n[0] for k in unknown for n in [difflib.get_close_matches(k, sorted(known), n=1, cutoff=0.75)] if n]
        return (f"{', '.join(unknown)} {'is not an option' if len(unknown) == 1 else 'are not options'} "
                f"of {arch} (" + (f"did you mean {', '.join(near)}? " if near else "")
                + f"known: {', '.join(sorted(known))})")
    for key, (least, most, odd) in _INT_OPTIONS.items():
        if key in config:
            v = config[key]
            if not (isinstance(v, int) and not isinstance(v, bool) and least <= v <= most and (not odd or v % 2 == 1)):
                return f"{key} must be {'an odd' if odd else 'a'} whole number from {least} to {most}, got {v!r}"
    if config.get("kernel") == 1 and config.get("num_encoders", known.get("num_encoders", 0)) > 0:
        # torch's CPU backward of a 1x1 stride-2 conv on channels-last input dies in a double free
        return ("kernel must be >= 3 with encoders (num_encoders > 0): their stride-2 conv would skip 3 of "
                "every 4 pixels, and its training crashes torch on the CPU")
    for key, default in known.items():  # "false" (or YAML's yes) would be truthy; it was caught at build time
        if isinstance(default, bool) and key in config and not isinstance(config[key], bool):
            return f"{key} must be true or false, got {config[key]!r}"
    if "sigma_dilations" in config:
        v = config["sigma_dilations"]
        if not (isinstance(v, list | tuple) and v and all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 64
                                                          for d in v)):
            return f"sigma_dilations must be whole numbers from 1 to 64 in a non-empty list, got {v!r}"
    if config.get("integrator") and not config.get("count_channel"):
        return "integrator = true needs count_channel = true (it integrates the count channel over windows)"
    if "integrator_decay" in config:  # 1 or more: the level grows without bound; 0: the count itself
        v = config["integrator_decay"]
        if not (isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1):
            return f"integrator_decay must be a number between 0 and 1 (per window, exclusive), got {v!r}"
    if "sigmas_px" in config:  # a NaN or negative blur level makes every defocus map NaN
        v = config["sigmas_px"]
        if not (isinstance(v, list | tuple) and v and all(
                isinstance(s, int | float) and not isinstance(s, bool) and math.isfinite(s) and 0 <= s <= MAX_SIGMA_PX
                for s in v)):
            return (f"sigmas_px must be a non-empty list of finite blur levels >= 0 px and <= {MAX_SIGMA_PX:g} px, "
                    f"got {v!r}")
    return None

#: shipped name -> weight file in models/ (None: config only)
SHIPPED: dict[str, str | None] = {
    "evfocus": "evfocus.pt",
    "evfocus-full": "evfocus-full.pt",
    "e2vid": "e2vid.pt",
    "e2vid-full": "e2vid-full.pt",
    "e2vid-sharp": "e2vid-sharp.pt",
    "firenet": "firenet.pt",
}

DEFAULT_MODEL = "evfocus"


#: the shipped models inside an installed package (wheel, sdist, ``pip install .``): setup.py
#: maps the repository's ``models/`` onto ``evfocus_live._models``
_PACKAGED_MODELS = Path(__file__).resolve().parents[1] / "_models"
#: the repository's ``models/``: a checkout, or an editable install (``pip install -e .``)
_CHECKOUT_MODELS = Path(__file__).resolve().parents[2] / "models"


def shipped_models_dir() -> Path:
    """The models that came with this code (weights, cards, ``configs/``): the installed
    package's copy when there is one, else the checkout's ``models/``. Ignores
    ``$EVFOCUS_MODELS_DIR``: the configs belong to this code, whatever weights are used."""
    return _PACKAGED_MODELS if _PACKAGED_MODELS.is_dir() else _CHECKOUT_MODELS


def models_dir() -> Path:
    """Where shipped weights and cards are looked up (and ``python -m evfocus_live.train.card``
    writes): ``$EVFOCUS_MODELS_DIR`` when set, else :func:`shipped_models_dir`."""
    env = os.environ.get("EVFOCUS_MODELS_DIR")
    return Path(env) if env else shipped_models_dir()


def configs_dir() -> Path:
    """The training configs of the built-in models (``models/configs`` in a checkout)."""
    return shipped_models_dir() / "configs"


_DEVICE_LOGGED: set[str] = set()


def resolve_device(device: str | torch.device = "cpu", fix: str = "use --device cpu") -> torch.device:
    """``auto`` -> CUDA when available else CPU (at DEBUG, once per process: the commands that run
    a model say what runs in their own one line, e.g. ``running evfocus on cpu in bf16``);
    an unavailable CUDA, or a device other than the CPU or CUDA, is a DeviceError. ``fix``
    ends the no-CUDA line: what the caller's user changes (an option, a config key; none: "")."""
    dev = str(device)
    if dev == "auto":
        dev = "cuda" if torch.cuda.is_available() else "cpu"
        if dev not in _DEVICE_LOGGED:
            _DEVICE_LOGGED.add(dev)
            log.debug("device auto -> %s%s", dev, f" ({torch.cuda.get_device_name(0)})" if dev == "cuda" else "")
        return torch.device(dev)
    if dev.startswith("cuda") and not torch.cuda.is_available():
        raise DeviceError(f"device {dev!r} requested but CUDA is not available" + (f" ({fix})" if fix else ""))
    try:
        out = torch.device(dev)
    except RuntimeError as exc:
        raise DeviceError(f"unknown device {dev!r} (use auto, cpu, cuda or cuda:N)") from exc
    if out.type not in ("cpu", "cuda"):  # "mps", "xpu", "meta": valid names, but nothing here runs there
        raise DeviceError(f"device {dev!r} is not supported (use auto, cpu or cuda)")
    if out.type == "cuda" and out.index is not None and out.index >= torch.cuda.device_count():
        # torch.device accepts any index; the first tensor moved there failed with a traceback
        raise DeviceError(f"device {dev!r} requested but this machine has {torch.cuda.device_count()} "
                          f"CUDA device(s) (cuda:0 .. cuda:{torch.cuda.device_count() - 1})")
    return out


def model_num_bins(model: Any, default: int = 5) -> int:
    """The voxel bins a model takes: its config's ``num_bins``, else ``default`` (a model
    without a config, e.g. a plugin's)."""
    cfg = getattr(model, "config", None)
    if not (isinstance(cfg, dict) and "num_bins" in cfg):
        return int(default)
    bins, (lo, hi, _) = cfg["num_bins"], _INT_OPTIONS["num_bins"]
    # a plugin's config is not checked like a checkpoint's: None was an int() TypeError traceback,
    # 0 a ValueError from the voxel kernel, 2.5 silently 2 bins, 10**6 a voxel grid of gigabytes
    whole = isinstance(bins, numbers.Integral) or (isinstance(bins, float) and bins.is_integer())
    if isinstance(bins, bool) or not whole or not lo <= bins <= hi:
        raise CheckpointError(f"model config['num_bins'] is {bins!r}, not a whole number of voxel bins in {lo}..{hi}")
    return int(bins)


def model_count_channel(model: Any) -> bool:
    """Whether a model's input carries the signed event-count channel after its bins (its
    ``count_channel``; False for a model without one, e.g. a plugin's): what the callers
    that build its input pass to ``core.voxel.model_voxel``."""
    return getattr(model, "count_channel", False) is True


def model_in_channels(model: Any, default_bins: int = 5) -> int:
    """The channels a model's input has: its voxel bins (:func:`model_num_bins`), plus one
    with the event-count channel."""
    return model_num_bins(model, default_bins) + model_count_channel(model)


def build_model(arch: str, config: dict[str, Any] | None = None) -> torch.nn.Module:
    """A fresh (untrained) network; raises CheckpointError (one line) for an unknown arch,
    an unknown option or a bad value (one that torch itself refuses included)."""
    cls = ARCHS.get(arch)
    config = dict(config or {})
    problem = model_config_problem(arch, config)
    if problem is not None:
        if cls is None:
            raise CheckpointError(problem)
        if any(k not in ARCH_OPTIONS[arch] for k in config):  # e.g. another architecture's checkpoint
            raise CheckpointError(f"config keys do not match architecture {arch!r}: {problem}")
        raise CheckpointError(f"invalid {arch} config: {problem}")
    try:
        return cls(config)
    except (TypeError, ValueError, KeyError, IndexError, RuntimeError, ZeroDivisionError, OverflowError) as exc:
        msg = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise CheckpointError(f"invalid {arch} config {config!r}: {msg}") from exc


def quantize_int8(sd: dict[str, torch.Tensor], min_numel: int = 1024) -> tuple[dict, dict]:
    """Symmetric per-output-channel int8 for the weight tensors (ndim >= 2, numel >=
    ``min_numel``), fp16 for the rest; returns (state_dict, scales)."""
    out, scales = {}, {}
    for k, v in sd.items():
        if v.is_floating_point() and v.ndim >= 2 and v.numel() >= min_numel:
            w = v.float()
            s = w.abs().flatten(1).amax(1).clamp_min(1e-12) / 127.0
            out[k] = torch.round(w / s.view(-1, *[1] * (w.ndim - 1))).clamp(-127, 127).to(torch.int8)
            scales[k] = s
        else:
            out[k] = v.half() if v.is_floating_point() else v
    return out, scales


def dequantize_int8(sd: dict[str, torch.Tensor], scales: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Inverse of :func:`quantize_int8` (fp32 out); ValueError when a scale does not fit."""
    out = dict(sd)
    for k, s in scales.items():
        q = sd.get(k)
        if q is None or q.dtype != torch.int8 or s.ndim != 1 or s.numel() != q.shape[0]:
            raise ValueError(f"int8 scale for {k!r} does not match its weight")
        out[k] = q.float() * s.float().view(-1, *[1] * (q.ndim - 1))
    return out


def save_checkpoint(path: str | Path, model: torch.nn.Module, meta: dict[str, Any] | None = None,
                    extra: dict[str, Any] | None = None, half: bool = False, int8: bool = False) -> Path:
    """Write ``{"arch", "config", "state_dict", "meta"}`` (plus ``extra`` keys, e.g. optimizer).
    ``half``: floats as fp16; ``int8``: weights int8 per output channel, the rest fp16."""
    model = getattr(model, "module", model)
    sd = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    scales = None
    if int8:
        sd, scales = quantize_int8(sd)
    elif half:
        sd = {k: v.half() if v.is_floating_point() else v for k, v in sd.items()}
    ckpt = {"arch": model.arch, "config": dict(model.config), "state_dict": sd, "meta": dict(meta or {})}
    if scales is not None:
        ckpt["int8_scales"] = scales
    ckpt.update(extra or {})
    ckpt[VERSION_KEY] = __version__  # (which evfocus-live wrote it: a newer file's refusal names it)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        try:
            torch.save(ckpt, tmp)
        except RuntimeError as exc:  # torch's zip writer on a full disk: "unexpected pos 704 vs 598"
            raise _save_failed(path, exc) from exc
        os.replace(tmp, path)
    except BaseException:  # OUT a folder, a full disk, Ctrl-C: leave no half-written OUT.tmp behind
        tmp.unlink(missing_ok=True)
        raise
    return path


def _save_failed(path: Path, exc: RuntimeError) -> OSError:
    """An OSError naming the file for a failed ``torch.save``, which the CLIs print as one
    line: torch reports a full disk as a RuntimeError about zip positions, and ``evfocus
    train`` ended with two tracebacks. The file at ``path`` before, if any, is untouched."""
    import errno
    import shutil

    try:
        free = shutil.disk_usage(path.parent).free  # the half-written .tmp still fills the disk here
    except OSError:
        free = None
    kept = "; the one there before, if any, is kept"
    if free is not None and free < 1 << 20:
        return OSError(errno.ENOSPC, f"no space left to write this checkpoint ({free // 1024} KB free there){kept}",
                       str(path))
    return OSError(errno.EIO, f"cannot write this checkpoint ({first_sentence(exc)}){kept}", str(path))


def _not_found_hint(shown: str) -> str:
    """Where a missing checkpoint was most likely meant: a run folder's checkpoints
    (``--model runs/my``), or the checkpoint beside it with a name alike (``finl.pt``,
    ``final``)."""
    import difflib

    given = Path(shown)
    path = given.expanduser()
    if path.is_dir():
        pts = sorted(path.glob("*.pt")) + sorted(path.glob("*.pth"))
        pts.sort(key=lambda f: (f.name not in ("final.pt", "last.pt"), f.name))
        return (f" (a folder; its checkpoints: {', '.join(str(given / f.name) for f in pts[:4])})" if pts
                else " (a folder, with no .pt checkpoint in it)")
    if not path.parent.is_dir():
        return ""
    names = sorted(f.name for f in path.parent.iterdir() if f.suffix.lower() in (".pt", ".pth") and f.is_file())
    close = difflib.get_close_matches(path.name, names, n=1, cutoff=0.6)
    close = close or [n for n in names if Path(n).stem == path.name]
    if close:
        return f" (did you mean {given.parent / close[0]}?)"
    if given.parent == Path(".") and path.stem in SHIPPED:  # the weight file's name (e2vid.pt), not a path
        return f" (the shipped model is named without .pt: --model {path.stem})"
    return ""


def _config_hint(path: Path) -> str:
    """For a training config given as a model (``--model my.toml``): where its run's weights are."""
    if path.suffix.lower() not in (".toml", ".yaml", ".yml"):
        return ""
    try:
        from ..train.trainer import load_config

        out = Path(load_config(path)["train"]["out"])
    except Exception:  # noqa: BLE001 - a hint only; a config that does not load gets the general one
        return " (a training config? the model is its run's final.pt: [train] out/final.pt)"
    return f" (a training config: the model it trains is {out / 'final.pt'})"


def looks_like_checkpoint(head: bytes) -> bool:
    """Whether a file's first bytes are ``torch.save``'s: its zip, or the legacy pickle."""
    return head[:4] == b"PK\x03\x04" or head[:1] == b"\x80"


def _existing_checkpoint(shown: str) -> Path:
    """The file ``shown`` names (``~`` expanded); one that is not there is a CheckpointError."""
    path = Path(shown).expanduser()
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {shown}{_not_found_hint(shown)}")
    return path


def read_checkpoint(path: str | Path, mmap: bool = False) -> dict[str, Any]:
    """The raw checkpoint dict (CPU tensors), validated for its keys. Errors name the path
    as given (``./x.pt``, ``~/x.pt``), not as resolved. ``mmap``: tensors mapped from the file,
    not read (``evfocus info`` of a 400 MB file held all of it in memory to count parameters);
    a legacy (not zip) file, which cannot be mapped, is read."""
    shown = str(path)
    path = _existing_checkpoint(shown)
    with open(path, "rb") as f:
        magic = f.read(4)
    if not looks_like_checkpoint(magic):
        raise CheckpointError(f"{shown}: not a PyTorch checkpoint file{_config_hint(path)}")
    try:
        with warnings.catch_warnings():  # the refusal of pickled objects says it in one line below
            warnings.simplefilter("ignore")
            ckpt = _torch_load(path, mmap)
    except Exception as exc:  # corrupt zip, truncated file, pickled objects...
        if "TorchScript archives" in str(exc):  # (torch's words: "Cannot use weights_only=True with TorchScript archives")
            raise CheckpointError(f"{shown}: a TorchScript model (torch.jit.save), not an evfocus-live "
                                  "checkpoint (save_checkpoint's weights, architecture and config)") from exc
        if "Weights only load failed" in str(exc):  # torch's refusal: several paragraphs of advice
            raise CheckpointError(f"{shown}: holds pickled Python objects, which are never loaded "
                                  "(a checkpoint is tensors and plain data)") from exc
        msg = first_sentence(exc)
        raise CheckpointError(f"{shown}: not a readable evfocus-live checkpoint ({msg})") from exc
    if not isinstance(ckpt, dict) or not {"arch", "config", "state_dict"} <= set(ckpt):
        bare = isinstance(ckpt, dict) and ckpt and all(torch.is_tensor(v) for v in ckpt.values())
        raise CheckpointError(f"{shown}: not an evfocus-live checkpoint (expected keys arch, config, state_dict)"
                              + ("; it is a bare state_dict (torch.save(model.state_dict())): save the model with "
                                 "evfocus_live.nn.registry.save_checkpoint(path, model), which records its "
                                 "architecture and config" if bare else ""))
    if not isinstance(ckpt["config"], dict) or not isinstance(ckpt["state_dict"], dict):
        raise CheckpointError(f"{shown}: corrupt checkpoint (its config and state_dict must be dicts)")
    if not isinstance(ckpt.get("meta"), dict):  # optional (another tool's checkpoint): callers read it as a dict
        ckpt["meta"] = {}
    return ckpt


def _torch_load(path: Path, mmap: bool) -> Any:
    """``torch.load`` of tensors and plain data only, mapped where asked and the file allows."""
    if mmap:
        import zipfile

        mmap = zipfile.is_zipfile(path)  # (torch refuses to map the legacy format)
    return torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)


def _state_dict_mismatch(have: dict[str, Any], want: dict[str, Any]) -> str:
    """What differs between a checkpoint's tensors and those its config builds, short: torch's
    message, cut at 140 characters, ended "... the shape in current model is torch"."""
    def shape(v: Any) -> str:
        return str(list(v.shape)) if torch.is_tensor(v) else type(v).__name__

    parts = []
    sized = [k for k in want if k in have and (not torch.is_tensor(have[k]) or have[k].shape != want[k].shape)]
    if sized:
        k = sized[0]
        parts.append(f"{len(sized)} tensor(s) of another shape, e.g. {k} {shape(have[k])} in the file, "
                     f"{shape(want[k])} in the model its config builds")
    for what, keys in (("missing", [k for k in want if k not in have]),
                       ("unexpected", [k for k in have if k not in want])):
        if keys:
            parts.append(f"{len(keys)} {what}, e.g. {keys[0]}")
    return "; ".join(parts) or "state_dict mismatch"


def unknown_here(arch: str, config: dict[str, Any], typed: bool = False) -> bool:
    """Whether ``arch`` or an option in ``config`` is one this install does not know: a file of
    a newer evfocus-live, which its refusal should say (it read as a broken file). ``typed``: a
    file a person wrote, where a name near a known one is a typo, not a newer version's."""
    import difflib

    def new(name: str, known) -> bool:
        return name not in known and not (typed and difflib.get_close_matches(name, list(known), 1))

    known = ARCH_OPTIONS.get(arch)
    if known is None:
        return new(arch, ARCHS)
    return any(new(str(k), known) for k in config)


def load_checkpoint(path: str | Path, device: str | torch.device = "cpu") -> torch.nn.Module:
    """Build the checkpoint's architecture and load its weights (strict). A refusal of a file
    written by a newer evfocus-live (its ``evfocus_version``) names both versions."""
    ckpt = read_checkpoint(path)
    model = _load_weights(path, ckpt, newer_hint(ckpt.get(VERSION_KEY)))
    model.meta = dict(ckpt["meta"])
    model.evfocus_version = ckpt.get(VERSION_KEY)
    dev = resolve_device(device)
    model = model.to(dev).eval()
    if dev.type == "cpu":  # oneDNN is 1.5-2x faster on these small convs with NHWC weights too
        model = model.to(memory_format=torch.channels_last)
    return model


def _load_weights(path: str | Path, ckpt: dict[str, Any], newer: str) -> torch.nn.Module:
    """:func:`load_checkpoint`'s model on the CPU, its weights checked and loaded; ``newer``
    (:func:`~evfocus_live.versions.newer_hint`) ends the refusals a newer format may cause."""
    cfg = dict(ckpt["config"])
    if ckpt["arch"] == "evfocus" and cfg.get("sigma_head") and "sigma_dilations" not in cfg:
        cfg["sigma_dilations"] = [2, 4]  # saved before the head's dilations were a setting
    try:
        model = build_model(str(ckpt["arch"]), cfg)
    except CheckpointError as exc:  # say which file (and, where it names none, guess "newer")
        guess = newer or ("; saved by a newer evfocus-live? upgrade evfocus-live to load it"
                          if unknown_here(str(ckpt["arch"]), cfg) else "")
        raise CheckpointError(f"{path}: {exc}{guess}") from exc
    sd = ckpt["state_dict"]
    scales = ckpt.get("int8_scales") or {}
    if not isinstance(scales, dict):
        raise CheckpointError(f"{path}: corrupt int8 weights (int8_scales is a {type(scales).__name__}, not a dict)")
    # an int8 weight without its scale would load as raw -127..127 (up to 127x off), silently
    floating = {k for k, v in model.state_dict().items() if v.is_floating_point()}
    unscaled = [k for k, v in sd.items() if torch.is_tensor(v) and v.dtype == torch.int8 and k in floating
                and k not in scales]
    if unscaled:
        raise CheckpointError(f"{path}: corrupt int8 weights ({len(unscaled)} int8 tensors without their "
                              f"scale in int8_scales, e.g. {unscaled[0]!r})")
    # any other integer, bool or complex tensor would be cast into a float weight as silently
    odd = [(k, v.dtype) for k, v in sd.items() if torch.is_tensor(v) and k in floating and k not in scales
           and v.dtype != torch.int8 and not v.is_floating_point()]
    if odd:
        raise CheckpointError(f"{path}: corrupt weights ({len(odd)} tensors of {str(odd[0][1]).replace('torch.', '')} "
                              f"where floats belong, e.g. {odd[0][0]!r})")
    if scales:
        try:
            sd = dequantize_int8(sd, scales)
        except (ValueError, AttributeError, TypeError) as exc:
            raise CheckpointError(f"{path}: corrupt int8 weights ({exc})") from exc
    sd = {k: v.float() if torch.is_tensor(v) and v.is_floating_point() else v for k, v in sd.items()}
    try:
        model.load_state_dict(sd, strict=True)
    except RuntimeError as exc:
        raise CheckpointError(f"{path}: weights do not match architecture {ckpt['arch']!r} "
                              f"({_state_dict_mismatch(sd, model.state_dict())}){newer}") from exc
    bad = [k for k, v in model.state_dict().items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if bad:  # every frame would be NaN, i.e. dropped: say why once, here
        raise CheckpointError(f"{path}: {len(bad)} weight tensors hold NaN/inf (e.g. {bad[0]}; a diverged training run?)")
    return model


def _third_party() -> dict[str, Any]:
    from ..plugins import MODELS, Registry

    reg = Registry(MODELS)
    return {n: reg for n in reg.names() if n not in SHIPPED}


def shipped_path(name: str) -> Path:
    """The weight file for a shipped name; CheckpointError when none is shipped."""
    fname = SHIPPED[name]
    if fname is None:
        raise CheckpointError(
            f"{name}: no weights shipped: train with evfocus train models/configs/{name}.toml on a GPU")
    path = models_dir() / fname
    if not path.is_file():
        raise CheckpointError(f"{name}: weight file {path} is missing (reinstall, or train it with evfocus train)")
    return path


def load_shipped(name: str, device: str = "cpu") -> torch.nn.Module:
    """Entry-point factory for the built-in names (``evfocus_live.models`` group). The model's
    ``evfocus_shipped`` (its name) says it came with this install: its file records no
    ``evfocus_version``, and Help > About says "shipped", not "not recorded"."""
    if name not in SHIPPED:
        raise CheckpointError(f"{name!r} is not a built-in model (built-ins: {', '.join(SHIPPED)})")
    model = load_checkpoint(shipped_path(name), device)
    model.evfocus_shipped = name
    return model


def load_model(name_or_path: str = DEFAULT_MODEL, device: str | torch.device = "cpu") -> torch.nn.Module:
    """A ready model in eval mode: a shipped name, a plugin name, or a checkpoint path.

    ``device``: "cpu", "cuda", "cuda:N" or "auto" (a GPU when there is one). An unknown
    name, a file that is not a checkpoint or a device that is not there is one line
    (:class:`CheckpointError`, :class:`DeviceError`).

    A plugin's factory may return any object with the pipeline's model contract
    (``reset_states()``, callable), not only a ``torch.nn.Module``; None or anything else is
    a one-line CheckpointError naming the plugin, not an AttributeError later."""
    name = str(name_or_path)
    if name in SHIPPED:
        return load_shipped(name, str(device))
    p = Path(name).expanduser()
    plugins = _third_party()
    if p.suffix.lower() in (".pt", ".pth") or os.sep in name or (p.exists() and not (p.is_dir() and name in plugins)):
        return load_checkpoint(name, device)  # errors name it as given (read_checkpoint expands ~)
    if name in plugins:
        factory = None
        try:
            try:
                factory = plugins[name].load(name)
            except KeyError:  # its import failed: say why, not "KeyError: 'name'"
                why = plugins[name].failures.get(name, "unknown")
                raise CheckpointError(f"model plugin {name!r} failed to load: {why}") from None
            model = factory(name, str(resolve_device(device)))
            # the pipeline's contract, not nn.Module: a plain object with reset_states() and
            # __call__ runs too (eager); anything else would fail later on .eval() or the first frame
            if model is None or not (callable(getattr(model, "reset_states", None)) and callable(model)):
                kind = type(model).__name__
                what = "None" if model is None else f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind}"
                raise CheckpointError(f"model plugin {name!r} returned {what}, not a model "
                                      "(needs reset_states() and to be callable on a voxel grid)")
            try:
                model_num_bins(model)  # now, not as a traceback at the first window
            except CheckpointError as exc:
                raise CheckpointError(f"model plugin {name!r}: {exc}") from None
            if callable(getattr(model, "eval", None)):
                model.eval()
        except CheckpointError:
            raise
        except Exception as exc:
            hint = ""
            if isinstance(exc, TypeError) and isinstance(factory, type):
                hint = " (its entry point is a class; it is called as factory(name, device): name a function that builds the model)"
            raise CheckpointError(f"model plugin {name!r} failed: {type(exc).__name__}: {exc}".splitlines()[0] + hint) from exc
        return model
    raise _unknown_model(name, plugins)


def _unknown_model(name: str, plugins: dict[str, Any]) -> CheckpointError:
    from ..plugins import MODELS, did_you_mean, elsewhere

    known = sorted(set(SHIPPED) | set(plugins))
    return CheckpointError(f"unknown model {name!r}{did_you_mean(name, known)}: use one of {', '.join(known)} or a path to a .pt checkpoint"
                           + elsewhere(MODELS, name))


def check_model_name(name: str) -> None:
    """The CheckpointError :func:`load_model` would raise for a name it does not know or a
    checkpoint file that is not there, without loading anything: a settings file's model is
    checked as the file is read, where the error can name the file."""
    if name in SHIPPED:
        return
    p = Path(name).expanduser()
    plugins = _third_party()
    if p.suffix.lower() in (".pt", ".pth") or os.sep in name:
        _existing_checkpoint(name)
    elif not (p.exists() or name in plugins):
        raise _unknown_model(name, plugins)


def same_model(a: str, b: str) -> bool:
    """Whether two model names or paths load the same weights: the same name, a shipped name
    and its file (``evfocus`` and ``models/evfocus.pt``), or two spellings of one path."""
    if a == b:
        return True
    files = [models_dir() / SHIPPED[n] if SHIPPED.get(n) else Path(n).expanduser() for n in (a, b)]
    try:
        return os.path.samefile(*files)
    except (OSError, ValueError):  # (a plugin's name, a file not there; a NUL in a hand-edited name)
        return False


def available_models() -> list[str]:
    """Names that load here: shipped weights present, plus third-party plugins."""
    names = [n for n, f in SHIPPED.items() if f is not None and (models_dir() / f).is_file()]
    try:
        names += sorted(_third_party())
    except Exception as exc:  # never let a broken plugin take the listing down
        log.warning("model plugins unavailable: %s", exc)
    return names


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
