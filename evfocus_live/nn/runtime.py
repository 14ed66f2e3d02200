"""Inference runtime: run a recurrent model faster on the CPU without changing its outputs.

:func:`optimize_for_inference` wraps a model in an :class:`InferenceModel` with the same
contract (``reset_states()``, ``forward(voxel) -> dict``, ``config``). The recurrent state
stays in the model (its ``states`` property), so ``model.reset_states()`` called by anyone
is honoured and the wrapper can fall back to the plain model at any frame.

Backends (bench/bench_runtime.py measures them; numbers for the light EvFocus, 1 thread,
2-core shared EPYC, same process, interleaved):

- ``eager``: the model itself under ``torch.inference_mode`` with channels-last weights
  and input (oneDNN otherwise re-orders every weight on every call): 1.03-1.08x;
- ``jit``: the step ``(voxel, *states) -> (*outputs, *states)`` traced and frozen with
  TorchScript, one build per input shape (its frame takes 0.35 s at 346x260, 2.8 s at 1280x720):
  1.09-1.13x at 346x260, 1.11-1.16x at 1280x720. ``jit_optimize=True`` adds
  ``torch.jit.optimize_for_inference`` (oneDNN blocked layouts): 0.66-0.8x here, off;
- ``onnx``: the same step exported to ONNX and run by ONNX Runtime (optional extra
  ``[onnx]``), recurrent states as explicit inputs/outputs: 1.0-1.06x at 346x260,
  1.3x at 1280x720;
- ``compile``: ``torch.compile`` (inductor, C++ build with the system gcc): 1.07x after
  100 s of compiling, so never chosen automatically;
- ``auto``: ``jit`` on the CPU for models with a ``states`` property, else ``eager``.

``precision="bf16"`` runs the plain model under bf16 autocast on CPUs with native
bf16 (and on CUDA GPUs with bf16, see :func:`device_precision`; elsewhere fp32, said in one
line by :func:`bf16_problem`): 1.4x at 346x260, 1.6x at 1280x720 for the shipped light model, outputs within ~2e-2
of fp32 and the same SSIM to 1e-3 on the held-out set. ``auto`` picks it where the CPU
has native bf16 and is the live pipeline's default (a live view wants the frame rate);
``evfocus reconstruct`` stays fp32 unless asked, since offline outputs should match the
trained fp32 weights exactly.

The first frame after a reset runs the plain model (it makes the state by the model's
own rules); a step is built when the same input/state shapes come twice in a row (from the
third frame after a reset or a resolution change on), and is checked once against
the plain model (largest difference :data:`CHECK_ATOL`). Any failure to build, check or
run it is logged once and the wrapper falls back to ``eager`` for good: an optimisation
never stops the pipeline. A frozen step holds a copy of the weights: wrap the model again
after changing them. Models with the same weights (the viewer loads the model again for each
new source) share their built steps, the newest :data:`STEP_CACHE_SIZE`; a shared step that
fails the check is built once more, and threads that want the same step at once build it
once. torch itself never frees a trace (~8 MB each for the light model); the ``jit`` backend
gives that memory back after each build (:func:`_traced`), down to ~0.4 MB a trace.

Threads: with libgomp's default (active) wait policy, 2 intra-op threads on this 2-core
machine are 2-4x *slower* than 1 whenever anything else runs (a training job, or our own
reader and GUI threads): the spinning worker takes the core the lagging one needs. With
``OMP_WAIT_POLICY=PASSIVE`` (set before torch is imported) 2 threads are no worse than 1
under load; on an idle machine they can help. :func:`default_threads` is therefore 1.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import itertools
import logging
import os
import re
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable

import torch
from torch.utils import _pytree as pytree

from ..errors import first_line

log = logging.getLogger(__name__)

BACKENDS = ("auto", "eager", "jit", "onnx", "compile")
#: ``bf16`` runs the plain model under CPU autocast (1.4-1.6x, outputs within ~2e-2);
#: ``auto`` is bf16 where the CPU has native bf16, else fp32 (the live viewer's default)
PRECISIONS = ("auto", "fp32", "bf16")


def default_threads() -> int:
    """Torch intra-op threads for inference: 1 (measured, see the module doc)."""
    return 1


def set_threads(threads: int | None) -> int:
    """Set torch's intra-op thread count (``None``/0: :func:`default_threads`); returns it."""
    n = int(threads) if threads else default_threads()
    n = max(1, min(n, os.cpu_count() or 1))
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n


