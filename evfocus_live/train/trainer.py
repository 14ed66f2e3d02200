"""Training loop: truncated BPTT over sequences of windows, Adam, checkpoints, logs.

``evfocus train CONFIG.toml`` drives :func:`train`. The config is TOML with tables
``[model]`` (``arch`` + architecture options), ``[data]``, ``[augment]``, ``[loss]`` and
``[train]``; see ``models/configs/*.toml``. Each batch holds ``seq_len`` consecutive
windows; the recurrent state starts from zero at the batch's first window. With
``tbptt`` < ``seq_len`` the item is cut into chunks of ``tbptt`` windows: one optimiser
step per chunk, the state carried (detached) into the next chunk. That is truncated BPTT
proper: the network learns to use a long memory (as at inference, where it runs from
reset for minutes) while back-propagating only through a short chunk. The first
``loss_skip`` windows after a reset are not scored: nothing can be known there yet. The
learning rate follows a cosine over whichever budget ends first, ``steps`` or
``max_minutes``, so a wall-time-limited CPU run still anneals.

Under ``torchrun`` (``WORLD_SIZE`` set) it runs DistributedDataParallel (NCCL on CUDA,
gloo on CPU) with a DistributedSampler; rank 0 logs and writes checkpoints. ``[train] amp
= "auto"`` trains under autocast on a GPU (bf16, or fp16 with loss scaling) and under bf16
autocast on a CPU with native bf16 (AVX512-BF16/AMX), fp32 elsewhere; ``amp = "off"``: fp32.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import logging
import math
import os
import signal
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..errors import CheckpointError, ConfigError, DeviceError, TrainingError
from ..nn.registry import (build_model, configs_dir, looks_like_checkpoint, model_config_problem, model_count_channel,
                           read_checkpoint, resolve_device, save_checkpoint, unknown_here)
from ..versions import VERSION_KEY, newer_hint
from .dataset import AUGMENT_RULES, Augment, SequenceDataset, _is_int, _is_num
from .losses import LossWeights, sequence_loss

log = logging.getLogger(__name__)

DATA_DEFAULTS = dict(train="data_sim/train", num_bins=5, seq_len=8, batch_size=4, stride=4, max_sequences=None,
                     target="sharp", tbptt=None, loss_skip=0, workers=0)
TRAIN_DEFAULTS = dict(lr=1e-3, lr_min_frac=0.05, steps=100_000, max_minutes=None, seed=0, out="runs/train",
                      threads=None, device="auto", ckpt_every_s=120.0, log_every=10, grad_clip=1.0,
                      weight_decay=0.0, channels_last=True, init=None, trainable=None, amp="auto")


#: what a config's name may end with (``evfocus train NAME`` looks for NAME.toml etc. here first)
CONFIG_SUFFIXES = (".toml", ".yaml", ".yml")


def resolve_config(name: str | Path) -> Path:
    """The config as given when it exists, else a shipped one named bare (``evfocus``,
    ``evfocus.toml``) or by its repository path (``models/configs/evfocus.toml``, README's
    commands): an installed package keeps them in ``evfocus_live/_models/configs``, which a
    user outside the checkout could not name, so README's ``evfocus train`` said "not found".
    A file of the user's own wins, said when it hides a shipped one of its name: a bare
    ``evfocus`` beside the user's edited ``evfocus.toml`` trained the shipped recipe."""
    path = Path(name)
    if path.parent.as_posix() not in (".", "models/configs"):
        return path
    shipped = configs_dir() / (path.name if path.suffix else f"{path.name}.toml")
    # a folder of that name (a run's out, a data set) is not a config: the shipped one is meant
    own = path if path.is_file() or path.suffix else next(
        (p for p in (path.with_name(f"{path.name}{s}") for s in CONFIG_SUFFIXES) if p.is_file()), path)
    if own.is_file() or (own.exists() and not shipped.is_file()):
        if shipped.is_file() and not _same_file(own, shipped):
            log.info("using %s from this folder, not the shipped %s", own, shipped)
        return own
    if not shipped.is_file():
        return path
    log.info("using the shipped config %s", shipped)
    return shipped


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _near_shipped_hint(path: Path) -> str:
    """`` (did you mean the shipped NAME?)`` for a missing bare name or ``models/configs/`` path
    alike a shipped config's (``evfocs``), else ''."""
    import difflib

    if path.parent.as_posix() not in (".", "models/configs"):
        return ""
    near = difflib.get_close_matches(path.stem if path.suffix in CONFIG_SUFFIXES else path.name,
                                     shipped_configs(), n=1, cutoff=0.8)
    return f" (did you mean the shipped {near[0]}?)" if near else ""


def shipped_configs() -> list[str]:
    """The shipped training configs' names (``evfocus train --list-configs``)."""
    return sorted(p.stem for p in configs_dir().glob("*.toml"))


def load_config(path: str | Path) -> dict[str, Any]:
    """Parse a TOML (or YAML, when PyYAML is installed) training config into a plain dict."""
    from ..sources import near_name_hint

    path = Path(path)
    if path.is_dir():  # (the data or a run folder given first: "config not found" puzzled, it is there)
        raise ConfigError(f"{path}: is a folder, not a training config (evfocus train CONFIG.toml; "
                          "models/configs/ holds the shipped models' ones)")
    if not path.is_file():
        hint = (near_name_hint(path) or _near_shipped_hint(path)
                or " (evfocus train --list-configs names the shipped ones)")
        raise ConfigError(f"config not found: {path}{hint}")
    text = path.read_bytes()
    if looks_like_checkpoint(text):  # a checkpoint given where the config goes
        raise ConfigError(f"{path}: a model checkpoint, not a training config: evfocus train CONFIG.toml "
                          "--init CKPT starts from its weights, --resume goes on from OUT/last.pt")
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:  # (an event recording: "cannot parse config ('utf-8' codec can't ...)")
        raise ConfigError(f"{path}: not a training config (not UTF-8 text; a TOML or YAML file)") from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):  # CONFIG.YML too: TOML's error would puzzle
            try:
                import yaml
            except ImportError as exc:
                raise ConfigError(f"{path}: YAML configs need PyYAML (pip install -e '.[yaml]', or pip install "
                                  "pyyaml); or use TOML") from exc
            cfg = yaml.load(text, Loader=_yaml_loader(yaml)) or {}
        else:
            import tomllib

            cfg = tomllib.loads(text.decode("utf-8-sig"))  # (a BOM: Notepad's "UTF-8 with BOM")
    except ConfigError:
        raise
    except Exception as exc:
        mark = getattr(exc, "problem_mark", None)  # PyYAML's first line says what, not where
        if getattr(exc, "context", None) == "while scanning a simple key":  # "key 6": the key's line, not the next
            mark = getattr(exc, "context_mark", None) or mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        what = " ".join(str(x) for x in (getattr(exc, "context", None), getattr(exc, "problem", None)) if x)
        if mark is not None and getattr(exc, "problem", None) == "mapping values are not allowed here":
            what += _yaml_missing_colon(text.decode("utf-8", "replace").splitlines(), mark.line)
        raise ConfigError(f"{path}: cannot parse config ({where}{what or str(exc).splitlines()[0]})") from exc
    return _home_expanded(normalize_config(cfg, str(path)))


def _home_expanded(cfg: dict[str, Any]) -> dict[str, Any]:
    """``~`` in a config's paths ([data] train, [train] out and init) is the home folder, as in
    a shell: ``train = "~/data/train"`` was looked for in a folder named ``~`` ("data path not
    found"), and ``out = "~/runs/a"`` made one."""
    def home(v: Any) -> Any:
        return os.path.expanduser(v) if isinstance(v, str) and v.startswith("~") else v

    dc, tc = cfg["data"], cfg["train"]
    dc["train"] = [home(v) for v in dc["train"]] if isinstance(dc["train"], list) else home(dc["train"])
    tc["out"], tc["init"] = home(tc["out"]), home(tc["init"])
    return cfg


def _yaml_missing_colon(lines: list[str], line: int) -> str:
    """PyYAML reads ``batch_size 1`` (a key missing its ':') and the next lines as one
    multi-line string, and stops at the next key's ':' ("mapping values are not allowed
    here", one line too late): name the line(s) above, at the same indent and without a
    ':', where the ':' is missing. "" when there are none (e.g. ``a: 1: 2``)."""
    if not 0 < line < len(lines):
        return ""
    indent = len(lines[line]) - len(lines[line].lstrip())
    above = []
    for k in range(line - 1, -1, -1):
        text = lines[k]
        body = text.strip()
        if not body or body.startswith("#"):
            continue
        if len(text) - len(text.lstrip()) != indent or ":" in body or body.startswith("-"):
            break
        above.insert(0, k)
    if not above:
        return ""
    where = f"line {above[0] + 1}" if len(above) == 1 else f"lines {', '.join(str(k + 1) for k in above)}"
    return f"; is a ':' missing on {where} ({lines[above[0]].strip()!r})?"


