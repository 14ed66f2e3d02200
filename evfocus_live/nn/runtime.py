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

``precision="bf16"`` runs the plain model under CPU bf16 autocast on CPUs with native
bf16: 1.4x at 346x260, 1.6x at 1280x720 for the shipped light model, outputs within ~2e-2
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
new source) share their built steps, the newest :data:`STEP_CACHE_SIZE`: a trace's memory is
never given back by torch.

Threads: with libgomp's default (active) wait policy, 2 intra-op threads on this 2-core
machine are 2-4x *slower* than 1 whenever anything else runs (a training job, or our own
reader and GUI threads): the spinning worker takes the core the lagging one needs. With
``OMP_WAIT_POLICY=PASSIVE`` (set before torch is imported) 2 threads are no worse than 1
under load; on an idle machine they can help. :func:`default_threads` is therefore 1.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import logging
import os
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable

import torch
from torch.utils import _pytree as pytree

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
        precision: ``fp32``, ``bf16`` (CPU autocast; see the module doc) or ``auto`` (bf16
            where the CPU has it natively, fp32 elsewhere, silently).
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
        dev = _device_of(model)
        self.precision = "fp32"
        if precision == "auto":
            precision = "bf16" if dev.type == "cpu" and isinstance(model, torch.nn.Module) and _bf16_fast() else "fp32"
        if precision == "bf16":
            if dev.type == "cpu" and isinstance(model, torch.nn.Module) and _bf16_fast():
                self.precision, backend = "bf16", "eager"  # autocast: no traced step
            else:
                log.info("bf16 inference needs a CPU with native bf16 (AVX512-BF16/AMX): running fp32")
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
        self.fallback_reason: str | None = None

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
        Any failure under autocast is logged once and this frame and every later one run the
        plain model in fp32 (an optimisation never stops the pipeline)."""
        states = _has_states(self.module)
        saved = self.module.states if states else None  # a shallow copy: a failed call cannot touch it
        try:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = self.module(voxel)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            log.warning("bf16 inference failed (%s): running fp32 from now on", reason.splitlines()[0][:200])
            self.fallback_reason = reason
            self.precision = "fp32"
            if states:
                self.module.states = saved
            return self.module(voxel)
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
        result is checked against, and the trace) on top of the frame itself.
        """
        t0 = time.perf_counter()
        saved = self.module.states
        training = self.module.training
        try:
            probe = self.module(voxel)  # output keys, and a reference for the check below
            probe_states = pytree.tree_leaves(self.module.states)
            self.module.states = saved
            keys = tuple(k for k, v in probe.items() if isinstance(v, torch.Tensor))
            # the wrapper in the model's mode: exporters restore the wrapper's mode afterwards,
            # recursively, and a fresh Module is in training mode
            fn = _Step(self.module, spec, keys).train(training)
            args = (voxel, *flat)
            cache_key = None
            if self.backend in SHARED_BACKENDS and isinstance(self.module, torch.nn.Module):
                cache_key = (_weights_digest(self.module), self.backend, self.jit_optimize, training, key, keys)
            step = _shared_step(cache_key)
            if step is None:
                step = (_build_jit(fn, args, optimize=True) if self.backend == "jit" and self.jit_optimize
                        else BUILDERS[self.backend](fn, args))
            res = step(*args)
            # the optimised step must agree with the plain model, or it is not used
            want = [probe[k] for k in keys] + probe_states
            if len(res) != len(want):
                raise RuntimeError(f"step returned {len(res)} tensors, the plain model {len(want)}")
            for name, r, p in zip([*keys, *(["state"] * len(probe_states))], res, want):
                err = float((r.float() - p.float()).abs().max()) if r.shape == p.shape else float("inf")
                if not err <= CHECK_ATOL:
                    raise RuntimeError(f"{name} differs from the plain model by {err:.2g}")
        except Exception as exc:
            self.module.states = saved
            self._give_up(f"{type(exc).__name__}: {exc}")
            return None, None
        finally:
            self.module.states = saved
            self.module.train(training)
        _share_step(cache_key, step)
        self._keys[key] = keys
        self._steps[key] = step
        self.build_s[key] = time.perf_counter() - t0
        log.info("inference backend %s ready for input %s in %.1f s", self.backend, tuple(voxel.shape),
                 self.build_s[key])
        return step, res


#: largest absolute difference between an optimised step and the plain model (outputs in [0,1])
CHECK_ATOL = 1e-4

#: backends whose step is a pure function of its inputs and a copy of the weights (a frozen trace,
#: an ONNX session), so that it can serve any model with the same weights (``compile`` runs the
#: live module: not shared)
SHARED_BACKENDS = ("jit", "onnx")
#: steps kept for reuse (the newest): each holds a copy of its model's weights
STEP_CACHE_SIZE = 4
#: built steps by (weights digest, backend, options, input/state signature, output keys). Every
#: TorchScript trace keeps 3-6 MB of torch's native memory until the process ends (freed neither
#: with the module nor with a CompilationUnit of its own; torch 2.13): the viewer, which loads
#: the model again for each new source, grew ~9 MB a source switch. Now the same weights reuse
#: the step (still checked against the plain model before it is used).
_STEP_CACHE: OrderedDict[tuple, Callable] = OrderedDict()
_STEP_CACHE_LOCK = threading.Lock()


def _weights_digest(model: torch.nn.Module) -> str:
    """A digest of the model's class, config, parameters and buffers (names, shapes, bytes)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{type(model).__module__}.{type(model).__qualname__} {getattr(model, 'config', None)!r}".encode())
    for name, t in itertools.chain(model.named_parameters(), model.named_buffers()):
        t = t.detach()
        h.update(f"{name} {t.dtype} {tuple(t.shape)} {t.device}".encode())
        h.update(t.reshape(-1).view(torch.uint8).cpu().numpy().tobytes())
    return h.hexdigest()


def _shared_step(cache_key: tuple | None) -> Callable | None:
    if cache_key is None:
        return None
    with _STEP_CACHE_LOCK:
        step = _STEP_CACHE.get(cache_key)
        if step is not None:
            _STEP_CACHE.move_to_end(cache_key)
        return step


def _share_step(cache_key: tuple | None, step: Callable) -> None:
    if cache_key is None:
        return
    with _STEP_CACHE_LOCK:
        _STEP_CACHE[cache_key] = step
        _STEP_CACHE.move_to_end(cache_key)
        while len(_STEP_CACHE) > STEP_CACHE_SIZE:
            _STEP_CACHE.popitem(last=False)


def _bf16_fast() -> bool:
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


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


def _build_jit(fn: torch.nn.Module, args: tuple, optimize: bool = False):
    with _quiet():
        step = torch.jit.freeze(torch.jit.trace(fn, args, check_trace=False).eval())
        if optimize:
            step = torch.jit.optimize_for_inference(step)
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