def _has_states(model) -> bool:
    return isinstance(model, torch.nn.Module) and isinstance(getattr(type(model), "states", None), property)


class _Step(torch.nn.Module):
    """``(voxel, *flat_states) -> (*outputs, *flat_states)``: the model as a pure function."""

    def __init__(self, model: torch.nn.Module, spec, keys: tuple[str, ...]):
        super().__init__()
        self.model = model
        self.spec = spec
        self.keys = keys

    def forward(self, voxel: torch.Tensor, *flat: torch.Tensor):
        saved = self.model.states
        try:
            self.model.states = pytree.tree_unflatten(list(flat), self.spec)
            out = self.model(voxel)
            new_flat, _ = pytree.tree_flatten(self.model.states)
        finally:
            self.model.states = saved
        return (*[out[k] for k in self.keys], *new_flat)


class InferenceModel:
    """A model prepared for inference; same contract as the model it wraps.

    Parameters:
        model: a network following the recurrent-model contract (``evfocus_live.nn.base``).
        backend: one of :data:`BACKENDS`.
        precision: ``fp32``, ``bf16`` (autocast where the model's device has native bf16, see
            :func:`bf16_supported`) or ``auto`` (bf16 where the CPU has it natively, fp32
            elsewhere, silently).
        channels_last: channels-last conv weights on the CPU (the networks' ``pad_to_multiple``
            makes their input channels-last there already).

    Example:
        >>> runner = optimize_for_inference(build_model("evfocus", LIGHT))
        >>> out = runner(voxel)  # out["image"]
    """

    def __init__(self, model, backend: str = "auto", *, channels_last: bool = True, jit_optimize: bool = False,
                 precision: str = "fp32"):
        if backend not in BACKENDS:
            raise ValueError(f"unknown inference backend {backend!r} (one of {', '.join(BACKENDS)})")
        if precision not in PRECISIONS:
            raise ValueError(f"unknown inference precision {precision!r} (one of {', '.join(PRECISIONS)})")
        self.module = model
        self.requested = backend
        self.fallback_reason: str | None = None
        dev = _device_of(model)
        self.precision = "fp32"
        if precision == "auto":
            precision = "bf16" if dev.type == "cpu" and isinstance(model, torch.nn.Module) and _bf16_fast() else "fp32"
        self._autocast = dev.type
        if precision == "bf16":
            problem = (bf16_problem(dev) if isinstance(model, torch.nn.Module)
                       else "precision bf16 needs a torch.nn.Module: running fp32")
            if problem is None:
                if backend not in ("auto", "eager"):
                    log.info("bf16 runs the plain model under autocast: backend %s not used", backend)
                self.precision, backend = "bf16", "eager"  # autocast: no traced step
                # (DEBUG: a routine choice; the caller's "running ... in bf16" says it)
                log.debug("inference backend eager under bf16 autocast (this %s has native bf16)",
                         "GPU" if dev.type == "cuda" else "CPU")
            else:  # asked for by name: say so where it shows (warning), since it costs the speed-up
                log.warning("%s", problem)
        if backend == "onnx" and not _onnx_available():
            self.fallback_reason = "backend onnx needs onnxruntime and onnx (pip install -e '.[onnx]')"
            log.warning("%s: running the plain model", self.fallback_reason)
            backend = "eager"
        if backend == "auto":
            backend = "jit" if dev.type == "cpu" and _has_states(model) else "eager"
        if backend != "eager" and not _has_states(model):
            log.info("%s: no states property, running it as is (eager)", type(model).__name__)
            backend = "eager"
        self.backend = backend
        self.channels_last = bool(channels_last and dev.type == "cpu" and _has_states(model))
        if self.channels_last and isinstance(model, torch.nn.Module):
            # oneDNN otherwise re-orders every conv weight to the input's layout on each call
            model.to(memory_format=torch.channels_last)
        self.jit_optimize = bool(jit_optimize)
        self._steps: dict[tuple, Callable | None] = {}
        self._keys: dict[tuple, tuple[str, ...]] = {}
        self._last_key: tuple | None = None
        self.build_s: dict[tuple, float] = {}

    @property
    def never_built(self) -> bool:
        """A backend that builds a step (jit, onnx, compile) but has built none: the run ended
        before the frame it builds at (the third after a start or reset), so the plain model ran
        every frame (a caller says so: ``--backend compile`` was otherwise silently not used)."""
        return self.backend != "eager" and self.precision == "fp32" and not self._steps

    @property
    def label(self) -> str:
        """What runs, for the UI: ``jit``, ``eager``, ``eager/bf16``..."""
        return self.backend if self.precision == "fp32" else f"{self.backend}/{self.precision}"

    # --- the model contract ---------------------------------------------------------
    @property
    def config(self):
        return getattr(self.module, "config", None)

    @property
    def arch(self):
        return getattr(self.module, "arch", type(self.module).__name__)

    @property
    def states(self):
        return getattr(self.module, "states", None)

    def reset_states(self) -> None:
        self.module.reset_states()

    def __call__(self, voxel: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.forward(voxel)

    def forward(self, voxel: torch.Tensor) -> dict[str, torch.Tensor]:
        with torch.inference_mode():
            if self.precision == "bf16":
                return self._forward_bf16(voxel)
            if self.backend == "eager" or self.module.states is None:
                return self.module(voxel)
            flat, spec = pytree.tree_flatten(self.module.states)
            if not all(isinstance(t, torch.Tensor) for t in flat):
                return self.module(voxel)
            key = (tuple(voxel.shape), voxel.dtype, str(spec), tuple(tuple(t.shape) for t in flat))
            step = self._steps.get(key, ...)
            if step is ...:
                if key != self._last_key:
                    # build on the second frame with this signature: a transition frame (new
                    # resolution with the old state) would get a step that is used once
                    self._last_key = key
                    return self.module(voxel)
                step, res = self._build(key, voxel, flat, spec)  # res: this frame, checked
                if step is None:
                    return self.module(voxel)
            elif step is None:
                return self.module(voxel)
            else:
                try:
                    res = step(voxel, *flat)
                except Exception as exc:  # an optimised step that fails at run time: never again
                    self._give_up(f"{type(exc).__name__}: {exc}")
                    return self.module(voxel)
            keys = self._keys[key]
            out = dict(zip(keys, res[:len(keys)]))
            self.module.states = pytree.tree_unflatten(list(res[len(keys):]), spec)
            return out

    def _forward_bf16(self, voxel: torch.Tensor):
        """The plain model under bf16 autocast, its outputs (any tree of tensors: a dict, or a
        bare tensor as ``pipeline.process_window`` accepts) and carried state back in fp32.
        Any failure under autocast but running out of memory is logged once and this frame and
        every later one run the plain model in fp32 (an optimisation never stops the pipeline)."""
        states = _has_states(self.module)
        saved = self.module.states if states else None  # a shallow copy: a failed call cannot touch it
        try:
            with torch.autocast(self._autocast, dtype=torch.bfloat16):
                out = self.module(voxel)
        except (torch.OutOfMemoryError, MemoryError):
            raise  # not a bf16 problem (fp32 needs more memory): the caller's out-of-memory path
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            if states:
                self.module.states = saved
            # fp32 first, then the word: a model that fails in fp32 too (a plugin's bug) is not a
            # bf16 problem, and its one error line came after a "bf16 inference failed" that sent
            # its author looking at precision
            out = self.module(voxel)
            log.warning("bf16 inference failed (%s): running fp32 from now on", reason.splitlines()[0][:200])
            self.fallback_reason = reason
            self.precision = "fp32"
            return out
        to_fp32 = lambda t: t.float() if isinstance(t, torch.Tensor) and t.is_floating_point() else t  # noqa: E731
        if states:  # keep the carried state fp32
            self.module.states = pytree.tree_map(to_fp32, self.module.states)
        return pytree.tree_map(to_fp32, out)

    # --- building ---------------------------------------------------------------------
    def _give_up(self, reason: str) -> None:
        log.warning("inference backend %s failed (%s): falling back to the plain model",
                    self.backend, reason.splitlines()[0][:200] if reason else "?")
        self.fallback_reason = reason
        self.backend = "eager"
        self._steps.clear()

    def _build(self, key, voxel, flat, spec):
        """The optimised step for this shape and its checked result for this frame.

        ``(None, None)``: use the plain model. Costs about two forwards (the plain one the
        result is checked against, and the trace) on top of the frame itself. A step shared by
        another model with the same weights that fails the check (something outside the weights
        changed the model: an attribute set at run time) is replaced by one built once more.
        """
        t0 = time.perf_counter()
        saved = self.module.states
        training = self.module.training
        try:
            probe = self.module(voxel)  # output keys, and a reference for the check below
            probe_states = pytree.tree_leaves(self.module.states)
            self.module.states = saved
            keys = tuple(k for k, v in probe.items() if isinstance(v, torch.Tensor))
            want = [probe[k] for k in keys] + probe_states
            names = [*keys, *(["state"] * len(probe_states))]
            # the wrapper in the model's mode: exporters restore the wrapper's mode afterwards,
            # recursively, and a fresh Module is in training mode
            fn = _Step(self.module, spec, keys).train(training)
            args = (voxel, *flat)

            def make():  # build and check: only a checked step is shared
                step = (_build_jit(fn, args, optimize=True) if self.backend == "jit" and self.jit_optimize
                        else BUILDERS[self.backend](fn, args))
                return step, _checked(step, args, names, want)

            if self.backend == "compile":  # (the rest build in seconds; this one in ~90 s, silently)
                log.info("inference backend compile: building for input %s with torch.compile; this may take "
                         "a minute or more on a CPU", tuple(voxel.shape))
            cache_key = self._cache_key(training, key, keys)
            step, res, shared = _shared_step(cache_key, make)
            if shared:
                try:
                    res = _checked(step, args, names, want)
                except Exception as exc:
                    log.info("inference backend %s: the step shared by a model with the same weights does "
                             "not match this one (%s): building it again", self.backend, _first_line(exc))
                    try:
                        step, res, shared = _shared_step(cache_key, make, stale=step)
                        if shared:  # another thread built it again meanwhile
                            res = _checked(step, args, names, want)
                    except Exception as again:
                        raise RuntimeError("the shared step and one built again both differ from this model "
                                           f"({_first_line(again)})") from again
        except Exception as exc:
            self.module.states = saved
            self._give_up(f"{type(exc).__name__}: {exc}")
            return None, None
        finally:
            self.module.states = saved
            self.module.train(training)
        self._keys[key] = keys
        self._steps[key] = step
        self.build_s[key] = time.perf_counter() - t0
        quick = self.build_s[key] < BUILD_SAID_S and self.backend != "compile"  # (compile said it starts)
        log.log(logging.DEBUG if quick else logging.INFO, "inference backend %s ready for input %s in %.1f s",
                self.backend, tuple(voxel.shape), self.build_s[key])
        return step, res

    def _cache_key(self, training: bool, key: tuple, keys: tuple[str, ...]) -> tuple | None:
        """The shared-step key, or None (not shared: another backend, or weights that cannot be hashed)."""
        if self.backend not in SHARED_BACKENDS or not isinstance(self.module, torch.nn.Module):
            return None
        try:
            digest = _weights_digest(self.module)
        except Exception as exc:  # e.g. quantized or meta tensors: build a step of its own
            log.debug("weights digest failed (%s): step not shared", _first_line(exc))
            return None
        return (digest, self.backend, self.jit_optimize, training, key, keys)


def _first_line(exc: BaseException) -> str:
    """``Type: first line`` of an exception, for a log line (torch's errors span pages)."""
    return f"{type(exc).__name__}: {first_line(exc, 'no detail')}"[:200]


def _checked(step: Callable, args: tuple, names: list[str], want: list[torch.Tensor]) -> tuple:
    """``step(*args)``, raising RuntimeError unless it agrees with the plain model's ``want``."""
    res = step(*args)
    if len(res) != len(want):
        raise RuntimeError(f"step returned {len(res)} tensors, the plain model {len(want)}")
    for name, r, p in zip(names, res, want):
        err = float((r.float() - p.float()).abs().max()) if r.shape == p.shape else float("inf")
        if not err <= CHECK_ATOL:
            raise RuntimeError(f"{name} differs from the plain model by {err:.2g}")
    return res


#: a backend built in this many seconds or more is said at INFO (a pause with no frame); a
#: quicker one only with -v: "jit ready ... in 0.3 s" sat among a headless run's rate lines
BUILD_SAID_S = 1.0

#: largest absolute difference between an optimised step and the plain model (outputs in [0,1])
CHECK_ATOL = 1e-4

#: backends whose step is a pure function of its inputs and a copy of the weights (a frozen trace,
#: an ONNX session), so that it can serve any model with the same weights (``compile`` runs the
#: live module: not shared)
SHARED_BACKENDS = ("jit", "onnx")
#: steps kept for reuse (the newest): each holds a copy of its model's weights
STEP_CACHE_SIZE = 4
#: built steps by (weights digest, backend, options, input/state signature, output keys): the
#: viewer loads the model again for each new source, and tracing it again cost a build and, before
#: :func:`_traced`, ~8 MB of memory a switch. The same weights reuse the step (still checked
#: against the plain model before it is used).
_STEP_CACHE: OrderedDict[tuple, Callable] = OrderedDict()
#: guards _STEP_CACHE and _BUILDING; never held while a step is built
_STEP_CACHE_LOCK = threading.Lock()
#: the lock of each key being built now (single-flight builds, see :func:`_shared_step`)
_BUILDING: dict[tuple, threading.Lock] = {}


def _weights_digest(model: torch.nn.Module) -> str:
    """A digest of the model's class, config, parameters and buffers (names, shapes, bytes)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{type(model).__module__}.{type(model).__qualname__} {getattr(model, 'config', None)!r}".encode())
    for name, t in itertools.chain(model.named_parameters(), model.named_buffers()):
        t = t.detach()
        h.update(f"{name} {t.dtype} {tuple(t.shape)} {t.device}".encode())
        h.update(t.reshape(-1).view(torch.uint8).cpu().numpy().tobytes())
    return h.hexdigest()


def _shared_step(cache_key: tuple | None, make: Callable[[], tuple], stale: Callable | None = None):
    """``(step, res, shared)``: the cached step for ``cache_key`` (``res`` None, ``shared`` True),
    else ``make()``'s ``(step, res)``, then cached. ``stale``: a cached step found wrong, replaced.

    Single-flight: threads that want the same key at once (the viewer and a reconstruct job,
    two pipelines) wait for the one that builds it, then share its step; a lock per key, so a
    build never waits for another key's. If the build fails, the next waiter tries its own.
    """
    if cache_key is None:
        return (*make(), False)
    while True:
        with _STEP_CACHE_LOCK:
            step = _STEP_CACHE.get(cache_key)
            if step is not None and step is not stale:
                _STEP_CACHE.move_to_end(cache_key)
                return step, None, True
            lock = _BUILDING.setdefault(cache_key, threading.Lock())
        with lock:
            with _STEP_CACHE_LOCK:
                if _BUILDING.get(cache_key) is not lock:
                    continue  # built (or given up) while this thread waited: look again
            try:
                step, res = make()
                with _STEP_CACHE_LOCK:
                    _STEP_CACHE[cache_key] = step
                    _STEP_CACHE.move_to_end(cache_key)
                    while len(_STEP_CACHE) > STEP_CACHE_SIZE:
                        _STEP_CACHE.popitem(last=False)
            except BaseException:
                with _STEP_CACHE_LOCK:
                    if _STEP_CACHE.get(cache_key) is stale and stale is not None:
                        del _STEP_CACHE[cache_key]  # wrong for this model, and no better one
                raise
            finally:
                with _STEP_CACHE_LOCK:
                    if _BUILDING.get(cache_key) is lock:
                        del _BUILDING[cache_key]
            return step, res, False


def bf16_supported(device: str | torch.device) -> bool:
    """Whether ``precision="bf16"`` runs bf16 on ``device`` (a type, ``"cuda:1"`` or a
    ``torch.device``): a CPU with native bf16 (AVX512-BF16/AMX; emulated it is slower than fp32)
    or a CUDA GPU with bf16 (compute capability 8.0+). The GPU asked about is that device's
    index (the current one had a T4 beside an A100 answer for the other). One rule for the CLI,
    the viewer and a settings file's ``[model] precision``."""
    dev = _as_device(device)
    if dev is None:
        return False
    if dev.type == "cpu":
        return _bf16_fast()
    if dev.type == "cuda":
        try:  # (native only: emulated bf16 on an older GPU is slower than its fp16. The capability
            # itself: is_bf16_supported(including_emulation=...) is torch 2.4+, and this project
            # takes torch 2.2, where the keyword's TypeError read as "no bf16" on an A100)
            if not torch.cuda.is_available():
                return False
            return bool(torch.version.hip) or torch.cuda.get_device_capability(dev.index)[0] >= 8
        except Exception:  # noqa: BLE001 (no driver, a torch built without CUDA: no bf16 there)
            return False
    return False


def _as_device(device: str | torch.device) -> torch.device | None:
    """``device`` as a torch.device; None for a name torch does not know."""
    try:
        return torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        return None


def bf16_problem(device: str | torch.device) -> str | None:
    """One line when bf16 cannot run on ``device`` (as :func:`bf16_supported`), naming the
    fallback (fp32); else None."""
    if bf16_supported(device):
        return None
    dev = _as_device(device)
    kind = dev.type if dev is not None else str(device)
    if kind == "cpu":
        return "precision bf16 needs a CPU with native bf16 (AVX512-BF16 or AMX), this one has none: running fp32"
    if kind == "cuda":
        return "precision bf16 needs a GPU with bf16 (compute capability 8.0+), this one has none: running fp32"
    return f"precision bf16 does not run on {kind}: running fp32"


def device_precision(precision: str, half: bool, device_type: str) -> tuple[str, bool]:
    """What the runner is asked for on this device and whether the weights go fp16 first:
    ``(precision, half)``. bf16 is asked for on CUDA too (autocast, as on the CPU; it was
    fp16 from the CLI and fp32 from the viewer) and then wins over ``half``; ``auto`` and
    fp32 on CUDA are the plain model, fp16 where ``half``; a CPU never runs fp16."""
    if device_type == "cuda":
        return ("bf16", False) if precision == "bf16" else ("fp32", bool(half))
    return precision, False


def _bf16_fast() -> bool:
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _onnx_available() -> bool:
    """Both halves of the ``[onnx]`` extra: the exporter needs ``onnx``, the runner ``onnxruntime``."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("onnx", "onnxruntime"))


def _device_of(model) -> torch.device:
    if isinstance(model, torch.nn.Module):
        for p in model.parameters():
            return p.device
    return torch.device("cpu")


@contextlib.contextmanager
def _quiet():
    """Tracing/export warnings are expected here (shape checks become constants)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


#: give back the memory of each TorchScript trace (see :func:`_traced`); off: every trace keeps
#: ~8 MB (the light EvFocus) until the process ends, as in torch itself (turned on again later,
#: the steps built meanwhile count as someone else's code: nothing is cleared from then on)
RECLAIM_TRACES = True
#: guards the three below; held only for bookkeeping and the registry clear, never while tracing
_TRACE_LOCK = threading.Lock()
_tracing_now = 0
#: qualified names of the module classes traced since the registry was last cleared
_traced_classes: set[str] = set()
#: why the registry can no longer be cleared (a step that lives in it), or None
_reclaim_blocked: str | None = None
_MANGLE = re.compile(r"___torch_mangle_\d+\.")


@contextlib.contextmanager
def _traced(fn: torch.nn.Module):
    """Around a trace of ``fn``: give its memory back once no trace runs.

    torch registers every traced module class and its methods (graphs, executors) in one
    process-wide "Python compilation unit" that never frees them: ~8 MB per trace of the light
    EvFocus (3 MB the trace, 3 MB running it, 1.5 MB freezing), however the module is dropped.
    A built step is therefore saved and loaded back (:func:`_detached`), into a compilation
    unit of its own that goes with it, and that registry is cleared when the last running
    trace ends -- only while everything in it was made by the traces here: if it holds anything
    when a trace starts, or a method of another class when it ends, that is TorchScript code of
    someone else's (a plugin's ``torch.jit.script``, a user's own trace of the same model), which
    would lose its methods, and the registry is kept from then on (each trace keeps its ~8 MB).
    """
    global _tracing_now
    names = {torch._jit_internal._qualified_name(type(m)) for m in fn.modules()}
    with _TRACE_LOCK:
        if _tracing_now == 0:  # everything here now was made by someone else
            _block_reclaim(torch.jit._state._python_cu.get_functions())
        _tracing_now += 1
        _traced_classes.update(names)
    try:
        yield
    finally:
        with _TRACE_LOCK:
            _tracing_now -= 1
            if _tracing_now == 0:
                _clear_traced_classes()


def _clear_traced_classes() -> bool:
    """Clear torch's Python compilation unit if it holds only the classes traced here (call
    with ``_TRACE_LOCK`` held and no trace running); True if cleared."""
    if not RECLAIM_TRACES or _reclaim_blocked:
        return False
    funcs = torch.jit._state._python_cu.get_functions()
    if _block_reclaim([f for f in funcs
                       if _MANGLE.sub("", f.qualified_name).rpartition(".")[0] not in _traced_classes]):
        return False
    if funcs and _block_reclaim(_live_registered_modules()):
        return False
    if funcs:
        torch._C._jit_clear_class_registry()
    _traced_classes.clear()
    return True


def _live_registered_modules() -> list:
    """Live ScriptModules whose class is in torch's registry: once the traces here are done and
    loaded back, someone else's. A trace of the same model classes made in another thread while
    one here ran (a user exporting the model beside a running Pipeline) has only class names the
    traces here also made, so the names alone called it ours: cleared, its next call was
    "'RecursiveScriptModule' object has no attribute 'forward'" or a segfault.
    (One pass over the heap, ~80 ms for 200 k objects, once per build.)"""
    cu = torch.jit._state._python_cu
    for obj in gc.get_objects():
        if isinstance(obj, torch.jit.ScriptModule):
            try:
                t = obj._c._type()
                name = t.qualified_name()
                mine = cu.get_class(name)
            except Exception:  # noqa: BLE001 (one being built in another thread: not ours, ours are done)
                return [_Named(f"{type(obj).__qualname__} being built")]
            if mine is not None and mine == t:  # (a type's == compares its name and compilation unit)
                return [_Named(name)]
    return []


class _Named:
    """A name where :func:`_block_reclaim` wants a function."""

    def __init__(self, qualified_name: str):
        self.qualified_name = qualified_name


def _block_reclaim(foreign: list) -> bool:
    """Keep torch's registry for good if ``foreign`` (functions not made here) is not empty."""
    global _reclaim_blocked
    if foreign and RECLAIM_TRACES and not _reclaim_blocked:
        _reclaim_blocked = f"other TorchScript code in this process ({foreign[0].qualified_name})"
        log.info("TorchScript traces keep their memory from now on: %s", _reclaim_blocked)
    return bool(foreign)


def _detached(step):
    """``step`` saved and loaded back: the copy lives in a compilation unit of its own (freed
    with it) instead of torch's process-wide one. Same graph (constants folded and pooled
    again as the freeze left them: the same nodes, and the same optimised plan once run), same
    outputs. If it cannot be saved (``optimize_for_inference``'s
    oneDNN constants), the step itself, and the registry is never cleared again."""
    global _reclaim_blocked
    if not RECLAIM_TRACES:
        return step
    try:
        buf = io.BytesIO()
        torch.jit.save(step, buf)
        buf.seek(0)
        loaded = torch.jit.load(buf)
        torch._C._jit_pass_constant_propagation(loaded.graph)  # the lists freezing had folded
        torch._C._jit_pass_constant_pooling(loaded.graph)  # now node for node the frozen graph
        return loaded
    except Exception as exc:
        with _TRACE_LOCK:
            if not _reclaim_blocked:
                _reclaim_blocked = f"a step that cannot be saved ({_first_line(exc)})"
                log.info("TorchScript traces keep their memory from now on: %s", _reclaim_blocked)
        return step


def _build_jit(fn: torch.nn.Module, args: tuple, optimize: bool = False):
    with _quiet(), _traced(fn):
        step = torch.jit.freeze(torch.jit.trace(fn, args, check_trace=False).eval())
        if optimize:
            step = torch.jit.optimize_for_inference(step)
        step = _detached(step)
    return step


def _build_onnx(fn: torch.nn.Module, args: tuple):
    import onnxruntime as ort

    n_out = len(fn(*args))
    buf = io.BytesIO()
    names = ["voxel"] + [f"state_in_{i}" for i in range(len(args) - 1)]
    with _quiet():
        torch.onnx.export(fn, args, buf, dynamo=False, input_names=names,
                          output_names=[f"out_{i}" for i in range(n_out)], opset_version=17)
    so = ort.SessionOptions()
    so.intra_op_num_threads = torch.get_num_threads()
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # idle pool threads sleep instead of spinning: on a busy CPU, spinning threads steal the
    # core the lagging thread needs (measured: 2 spinning threads are 2-4x slower than 1)
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    sess = ort.InferenceSession(buf.getvalue(), so, providers=["CPUExecutionProvider"])

    used = {i.name for i in sess.get_inputs()}  # the exporter drops inputs the graph does not read

    def step(*xs):
        res = sess.run(None, {n: x.detach().contiguous().numpy() for n, x in zip(names, xs) if n in used})
        return tuple(torch.from_numpy(r) for r in res)

    return step


def _build_compile(fn: torch.nn.Module, args: tuple):
    compiled = torch.compile(fn, dynamic=False)
    return compiled


BUILDERS: dict[str, Callable] = {"jit": _build_jit, "onnx": _build_onnx, "compile": _build_compile}


def optimize_for_inference(model, device: str | torch.device | None = None, backend: str = "auto", *,
                           threads: int | None = None, channels_last: bool = True,
                           precision: str = "fp32") -> InferenceModel:
    """Put ``model`` in eval mode on ``device`` and wrap it for fast inference.

    ``threads`` sets torch's intra-op threads (``None``: leave as is).
    """
    if isinstance(model, torch.nn.Module):
        if device is not None:
            model = model.to(device)
        model = model.eval()
    if threads:
        set_threads(threads)
    return InferenceModel(model, backend, channels_last=channels_last, precision=precision)