def _yaml_loader(yaml):
    """PyYAML's safe loader, reading numbers and booleans as YAML 1.2 (and TOML) do:
    ``lr: 1e-3`` is a float, not the string "1e-3" that YAML 1.1 makes of an exponent
    without a dot, and ``amp: off`` is the string "off", not false."""
    import re

    class Loader(yaml.SafeLoader):
        pass

    redone = ("tag:yaml.org,2002:float", "tag:yaml.org,2002:bool")
    Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] not in redone]
                                      for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                 list("tTfF"))
    Loader.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(r"""^(?:
        [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""", re.X), list("-+0123456789."))
    return Loader


def _merge(section: str, given: dict, defaults: dict, where: str, tables: dict[str, dict] | None = None) -> dict:
    unknown = set(given) - set(defaults)
    if unknown:
        # a key of another table (batch_size under [train]): say which; "known: ..." left one
        # reading the list of this table's keys for a key that is not one of them
        homes = [f"{k} is a [{name}] key" for k in sorted(map(str, unknown))
                 for name, keys in (tables or {}).items() if name != section and k in keys]
        hint = f" ({'; '.join(homes)})" if homes else _did_you_mean(unknown, defaults)
        raise ConfigError(f"{where}: unknown key(s) in [{section}]: {', '.join(sorted(map(str, unknown)))}{hint}")
    return {**defaults, **given}


def _did_you_mean(unknown: set, known: Any) -> str:
    """`` (did you mean batch_size?)`` for a typo'd key, else the keys there are: a list of
    every key is what sends one to the source. A key like none of them may be a newer
    evfocus-live's (a config brought from a lab's newer install): said, with what to do."""
    import difflib

    guesses = [g for k in sorted(map(str, unknown)) for g in difflib.get_close_matches(k, list(map(str, known)), 1)]
    if guesses:
        return f" (did you mean {', '.join(guesses)}?)"
    return (f" (known: {', '.join(sorted(map(str, known)))}; a config for a newer evfocus-live? "
            "upgrade evfocus-live, or leave it out)")


def normalize_config(cfg: dict[str, Any], where: str = "config") -> dict[str, Any]:
    """Fill defaults and reject unknown sections/keys with one clear line."""
    if not isinstance(cfg, dict):  # a YAML list or scalar
        raise ConfigError(f"{where}: a config is a table of sections ([model], [data], ...), "
                          f"not a {type(cfg).__name__}")
    cfg = dict(cfg)
    sections = ("model", "data", "augment", "loss", "train")
    unknown = set(cfg) - set(sections)
    if unknown:
        raise ConfigError(f"{where}: unknown section(s): {', '.join(sorted(map(str, unknown)))}"
                          f"{_did_you_mean(unknown, sections)}")
    for name in list(cfg):
        if cfg[name] is None:  # YAML's "data:" with nothing under it
            cfg[name] = {}
        if not isinstance(cfg[name], dict):  # TOML "model = 5", YAML "model: [1, 2]"
            raise ConfigError(f"{where}: [{name}] must be a table of keys, got {cfg[name]!r}")
    model = dict(cfg.get("model", {}))
    if "arch" not in model:
        raise ConfigError(f"{where}: [model] needs arch = \"evfocus\" | \"e2vid\" | \"firenet\"")
    tables = {"data": DATA_DEFAULTS, "augment": dataclasses.asdict(Augment()),
              "loss": dataclasses.asdict(LossWeights()), "train": TRAIN_DEFAULTS}
    out = {"model": model, **{name: _merge(name, cfg.get(name, {}), keys, where, tables)
                              for name, keys in tables.items()}}
    d = out["data"]
    if d["target"] not in ("sharp", "blurred"):
        raise ConfigError(f"{where}: [data] target must be \"sharp\" or \"blurred\"")
    if not (_is_int(d["seq_len"]) and d["seq_len"] >= 1):
        raise ConfigError(f"{where}: [data] seq_len must be a whole number >= 1")
    if d["tbptt"] is not None and not (_is_int(d["tbptt"]) and d["tbptt"] >= 1):
        raise ConfigError(f"{where}: [data] tbptt must be a whole number >= 1 (windows per chunk) or left out")
    if not (_is_int(d["loss_skip"]) and 0 <= d["loss_skip"] < min(d["seq_len"], d["tbptt"] or d["seq_len"])):
        raise ConfigError(f"{where}: [data] loss_skip must be >= 0 and leave a window of the first chunk to score")
    tr = d["train"]
    if not (isinstance(tr, str) or (isinstance(tr, list) and tr and all(isinstance(x, str) for x in tr))):
        raise ConfigError(f"{where}: [data] train must be a directory or a list of directories")
    if not (_is_int(d["workers"]) and 0 <= d["workers"] <= 256):  # each a process with the dataset: not 1e6
        raise ConfigError(f"{where}: [data] workers must be a whole number from 0 to 256 (loader processes)")
    sa = out["loss"]["sigma_activity"]
    if not (isinstance(sa, int | float) and 0 <= sa <= 1):
        raise ConfigError(f"{where}: [loss] sigma_activity must be a share between 0 and 1")
    tb = out["train"]["trainable"]
    if tb is not None and not (isinstance(tb, list) and tb and all(isinstance(x, str) and x for x in tb)):
        raise ConfigError(f"{where}: [train] trainable must be a list of parameter-name prefixes, e.g. [\"redefocus.\"]")
    if out["train"]["amp"] not in ("auto", "bf16", "off"):
        raise ConfigError(f"{where}: [train] amp must be \"auto\" (autocast on a GPU, and on a CPU with native bf16), "
                          "\"bf16\" or \"off\" (fp32)")
    _check_values(out, where)
    _check_model(out, where)
    return out


def _check_model(cfg: dict[str, Any], where: str = "config") -> None:
    """[model]: only the architecture's own options (a typo would silently build the
    default), sizes in range, and num_bins the same as [data]'s (the model takes [data]'s
    when it names none)."""
    model = cfg["model"]
    options = {k: v for k, v in model.items() if k != "arch"}
    problem = model_config_problem(str(model["arch"]), options)
    if problem is not None:
        newer = "; a config for a newer evfocus-live? upgrade evfocus-live"
        raise ConfigError(f"{where}: [model] {problem}{newer if unknown_here(str(model['arch']), options, typed=True) else ''}")
    nb = model.get("num_bins")
    if nb is not None and nb != cfg["data"]["num_bins"]:
        raise ConfigError(f"{where}: [model] num_bins = {nb} but [data] num_bins = {cfg['data']['num_bins']}: the "
                          "network's input is the data's voxel bins; drop [model] num_bins (it follows [data]'s) "
                          "or make the two equal")


#: (section, key, test, what it must be); None passes where the default is None
_VALUE_RULES = [
    ("data", "num_bins", lambda v: _is_int(v) and 1 <= v <= 64, "a whole number from 1 to 64"),
    ("data", "batch_size", lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
    ("data", "stride", lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
    ("data", "max_sequences", lambda v: v is None or (_is_int(v) and v >= 1), "a whole number >= 1 or left out"),
    ("train", "lr", lambda v: _is_num(v) and v > 0, "a positive number"),
    ("train", "lr_min_frac", lambda v: _is_num(v) and 0 <= v <= 1, "a share between 0 and 1"),
    ("train", "steps", lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
    ("train", "max_minutes", lambda v: v is None or (_is_num(v) and v > 0), "a positive number or left out"),
    # numpy's global seed takes < 2**32, and each DDP rank adds its rank: room for 2**31 of them
    ("train", "seed", lambda v: _is_int(v) and 0 <= v < 2**31, "a whole number >= 0 and < 2**31"),
    ("train", "out", lambda v: isinstance(v, str) and v != "", "a folder name"),
    ("train", "threads", lambda v: v is None or (_is_int(v) and 0 <= v <= 1024),  # 1e5 threads: an mmap failure
     "a whole number from 0 (default) to 1024"),
    ("train", "device", lambda v: isinstance(v, str), "\"auto\", \"cpu\", \"cuda\" or \"cuda:N\""),
    ("train", "ckpt_every_s", lambda v: _is_num(v) and v >= 0, "a number of seconds >= 0"),
    ("train", "log_every", lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
    ("train", "grad_clip", lambda v: v is None or (_is_num(v) and v >= 0), "a number >= 0 (0: off)"),
    ("train", "weight_decay", lambda v: _is_num(v) and v >= 0, "a number >= 0"),
    ("train", "channels_last", lambda v: isinstance(v, bool), "true or false"),
    ("train", "init", lambda v: v is None or (isinstance(v, str) and v != ""), "a checkpoint path or left out"),
    *(("augment", key, ok, what) for key, ok, what in AUGMENT_RULES),
    *(("loss", key, lambda v: _is_num(v) and v >= 0, "a weight >= 0 (0: off)")
      for key in ("blur", "redefocus", "sigma", "sigma_mean", "temporal")),
    ("loss", "sigma_scale_px", lambda v: _is_num(v) and v > 0, "a positive number of pixels"),
]


def _check_values(cfg: dict[str, Any], where: str = "config") -> None:
    """Types and ranges of the [data], [train], [augment] and [loss] values (a bad one would
    fail deep inside torch or numpy, or train nothing); ConfigError naming the key."""
    for section, key, ok, what in _VALUE_RULES:
        v = cfg[section][key]
        if not ok(v):
            raise ConfigError(f"{where}: [{section}] {key} must be {what}, got {v!r}")
    base = cfg["model"].get("base")  # every architecture's width: a bad one fails deep in torch
    if base is not None and not (_is_int(base) and base >= 1):
        raise ConfigError(f"{where}: [model] base must be a whole number >= 1, got {base!r}")


class Unroll(nn.Module):
    """Runs a recurrent model over [B,L,bins,H,W]: one forward per chunk (so DDP sees one
    forward and one backward). ``reset=True`` starts from a zero state; otherwise the
    carried state is detached first (the truncation of truncated BPTT)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, voxels: torch.Tensor, reset: bool = True) -> list[dict[str, torch.Tensor]]:
        if reset:
            self.model.reset_states()
        else:
            self.model.detach_states()
        return [self.model(voxels[:, t]) for t in range(voxels.shape[1])]


def _init_path(init: str) -> str:
    """``--init evfocus`` as ``--model evfocus`` takes it: a shipped model's name is its
    weight file (a file of that name, if there is one, wins); it was "checkpoint not found"."""
    from ..nn.registry import SHIPPED, shipped_path
    from ..plugins import did_you_mean

    if init in SHIPPED and not Path(init).expanduser().exists():
        return str(shipped_path(init))
    p = Path(init).expanduser()
    if not p.exists() and p.suffix.lower() not in (".pt", ".pth") and os.sep not in init:
        # a name, not a path: "checkpoint not found: evfocsu" did not say names were meant
        raise CheckpointError(f"--init ([train] init) {init!r}: not a shipped model{did_you_mean(init, SHIPPED)} "
                              f"nor a file: use one of {', '.join(sorted(SHIPPED))} or a path to a .pt checkpoint")
    return init


def _init_weights(model: nn.Module, path: str, trainable: list[str] | None = None) -> dict[str, Any]:
    """Load ``path``'s weights into a fresh model of the same architecture and config;
    CheckpointError (one line) when they do not match. With ``trainable`` prefixes the
    configs may differ: every tensor whose name and shape match is loaded, and each
    parameter outside the prefixes (frozen, so never trained) must be among them — e.g.
    a new defocus head trained on a frozen network. Returns what the log records."""
    from ..nn.registry import load_checkpoint

    src = load_checkpoint(path)
    src = _with_count_channel(src, model, path)
    if trainable is None:
        if src.arch != model.arch or dict(src.config) != dict(model.config):
            raise CheckpointError(f"{path}: --init weights are {src.arch}, not the model the config builds "
                                  f"({_model_diff(src, model)}); make [model] match them")
        model.load_state_dict(src.state_dict())
    else:
        if src.arch != model.arch:
            raise CheckpointError(f"{path}: --init weights are {src.arch}, the config builds {model.arch}")
        have = src.state_dict()
        mine = model.state_dict()
        take = {k: v for k, v in have.items() if k in mine and mine[k].shape == v.shape}
        frozen_missing = [k for k, _ in model.named_parameters()
                          if not k.startswith(tuple(trainable)) and k not in take]
        if frozen_missing:
            raise CheckpointError(f"{path}: --init lacks frozen parameter(s) {', '.join(frozen_missing[:3])}"
                                  f"{' ...' if len(frozen_missing) > 3 else ''} (they would stay random); "
                                  "widen [train] trainable or init from a matching model")
        model.load_state_dict(take, strict=False)
        log.info("initialised %d of %d tensors from %s; new: %s", len(take), len(mine), path,
                 ", ".join(k for k in mine if k not in take) or "none")
    log.info("initialised from %s (step %s)", path, src.meta.get("step"))
    return {"path": str(path), "path_abs": os.path.realpath(path), "step": src.meta.get("step"), "wall_s": src.meta.get("wall_s"),
            "hardware": src.meta.get("hardware"), "lr": src.meta.get("train_config", {}).get("train", {}).get("lr"),
            "trainable": src.meta.get("train_config", {}).get("train", {}).get("trainable"),
            "init": src.meta.get("init"),  # the stages before it, if any
            **({"average_of": src.meta["average_of"]} if src.meta.get("average_of") else {}),  # weights averaged
            **({"grafted": src.meta["grafted"]} if src.meta.get("grafted") else {})}  # a part from another run


#: options that only add head inputs after the bins (count, then integrator level)
_INPUT_OPTIONS = ("count_channel", "integrator", "integrator_decay")


def _with_count_channel(src: nn.Module, model: nn.Module, path: str) -> nn.Module:
    """``src`` with the head inputs ``model`` adds and ``src`` (otherwise the same) lacks —
    the event-count channel (the head conv's weight gets its input channel), the integrator
    level (its ``head_level`` conv), or both — all zero, so the new model starts out
    computing exactly what ``src`` did. Anything else: ``src`` unchanged."""
    has = lambda m, key: bool(getattr(m, key, False))  # noqa: E731
    added = [key for key in ("count_channel", "integrator") if has(model, key) and not has(src, key)]
    if not (added and src.arch == model.arch
            and all(has(model, key) for key in ("count_channel", "integrator") if has(src, key))
            and {**src.config, **{k: model.config[k] for k in _INPUT_OPTIONS if k in model.config}}
            == dict(model.config)):
        return src
    sd = src.state_dict()
    if "count_channel" in added:
        w = sd["head.conv.weight"]  # [out, bins, k, k]: the count comes last
        sd["head.conv.weight"] = torch.cat([w, w.new_zeros(w.shape[0], 1, *w.shape[2:])], 1)
    if "integrator" in added:
        sd["head_level.weight"] = torch.zeros_like(model.head_level.weight)
    grown = build_model(model.arch, dict(model.config))
    grown.load_state_dict(sd)
    grown.meta = src.meta
    names = {"count_channel": "the event-count input channel (head conv)",
             "integrator": "the integrator level's conv (head_level)"}
    log.info("--init %s: added %s, zero-initialised: the model starts out computing what those weights do",
             path, " and ".join(names[k] for k in added))
    return grown


def _model_diff(src: Any, model: nn.Module) -> str:
    """``file X, config Y`` for the architecture or each [model] option that differs (the
    whole of both configs, a dozen keys each, left the reader to find them)."""
    arch = src["arch"] if isinstance(src, dict) else src.arch
    have = dict(src["config"] if isinstance(src, dict) else src.config)
    want = dict(model.config)
    if arch != model.arch:
        return f"arch: file {arch!r}, config {model.arch!r}"
    def shown(cfg: dict[str, Any], key: str) -> str:
        return repr(cfg[key]) if key in cfg else "unset"

    diffs = [f"{k}: file {shown(have, k)}, config {shown(want, k)}" for k in sorted(set(have) | set(want))
             if k not in have or k not in want or have[k] != want[k]]
    return "; ".join(diffs) or "same options, other tensors"


def _trainable_params(model: nn.Module, trainable: list[str] | None) -> list[nn.Parameter]:
    """All parameters, or only those named by the ``[train] trainable`` prefixes (the rest
    frozen); ConfigError when a prefix names none."""
    if trainable is None:
        return list(model.parameters())
    named = dict(model.named_parameters())
    for pre in trainable:
        if not any(k.startswith(pre) for k in named):
            raise ConfigError(f"[train] trainable: no parameter of {model.arch} starts with {pre!r} "
                              f"(e.g. {', '.join(sorted({k.split('.')[0] + '.' for k in named}))})")
    out = []
    for k, p in named.items():
        p.requires_grad_(k.startswith(tuple(trainable)))
        if p.requires_grad:
            out.append(p)
    log.info("training %d of %d parameters (%s); the rest frozen", sum(p.numel() for p in out),
             sum(p.numel() for p in named.values()), ", ".join(trainable))
    return out


def _seed_worker(worker_id: int) -> None:
    """Give each loader process its own augmentation stream (a forked copy of the
    dataset's generator would repeat the same crops and noise in every worker)."""
    from torch.utils.data import get_worker_info

    info = get_worker_info()
    info.dataset.rng = np.random.default_rng(info.seed % 2**63)
    # a SIGTERM to the whole job (a scheduler, `kill -- -PGID`) killed the workers, and the
    # main process's loader then raised "worker killed by signal" in the middle of writing
    # last.pt: a worker now ends quietly as on Ctrl-C, and the main process saves and stops
    signal.signal(signal.SIGTERM, _worker_sigterm)


def _worker_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # the loader's worker loop ends quietly on it


def _amp_dtype(device: torch.device, amp: str = "auto") -> torch.dtype | None:
    """Autocast dtype for training. "auto": bf16 where the GPU has it (no loss scaling, no
    overflow in the ConvLSTM gates), fp16 on older GPUs; on the CPU bf16 where it has native
    bf16 (AVX512-BF16/AMX, the probe inference's precision "auto" uses: 60 steps of the light
    evfocus stage-4 recipe took 52.5 s instead of 93.1 s, final loss 0.6381 vs 0.6375),
    fp32 elsewhere (emulated bf16 is slower than fp32). "bf16": bf16 on any device with it
    (a CPU without native bf16 too, slowly); "off": fp32."""
    from ..nn import runtime  # its probe, looked up on each call (tests fake either CPU)

    if amp == "off":
        return None
    if amp == "bf16":
        if device.type == "cuda" and not runtime.bf16_supported(device):
            raise ConfigError(f'[train] amp = "bf16": {torch.cuda.get_device_name(device)} has no bf16; '
                              'use "auto" (fp16 with loss scaling there) or "off"')
        return torch.bfloat16
    if device.type != "cuda":
        return torch.bfloat16 if device.type == "cpu" and runtime._bf16_fast() else None
    # (native bf16 only, inference's rule: torch 2.4+'s is_bf16_supported() says True on a T4 too,
    # where bf16 is emulated and cuDNN has no bf16 convolutions)
    return torch.bfloat16 if runtime.bf16_supported(device) else torch.float16


def _amp_name(amp_dtype: torch.dtype | None) -> str:
    """What a checkpoint's meta records under "amp": the autocast dtype that ran, or "off"."""
    return str(amp_dtype).replace("torch.", "") if amp_dtype is not None else "off"


def _precision_line(device: torch.device, amp: str, amp_dtype: torch.dtype | None) -> tuple[int, str]:
    """(log level, line) said at the start of a run: which precision trains, why, and how to
    get fp32. "auto" on a CPU depends on the CPU, so the config alone no longer tells. A
    warning where bf16 was asked for on a CPU that only emulates it (slow)."""
    from ..nn import runtime

    if amp_dtype is None:
        why = "this CPU has no native bf16" if amp == "auto" and device.type == "cpu" else f'[train] amp = "{amp}"'
        # (the device named: the one line that says it, "device auto -> cpu" being DEBUG now)
        return logging.INFO, f"training in fp32 on {device} ({why})"
    fp32 = '[train] amp = "off" trains in fp32'
    if device.type == "cpu" and not runtime._bf16_fast():
        return logging.WARNING, (f'training under bf16 autocast on a CPU without native bf16 ([train] amp = "bf16"): '
                                 f"emulated, usually slower than fp32; {fp32}")
    why = "this CPU has native bf16" if device.type == "cpu" else f'[train] amp = "{amp}"'
    name = {torch.bfloat16: "bf16 autocast", torch.float16: "fp16 autocast with loss scaling"}.get(amp_dtype)
    return logging.INFO, f"training under {name or f'{amp_dtype} autocast'} on {device} ({why}); {fp32}"


def _training_device(name: str, ddp: bool) -> torch.device:
    """The device this process trains on, made current: under DDP each rank's own GPU
    (``LOCAL_RANK``); else the one named, so that ``device = "cuda:1"`` checks bf16 support,
    autocasts and allocates on GPU 1, not on GPU 0 (torch's current device)."""
    try:
        device = resolve_device(name, fix='set [train] device = "cpu" or "auto"')  # (train has no --device)
    except DeviceError as exc:  # "unknown device 'gpu'" did not say where it came from
        raise DeviceError(f"[train] device: {exc}") from exc
    if ddp:
        import torch.distributed as dist

        if not dist.is_initialized():
            dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(device)
    elif device.type == "cuda" and device.index is not None:
        torch.cuda.set_device(device)
    return device


def _cpu_cores() -> int:
    """The cores this process may run on (a taskset or a container's cpuset, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _busy_cpu_warning() -> str | None:
    """With ``[train] threads`` left out torch takes every core; on a machine already busier
    than its cores its threads wait on each other: 40 steps of README's small config took
    24-28 s instead of 5-7 s with ``threads = 1`` (2 cores at load 5-6, 2026-11-28). Not
    made the default (an idle many-core machine gains from the threads): said, with the fix.
    None when the machine is not that busy or torch has one thread anyway (torchrun's
    OMP_NUM_THREADS=1)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on every platform
        return None
    cores, threads = _cpu_cores(), torch.get_num_threads()
    if threads <= 1 or load <= cores:
        return None
    return (f"the machine is busy (load average {load:.1f} on {cores} cores) and [train] threads is not set: "
            f"torch's {threads} threads compete with the other jobs and can make each step several times "
            "slower; set [train] threads = 1 (or the number of idle cores)")


def _dist_info() -> tuple[bool, int, int]:
    ws = int(os.environ.get("WORLD_SIZE", "1"))
    return ws > 1, int(os.environ.get("RANK", "0")), ws


def draw_loss_curve(rows: list[dict[str, float]], path: Path, size=(640, 400)) -> None:
    """Loss vs step as a PNG drawn with OpenCV (matplotlib is not a dependency). With one
    logged row its point and value, with none a line saying so: a blank image looked broken."""
    import cv2

    w, h = size
    img = np.full((h, w, 3), 255, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    finite = [r for r in rows if _is_num(r.get("loss")) and math.isfinite(r["loss"])]
    if len(finite) < 2:
        if finite:
            r = finite[0]
            cv2.circle(img, (w // 2, h // 2), 5, (180, 60, 20), -1, cv2.LINE_AA)
            lines = [f"loss {r['loss']:.4f} at step {int(r['step'])}", "one logged step: no curve yet"]
        else:
            lines = ["no training loss logged", "(no step trained)" if not rows else "(none is finite)"]
        for i, txt in enumerate(lines):
            cv2.putText(img, txt, (50, h // 2 + 40 + 25 * i), font, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
        cv2.putText(img, "training loss", (50, 35), font, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    else:
        rows = finite
        steps = np.array([r["step"] for r in rows], float)
        loss = np.array([r["loss"] for r in rows], float)
        k = max(1, len(loss) // 10)  # moving average over a tenth of the run
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
        sx = steps[k - 1:]
        lo, hi = float(np.min(loss)), float(np.percentile(loss, 98))
        hi = hi if hi > lo else lo + 1e-6
        m = 50

        def pts(xs, ys):
            px = m + (xs - steps[0]) / max(1e-9, steps[-1] - steps[0]) * (w - 2 * m)
            py = h - m - (np.clip(ys, lo, hi) - lo) / (hi - lo) * (h - 2 * m)
            return np.stack([px, py], 1).astype(np.int32)

        cv2.polylines(img, [pts(steps, loss)], False, (200, 200, 200), 1, cv2.LINE_AA)
        cv2.polylines(img, [pts(sx, smooth)], False, (180, 60, 20), 2, cv2.LINE_AA)
        cv2.rectangle(img, (m, m), (w - m, h - m), (0, 0, 0), 1)
        # both ends of the step axis: with the last alone a resumed or long run's start was a guess
        for txt, pos in ((f"{hi:.3f}", (2, m + 5)), (f"{lo:.3f}", (2, h - m)), (f"step {int(steps[0])}", (m, h - m + 20)),
                         (f"step {int(steps[-1])}", (w - m - 90, h - m + 20)), ("training loss", (m, m - 15))):
            cv2.putText(img, txt, pos, cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.imwrite(str(path), img)


def _own_warning_filters(fn):
    """``fn`` with the warning filters it installs undone when it returns or raises: training
    hides torch's DataLoader worker-count warning (said in a line of its own), and that filter
    stayed on in the caller's process after :func:`train` returned (a notebook's or a
    script's own DataLoader then lost the warning)."""
    @functools.wraps(fn)
    def scoped(*args, **kwargs):
        with warnings.catch_warnings():
            return fn(*args, **kwargs)

    return scoped


@_own_warning_filters
def train(cfg: dict[str, Any], resume: bool = False, max_minutes: float | None = None, steps: int | None = None,
          out: str | None = None, data: str | None = None, progress: bool = True,
          init: str | None = None, lr: float | None = None, resume_command: str | None = None) -> dict[str, Any]:
    """Train one model from a normalised config; returns the summary written to ``log.json``.
    ``init`` (or ``[train] init``): start from these weights (a fresh optimiser and schedule,
    unlike ``resume``), e.g. a second stage of training. ``resume``: go on from ``OUT/last.pt``
    (weights, optimiser, step, wall time, the stages its weights came from, and the place in
    the data order and augmentation stream: on the CPU with ``workers = 0`` a resumed run
    ends with the weights of one run straight through); with no
    last.pt yet it starts as a fresh run would (``init`` applies), and a run that already
    reached its step or wall-time budget is left as it is (no step, final.pt untouched).
    A changed ``[train] trainable`` is refused on resume (CheckpointError), not trained on
    with a fresh optimiser. Ctrl-C writes last.pt and the logs, then re-raises, naming
    ``resume_command`` (the CLI's: the same config, --out and budget) as the way on."""
    from torch.utils.data import DataLoader, RandomSampler
    from tqdm import tqdm

    cfg = normalize_config(cfg)
    tc, dc = cfg["train"], cfg["data"]
    if max_minutes is not None:
        tc["max_minutes"] = max_minutes
    if steps is not None:
        tc["steps"] = steps
    if out is not None:
        tc["out"] = out
    if data is not None:  # a directory, or several (a list)
        dc["train"] = data[0] if isinstance(data, list | tuple) and len(data) == 1 else data
    if init is not None:
        tc["init"] = init
    if tc["init"] is not None:
        tc["init"] = _init_path(tc["init"])
    if lr is not None:
        tc["lr"] = lr
    _check_values(cfg, "options")  # the overrides too
    ddp, rank, world = _dist_info()
    if tc["threads"]:
        torch.set_num_threads(int(tc["threads"]))
    elif rank == 0 and (busy := _busy_cpu_warning()):
        log.warning("%s", busy)
    device = _training_device(tc["device"], ddp)
    amp_dtype = _amp_dtype(device, tc["amp"])  # before caching the data: a refused amp fails at once
    if rank == 0:
        log.log(*_precision_line(device, tc["amp"], amp_dtype))
    seed = int(tc["seed"]) + rank
    torch.manual_seed(seed)
    np.random.seed(seed)
    out_dir = Path(tc["out"])  # made once the model, weights and data are taken (below), not for a refused run

    arch_cfg = {k: v for k, v in cfg["model"].items() if k != "arch"}
    arch_cfg.setdefault("num_bins", dc["num_bins"])
    model = build_model(cfg["model"]["arch"], arch_cfg)
    last_path = out_dir / "last.pt"
    # --resume with no last.pt yet starts this run as a fresh one would: --init applies
    ck = read_checkpoint(last_path) if resume and last_path.is_file() else None
    if resume and ck is None:
        log.warning("--resume: no %s yet, starting fresh %s", last_path,
                    f"from {tc['init']}" if tc["init"] else "from random weights (add --init to start from a model's)")
    init_meta = _init_weights(model, tc["init"], tc["trainable"]) if tc["init"] and ck is None else None
    params = _trainable_params(model, tc["trainable"])
    model = model.to(device)
    if device.type == "cuda" and tc["channels_last"]:  # NHWC: cuDNN's tensor-core convs without transposes
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(params, lr=tc["lr"], weight_decay=tc["weight_decay"])

    step, elapsed0, last_loss = 0, 0.0, float("nan")
    chain: dict[str, Any] = {}  # what the resumed run's meta says about the weights it started from
    if ck is not None:
        _resume_from(ck, last_path, model, opt, tc["trainable"])
        step = int(ck["meta"].get("step", 0))
        elapsed0 = float(ck["meta"].get("wall_s", 0.0))
        last_loss = _finite_or_nan(ck["meta"].get("loss"))
        init_meta = ck["meta"].get("init")
        _say_init_unused(tc["init"], init_meta, last_path, rank)
        chain = {k: ck["meta"][k] for k in ("average_of", "grafted") if ck["meta"].get(k)}
        log.info("resumed from %s at step %d (%.0f s)", last_path, step, elapsed0)
        changed = _config_changes(ck["meta"].get("train_config"), cfg)
        if changed and rank == 0:
            log.warning("--resume: the config differs from the one %s was trained with (%s); the rest of "
                        "the run trains with the new values", last_path, "; ".join(changed))
        if rank == 0 and (said := _precision_change(ck["meta"], amp_dtype, last_path)):
            log.warning("%s", said)

    budget_s = float(tc["max_minutes"]) * 60 if tc["max_minutes"] else math.inf
    total_steps = int(tc["steps"])
    if ck is not None and (step >= total_steps or elapsed0 >= budget_s - 0.05):  # wall_s is kept to 0.1 s
        # one more step would overwrite the run's final.pt with a NaN loss: nothing to do
        log.warning("%s already reached its %s (%s); nothing to train (raise %s to go on)", last_path,
                    *(("step budget", f"step {step} of {total_steps}", "--steps") if step >= total_steps else
                      ("wall-time budget", f"{elapsed0 / 60:.2f} of {budget_s / 60:.2f} min", "--max-minutes")))
        summary: dict[str, Any] = {}
        if rank == 0:
            final = out_dir / "final.pt"
            summary = {**ck["meta"], "loss": _json_loss(ck["meta"].get("loss")), "params": model.num_parameters(),
                       "checkpoint": str(final if final.is_file() else last_path)}
        if ddp:
            import torch.distributed as dist

            dist.barrier()
        return summary

    ds = SequenceDataset.from_dir(dc["train"], num_bins=dc["num_bins"], max_sequences=dc["max_sequences"],
                                  progress=progress and rank == 0, count_channel=model.count_channel,
                                  seq_len=dc["seq_len"], stride=dc["stride"], seed=seed, target=dc["target"],
                                  augment=Augment(**cfg["augment"]))
    if ddp:
        from torch.utils.data.distributed import DistributedSampler

        order: Any = DistributedSampler(ds, num_replicas=world, rank=rank, seed=int(tc["seed"]))
        gen = None
    else:
        gen = torch.Generator().manual_seed(seed)
        order = RandomSampler(ds, generator=gen)
    sampler = _SkipSampler(order)
    bs = int(dc["batch_size"])
    if rank == 0 and len(ds) // world < bs:  # the loader keeps the short batch: say the batch is smaller than asked
        log.warning("[data] batch_size %d is more than the %d training item(s)%s (windows of seq_len %d every stride "
                    "%d): each step trains on %d; lower batch_size, or simulate more or longer sequences", bs,
                    len(ds) // world, f" per process ({len(ds)} over {world})" if world > 1 else "",
                    dc["seq_len"], dc["stride"], len(ds) // world)
    nw = int(dc["workers"])
    if nw > _cpu_cores():
        # torch's own warning came twice, a raw UserWarning with its source path and no key to change
        if rank == 0:
            log.warning("[data] workers = %d loader processes on %d CPU cores: they compete with the training "
                        "for the cores and can slow or stall it; set [data] workers to at most %d (0: load in "
                        "the main process)", nw, _cpu_cores(), max(0, _cpu_cores() - 1))
        # (for this run only: train() restores the caller's filters, _own_warning_filters)
        warnings.filterwarnings("ignore", message="This DataLoader will create", category=UserWarning)
    epoch, batches_done = 0, 0  # where in the data the run is: last.pt keeps it for --resume
    if ck is not None:
        epoch, batches_done = _restore_data_state(ck, ds, gen, rank, seed, step)
    loader = DataLoader(ds, batch_size=bs, sampler=sampler, drop_last=len(ds) // world >= bs, num_workers=nw,
                        worker_init_fn=_seed_worker if nw else None, persistent_workers=nw > 0,
                        prefetch_factor=4 if nw else None, pin_memory=device.type == "cuda")
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed crop size: pick the fastest conv kernels once
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    net: nn.Module = Unroll(model)
    weights = LossWeights(**cfg["loss"])
    if ddp:
        from torch.nn.parallel import DistributedDataParallel as DDP

        # a parameter no loss term reaches (e.g. the defocus head with [loss] redefocus = sigma = 0)
        # never changes, but DDP waits for its gradient: the second step failed ("Expected to
        # have finished reduction in the prior iteration"). Frozen, DDP leaves it out
        for p in _unused_params(net, params, weights, model.in_channels, device, tc["trainable"] is not None):
            p.requires_grad_(False)
        net = DDP(net, device_ids=[device.index] if device.type == "cuda" else None)
    scaler = torch.amp.GradScaler("cuda", enabled=amp_dtype == torch.float16)
    # rows past last.pt's step (a run that diverged after it) are trained again: not kept twice
    rows: list[dict[str, float]] = ([r for r in _read_csv(out_dir / "log.csv") if r.get("step", 0) <= step]
                                    if ck is not None else [])

    if rank == 0:
        # a refused start (a typo'd --init, another model's weights, an empty data folder) left
        # an empty OUT behind, that a later look at runs/ took for a run
        out_dir.mkdir(parents=True, exist_ok=True)
        # an earlier run's final.pt (and, starting afresh, its last.pt) would pass for this
        # run's when the wall time stops it before it writes its own: keep them, renamed.
        # Only now, when the data and the checkpoint were taken: a refused start leaves them be
        # Afresh, its logs go aside too: the new run's log.csv replaced the one of the kept
        # checkpoint. A last.pt there may mean a forgotten --resume: said as a warning.
        # Every earlier generation is kept (.prev = the newest, .prev2 the one before, ...):
        # one .prev each lost the run before last at the second fresh run
        names = ("final.pt",) if ck is not None else ("final.pt", "last.pt", "log.csv", "log.json", "loss.png")
        for name in names:
            if (out_dir / name).is_file():
                prev, older = _move_aside(out_dir, name)
                shifted = ("" if not older else f" (the older one now {_prev_name(name, 2)})" if older == 1
                           else f" (the older ones now {_prev_name(name, 2)} .. {_prev_name(name, older + 1)})")
                if name == "last.pt":
                    log.warning("%s held an earlier run's last.pt: starting afresh (no --resume); it is "
                                "kept as last.prev.pt%s", out_dir, shifted)
                else:
                    log.info("moved the earlier run's %s aside to %s%s", name, prev, shifted)

    step0 = step
    t_start = time.monotonic()
    t_ckpt = t_start
    elapsed = elapsed0
    meta_base = {"arch": cfg["model"]["arch"], "train_config": cfg, "dataset_windows": sum(len(s.voxels) for s in ds.seqs),
                 "dataset_sequences": len(ds.seqs), "device": str(device), "world_size": world,
                 "torch_threads": torch.get_num_threads(), "torch_version": str(torch.__version__), "init": init_meta,
                 **chain, "amp": _amp_name(amp_dtype), "train_data_abs": _abs_dirs(dc["train"]),
                 "hardware": torch.cuda.get_device_name(device) if device.type == "cuda" else _cpu_name()}

    def meta(loss: float) -> dict[str, Any]:
        return {**meta_base, "step": step, "wall_s": round(elapsed, 1), "loss": _json_loss(loss)}

    def resumable() -> dict[str, Any]:
        """last.pt's extra keys: the optimiser, and where the data stands. An item trained in
        part counts as done (a resume cannot go on inside it without its recurrent state);
        one fetched but not trained yet (Ctrl-C) does not."""
        started = step > batch_step0
        data_state = {"epoch": epoch, "batches": batches_done + started,
                      "rng": ds.rng.bit_generator.state if started else rng_before_batch,
                      **({"sampler": epoch_gen_state} if epoch_gen_state is not None else {})}
        return {"optimizer": opt.state_dict(), "data_state": data_state}

    bar = tqdm(total=_bar_total(step, elapsed0, budget_s, total_steps), initial=step,
               desc=f"train {cfg['model']['arch']}", unit="step",
               disable=not progress or rank != 0, dynamic_ncols=True)
    done = step >= total_steps
    epoch_gen_state, batch_step0, rng_before_batch = None, step, ds.rng.bit_generator.state
    updating = False  # inside the optimiser step: a second Ctrl-C stops it part-way
    try:
        while not done:
            if ddp:
                order.set_epoch(epoch)
            epoch_gen_state = gen.get_state() if gen is not None else None  # before the epoch's order is drawn
            sampler.skip = batches_done * bs
            for batch in loader:
                batch_step0 = step
                batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
                L = batch["voxel"].shape[1]
                chunk = int(dc["tbptt"] or L)
                for c0 in range(0, L, chunk):
                    frac = max(step / total_steps, elapsed / budget_s if budget_s < math.inf else 0.0)
                    lr = tc["lr"] * (tc["lr_min_frac"] + (1 - tc["lr_min_frac"]) * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))
                    for g in opt.param_groups:
                        g["lr"] = lr
                    sub = {k: v[:, c0:c0 + chunk] for k, v in batch.items()}
                    loss, parts = chunk_loss(net, sub, weights, amp_dtype, c0 == 0, dc["loss_skip"],
                                             only_grad=tc["trainable"] is not None)
                    if not loss.requires_grad:
                        raise TrainingError("no loss term reaches a trainable parameter: [train] trainable "
                                            f"{tc['trainable']} with [loss] {cfg['loss']}")
                    with _signals_held():  # a Ctrl-C inside the update: last.pt's step and weights disagreed
                        updating = True
                        optimiser_step(loss, opt, scaler, params, tc["grad_clip"])
                        step += 1
                        updating = False
                        # (here: a Ctrl-C held for the step lands at its end, and last.pt's wall_s
                        # was the step before's)
                        elapsed = elapsed0 + time.monotonic() - t_start
                    logged = step % tc["log_every"] == 0 or step == 1
                    item_end = c0 + chunk >= L  # a checkpoint here resumes exactly (no carried state lost)
                    due = rank == 0 and item_end and time.monotonic() - t_ckpt > tc["ckpt_every_s"]
                    logged = logged or step >= total_steps
                    if logged:  # reading the loss waits for the GPU: only when logged (or saved)
                        last_loss = float(loss.detach())
                        if not math.isfinite(last_loss):  # keep the last good checkpoint, say where it broke
                            if rank == 0:
                                _write_csv(out_dir / "log.csv", rows)
                            raise TrainingError(f"training diverged at step {step} (loss {last_loss}); last good "
                                                f"checkpoint: {last_path if last_path.is_file() else 'none'} "
                                                "(lower [train] lr, or resume with --resume)")
                    elif due:  # rank 0 alone: a loss that is not finite stops every rank at the next logged step
                        now_loss = float(loss.detach())
                        due = math.isfinite(now_loss)
                        last_loss = now_loss if due else last_loss
                    if rank == 0:
                        if not bar.disable:
                            bar.total = _bar_total(step, elapsed, budget_s, total_steps)
                        bar.update(1)
                        if logged:
                            rows.append({"step": step, "wall_s": round(elapsed, 2), "lr": lr, "loss": last_loss,
                                         **{k: float(v) for k, v in parts.items()}})
                            bar.set_postfix(loss=f"{last_loss:.4f}", lr=f"{lr:.1e}")
                        if due:  # only just after a finite loss, at the end of an item
                            save_checkpoint(last_path, model, meta(last_loss), extra=resumable())
                            _write_csv(out_dir / "log.csv", rows)
                            t_ckpt = time.monotonic()
                            if bar.disable:  # --no-progress (a batch job's log): it said nothing until the end
                                log.info("step %d of %d, loss %.4f, lr %.1e, %.1f min: saved %s", step, total_steps,
                                         last_loss, lr, elapsed / 60, last_path)
                    out_of_time = elapsed >= budget_s
                    if ddp and budget_s < math.inf:
                        # each rank reads its own clock: agree (any rank out of time stops all),
                        # or the ranks still training wait forever in the next all-reduce
                        import torch.distributed as dist

                        flag = torch.tensor([float(out_of_time)], device=device)
                        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
                        out_of_time = bool(flag.item())
                    if step >= total_steps or out_of_time:
                        done = True
                        break
                if done:
                    break
                batches_done += 1
                rng_before_batch = ds.rng.bit_generator.state
            if not done:  # a run that stops inside the epoch keeps its place in it (last.pt's data_state)
                epoch, batches_done = epoch + 1, 0
    except KeyboardInterrupt:
        # Ctrl-C: keep what this run trained (resumable last.pt, the logs), then let the CLI
        # say "interrupted". Weights a diverging step may have spoiled are not written.
        bar.close()
        if rank == 0 and updating:  # (a second Ctrl-C: the step not counted, its update perhaps begun)
            log.warning("stopped inside step %d's optimiser update (a second Ctrl-C): the weights saved may be "
                        "part-way into it", step + 1)
        if rank == 0 and step > step0:
            last_loss = _log_last_step(rows, step, elapsed, lr, loss, parts, last_loss)
            if all(bool(torch.isfinite(p).all()) for p in model.parameters()):
                save_checkpoint(last_path, model, meta(last_loss), extra=resumable())
                log.info("interrupted at step %d: saved %s (go on with %s)", step, last_path,
                         f"`{resume_command}`" if resume_command else "--resume")
            else:
                log.warning("interrupted at step %d: the weights are not finite; %s not written", step, last_path)
            _write_logs(out_dir, rows, {**meta(last_loss), "params": model.num_parameters(),
                                        "checkpoint": str(last_path), "interrupted": True})
        raise
    except BaseException:  # a diverged loss, a full disk: end the bar's line, or the CLI's one-line error joins it
        bar.close()
        raise
    if rank == 0 and step > step0:
        last_loss = _log_last_step(rows, step, elapsed, lr, loss, parts, last_loss)
    if not bar.disable and step < total_steps:  # stopped by the wall time: the bar ends full
        bar.total = step
        bar.refresh()
    bar.close()
    summary = {}
    if rank == 0:
        save_checkpoint(last_path, model, meta(last_loss), extra=resumable())
        final = save_checkpoint(out_dir / "final.pt", model, meta(last_loss))
        summary = _write_logs(out_dir, rows, {**meta(last_loss), "params": model.num_parameters(),
                                              "checkpoint": str(final)})
    if ddp:
        import torch.distributed as dist

        dist.barrier()
    return summary


def chunk_loss(net: nn.Module, sub: dict[str, torch.Tensor], weights: LossWeights, amp_dtype: torch.dtype | None,
               reset: bool, loss_skip: int, only_grad: bool) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """One truncated-BPTT chunk: the forward of ``net`` (an :class:`Unroll`, or DDP around
    one) under autocast to ``amp_dtype`` (none: fp32) and the loss over its windows, the
    first ``loss_skip`` after a reset not scored. The training loop's and ``evfocus
    bench``'s training step, so the bench times what training runs."""
    voxel = sub["voxel"]
    with torch.autocast(voxel.device.type, dtype=amp_dtype or torch.bfloat16, enabled=amp_dtype is not None):
        outputs = net(voxel, reset)
    # (an item from a sequence shorter than seq_len may be shorter than loss_skip + 1)
    skip = min(loss_skip, len(outputs) - 1) if reset else 0
    count = model_count_channel(getattr(getattr(net, "module", net), "model", None))  # (DDP: the Unroll is .module)
    return sequence_loss(outputs, sub, weights, skip=skip, only_grad=only_grad, count_channel=count)


def _log_last_step(rows: list[dict[str, float]], step: int, elapsed: float, lr: float, loss: torch.Tensor,
                   parts: dict[str, Any], last_loss: float) -> float:
    """The run's last step as a log row when it ended between ``log_every`` steps (the wall
    time, a Ctrl-C), and its loss: last.pt, final.pt, log.json and the summary gave the last
    logged step's loss as this step's, and log.csv and loss.png stopped short of it."""
    if rows and rows[-1]["step"] >= step:
        return last_loss
    end_loss = float(loss.detach())
    if not math.isfinite(end_loss):  # the divergence check at the next logged step never came
        return last_loss
    rows.append({"step": step, "wall_s": round(elapsed, 2), "lr": lr, "loss": end_loss,
                 **{k: float(v) for k, v in parts.items()}})
    return end_loss


def _signals_held():
    """The block runs to its end; a Ctrl-C or SIGTERM meanwhile goes to the handler it found
    after it. Inside the optimiser step it stopped the run with the weights updated and the
    step not counted (or half the parameters updated): last.pt then held step k's count with
    step k+1's weights, and --resume trained step k+1 twice. A second one of the same signal
    goes at once: a step that never ends (a rank gone from an all-reduce) could not be stopped
    but by kill -9. Main thread, Python handlers only (:func:`~evfocus_live.cli.signals.held_signals`)."""
    from ..cli.signals import held_signals

    return held_signals((signal.SIGINT, signal.SIGTERM), second="deliver", on_held=_say_held)


def _say_held(signum: int) -> None:
    log.warning("%s: stopping after this optimiser step (again to stop at once, its update half done)",
                signal.Signals(signum).name)


def optimiser_step(loss: torch.Tensor, opt: torch.optim.Optimizer, scaler: torch.amp.GradScaler,
                   params: list[nn.Parameter], grad_clip: float | None) -> None:
    """Backward, gradient clipping (``grad_clip`` > 0) and the optimiser's step; ``scaler``
    scales the loss under fp16 autocast (a disabled one otherwise)."""
    opt.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    if grad_clip:
        scaler.unscale_(opt)
        torch.nn.utils.clip_grad_norm_(params, grad_clip)
    scaler.step(opt)
    scaler.update()


def _precision_change(meta: dict[str, Any], amp_dtype: torch.dtype | None, last_path: Path) -> str | None:
    """--resume of a run that trained so far in another precision (another machine, an edited
    ``amp``, or a last.pt from before "auto" meant bf16 on a CPU with native bf16): it goes
    on in the new one (the weights and Adam's moments are fp32 either way), said, with how
    to keep the old. None when the same, or when last.pt's meta does not say."""
    was, now = meta.get("amp"), _amp_name(amp_dtype)
    if not isinstance(was, str) or was == now:
        return None
    text = {"off": "fp32", "bfloat16": "bf16 autocast", "float16": "fp16 autocast"}
    keep = {"off": '[train] amp = "off"', "bfloat16": '[train] amp = "bf16"'}.get(was)
    return (f"--resume: {last_path} trained in {text.get(was, was)} so far; the rest of the run trains in "
            f"{text.get(now, now)}" + (f" ({keep} keeps {text[was]})" if keep else ""))


def _unused_params(net: Unroll, params: list[nn.Parameter], weights: LossWeights, in_channels: int,
                   device: torch.device, only_grad: bool) -> list[nn.Parameter]:
    """The trained parameters that get no gradient from the loss (a term weighted 0, e.g.
    ``[loss] redefocus = sigma = 0`` leaves the defocus head out), which therefore never
    change. One backward pass on a small zero batch tells; no weight changes."""
    z = torch.zeros(1, 2, 1, 16, 16, device=device)
    batch = {"voxel": torch.zeros(1, 2, in_channels, 16, 16, device=device), "sharp": z, "blurred": z, "sigma": z}
    loss, _ = sequence_loss(net(batch["voxel"]), batch, weights, only_grad=only_grad,
                            count_channel=model_count_channel(net.model))
    if not loss.requires_grad:  # the training loop says so in one line
        return []
    loss.backward()
    unused = [p for p in params if p.grad is None]
    for p in params:
        p.grad = None
    net.model.reset_states()
    if unused:
        log.info("%d parameters get no gradient from the [loss] terms (weighted 0): frozen",
                 sum(p.numel() for p in unused))
    return unused


def _bar_total(step: int, elapsed_s: float, budget_s: float, total_steps: int) -> int:
    """The progress bar's end: the steps the wall-time budget will allow at the rate so far,
    when it ends the run first (steps = 100000 with max_minutes = 40, as the shipped configs:
    a bar over the step budget said 0 % and an ETA of days); else the step budget."""
    if budget_s == math.inf or elapsed_s <= 0 or step <= 0:
        return total_steps
    return min(total_steps, max(step, round(step * budget_s / elapsed_s)))


def _resume_from(ck: dict[str, Any], last_path: Path, model: nn.Module, opt: torch.optim.Optimizer,
                 trainable: list[str] | None) -> None:
    """Load last.pt's weights and optimiser state; CheckpointError (one line) when they are
    another model's, or when ``[train] trainable`` changed since: Adam's moments belong to
    the parameters trained then, and a fresh optimiser would hide that the run's steps
    trained two different sets (a new set is a new stage: ``--init`` from last.pt).
    A last.pt of a newer evfocus-live (its ``evfocus_version``) that does not fit is refused
    with both versions named, as ``load_checkpoint`` does: its "different model" or
    "trainable changed" guesses sent the user to the wrong fix. One with an architecture or
    [model] option this install lacks is refused even where its tensors fit: the option
    would be dropped without a word and the run go on as another network."""
    newer = newer_hint(ck.get(VERSION_KEY), to="resume it")
    have, want = dict(ck.get("config") or {}), dict(model.config)
    if unknown_here(str(ck["arch"]), have):
        raise CheckpointError(f"{last_path} is a checkpoint of a model this evfocus-live does not know "
                              f"({_model_diff(ck, model)})"
                              + (newer or "; saved by a newer evfocus-live? upgrade evfocus-live to resume it"))
    try:  # a checkpoint of another model: one line, not a traceback listing every key
        if ck["arch"] != model.arch:
            raise RuntimeError("another architecture")
        # an option that changes no tensor's shape (sigmas_px: the same number of other blur
        # levels) loaded without a word and trained on as another network; options the file
        # lacks (added to the code since) are not compared
        if any(have[k] != want[k] for k in set(have) & set(want)):
            raise RuntimeError("another [model] config")
        model.load_state_dict(ck["state_dict"])
    except RuntimeError as exc:
        raise CheckpointError(f"{last_path} is a checkpoint of a different model "
                              f"({_model_diff(ck, model)})" + (newer or "; use another --out or drop --resume")) from exc
    if "optimizer" not in ck:
        return
    tc_then = ck["meta"].get("train_config", {}).get("train", {})
    was = tc_then.get("trainable") if "trainable" in tc_then else trainable  # an old meta: trust the state's shape
    refusal = (f"{last_path}: its optimiser state does not fit: [train] trainable changed (was {was}, now "
               f"{trainable}); restore it, or start a new stage with --init {last_path} and another --out")
    if was != trainable:
        raise CheckpointError(refusal)
    try:
        opt.load_state_dict(ck["optimizer"])
    except (ValueError, KeyError, RuntimeError) as exc:
        raise CheckpointError(f"{last_path}: its optimiser state does not fit{newer}" if newer else refusal) from exc


def _say_init_unused(init: str | None, init_meta: Any, last_path: Path, rank: int) -> None:
    """``--init`` (or ``[train] init``) with ``--resume`` and a ``last.pt`` there: the run goes
    on from ``last.pt`` and those weights are not loaded. Silent when they are the ones the run
    started from (a script that always passes both); else a warning, as the user asked for
    other weights (the old code ignored them without a word)."""
    if not init or rank != 0:
        return
    was = init_meta.get("path") if isinstance(init_meta, dict) else None
    # the file as the first run resolved it: its "path" is as given, relative to where it ran,
    # and a resume from another folder (the same weights by another relative path) was told
    # they were not loaded
    was_abs = (init_meta.get("path_abs") if isinstance(init_meta, dict) else None) or was
    if was_abs is not None and os.path.realpath(was_abs) == os.path.realpath(init):
        return
    log.warning("--resume: %s goes on from its own weights; --init %s is not loaded (that run started "
                "from %s): drop --resume, or use another --out, to start from %s", last_path, init,
                was or "random weights", init)


#: what a resumed run may change without a word: the budgets it goes on to, and where it writes
_RESUME_FREE = {("train", "steps"), ("train", "max_minutes"), ("train", "out"), ("train", "init")}


def _config_changes(then: Any, now: dict[str, Any]) -> list[str]:
    """``[section] key old -> new`` for each setting a resumed run changes (an edited config
    file, --lr, --data): last.pt's meta would otherwise record the new config as the whole
    run's. Keys last.pt's config lacks (added to the code since) are not changes."""
    if not isinstance(then, dict):
        return []
    out = []
    for section, values in now.items():
        was = then.get(section) if isinstance(then.get(section), dict) else {}
        for key in sorted(set(values) & set(was)):
            if (section, key) not in _RESUME_FREE and was[key] != values[key]:
                out.append(f"[{section}] {key} {was[key]!r} -> {values[key]!r}")
    return out


class _SkipSampler(torch.utils.data.Sampler):
    """Another sampler's order, less its first ``skip`` indices in the next pass only: a
    resumed run goes on with the items its epoch had not reached, rather than repeating
    the epoch's first ones (every resume from the start of the same order)."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.skip = 0

    def __iter__(self):
        it, skip = iter(self.inner), self.skip
        self.skip = 0
        for _ in range(skip):
            if next(it, None) is None:
                return
        yield from it

    def __len__(self) -> int:
        return len(self.inner)


def _restore_data_state(ck: dict[str, Any], ds: Any, gen: torch.Generator | None, rank: int, seed: int,
                        step: int) -> tuple[int, int]:
    """Put the data order and the augmentation stream where last.pt left them; returns
    (epoch, batches done in it). The same run resumed then trains the same items with the
    same crops as one run straight through (``[data] workers = 0``; loader processes draw
    their own streams). A last.pt from before this was recorded: a fresh order seeded by
    the step, so at least it does not replay the first items."""
    st = ck.get("data_state")
    try:
        epoch, batches = int(st["epoch"]), int(st["batches"])
        if gen is not None:
            gen.set_state(st["sampler"])
        if rank == 0:
            ds.rng.bit_generator.state = st["rng"]
        else:  # only rank 0 writes last.pt: the others take a stream of their own
            ds.rng = np.random.default_rng([seed, step])
        return epoch, batches
    except (TypeError, KeyError, ValueError, RuntimeError):
        log.info("last.pt does not say where its data stood: a new order from here (seed %d, step %d)", seed, step)
        if gen is not None:
            gen.manual_seed(seed * 1_000_003 + step)
        ds.rng = np.random.default_rng([seed, step])
        return 0, 0


def _abs_dirs(train: str | list[str]) -> list[str]:
    """``[data] train`` as absolute folders: the config keeps them as written (relative to where
    the run started), and ``evfocus eval`` from another folder missed the run's training data."""
    return [str(Path(d).resolve()) for d in ([train] if isinstance(train, str) else train)]


def _finite_or_nan(v: Any) -> float:
    return float(v) if _is_num(v) else float("nan")


def _json_loss(v: Any) -> float | None:
    """A loss for JSON and checkpoint metas: None where there is none (NaN is not JSON)."""
    return float(v) if _is_num(v) else None


def _write_logs(out_dir: Path, rows: list[dict[str, float]], summary: dict[str, Any]) -> dict[str, Any]:
    """log.csv, loss.png and log.json (the summary, first and last losses added); returns it."""
    _write_csv(out_dir / "log.csv", rows)
    draw_loss_curve(rows, out_dir / "loss.png")
    losses = [r["loss"] for r in rows if _is_num(r.get("loss"))]
    summary = {**summary, "first_loss": losses[0] if losses else None,
               "final_loss_avg": float(np.mean(losses[-10:])) if losses else None}
    (out_dir / "log.json").write_text(json.dumps(summary, indent=2, default=str))
    return summary


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "cpu"


def _prev_name(name: str, generation: int = 1) -> str:
    """``log.csv`` -> ``log.prev.csv`` (generation 1, the newest kept), ``log.prev2.csv``, ..."""
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.prev{generation if generation > 1 else ''}{dot}{ext}"


def _move_aside(out_dir: Path, name: str) -> tuple[str, int]:
    """Rename ``out_dir/name`` to its ``.prev`` name, first moving the kept ones a generation
    back (``.prev`` -> ``.prev2`` -> ...) up to the first free number, oldest first: an
    interruption leaves a gap, never a file written over. Returns (the new name, how many
    kept ones moved back)."""
    free = 1
    while os.path.lexists(out_dir / _prev_name(name, free)):
        free += 1
    for g in range(free - 1, 0, -1):
        (out_dir / _prev_name(name, g)).replace(out_dir / _prev_name(name, g + 1))
    (out_dir / name).replace(out_dir / _prev_name(name))
    return _prev_name(name), free - 1


def _write_csv(path: Path, rows: list[dict[str, float]]) -> None:
    if not rows:
        return
    first = ("step", "wall_s", "lr", "loss")
    keys = sorted({k for r in rows for k in r}, key=lambda k: (first.index(k) if k in first else len(first), k))
    tmp = path.with_name(path.name + ".tmp")  # a kill while writing leaves the last whole log.csv
    with open(tmp, "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=keys)
        wr.writeheader()
        wr.writerows(rows)
    os.replace(tmp, path)


def _read_csv(path: Path) -> list[dict[str, float]]:
    """The rows of an earlier log.csv, whole numbers (the step) kept ints, so that the
    rewritten file does not turn "84" into "84.0" next to the new rows' "92". A row that
    does not read (a log.csv cut short, or edited) is left out with a warning: --resume
    stopped on it with a TypeError traceback."""
    if not path.is_file():
        return []
    rows, bad = [], 0
    try:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                try:
                    row = {k: _number(v) for k, v in r.items() if v != ""}
                except (TypeError, ValueError):  # a missing field is None, an extra one a list
                    row = {}
                if _is_num(row.get("step")):
                    rows.append(row)
                else:
                    bad += 1
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        log.warning("%s: cannot read the rest of it (%s)", path, exc)
    if bad:
        log.warning("%s: %d row(s) that do not read left out", path, bad)
    return rows


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)
