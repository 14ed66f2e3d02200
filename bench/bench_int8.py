"""Does int8 (static post-training quantization, torch's x86/fbgemm backend) speed up the
light EvFocus on a CPU without native bf16, at acceptable quality? A prototype, measured.

    python bench/bench_int8.py [--model evfocus] [--res 346x260 1280x720] [--rounds 12]
                               [--calib DIR ...] [--calib-windows 200] [--quality DIR ...]
                               [--drift DIR] [--scheme convs all] [--engine x86 onednn]
                               [--float-gates] [--reduce-range] [--conv-table]

Answer on 2026-11-27 (README "Performance"): not wired in. The x86 (fbgemm) engine is ~2x
slower than fp32 (its int8 convs with 4-8 channels are 3-10x slower than oneDNN's fp32);
oneDNN's int8 with the LSTM gate convs in float keeps the quality (severe SSIM -0.0013, no
drift) but gained 0.98-1.56x at 346x260 on the loaded 2-core AVX2 machine, none at 1280x720.

The per-step graph ``(padded voxel, h0, c0, h1, c1, h2, c2) -> (image, blur, sigma, states)``
(the step runtime.py's jit/onnx backends build, the recurrent state as explicit inputs and
outputs) is traced with torch.fx, prepared with ``prepare_fx`` (per-channel weight
observers, histogram activation observers: the engine's default qconfig), calibrated by
running whole voxel sequences with the state carried (so the state observers see real
states), and converted with ``convert_fx``. Schemes: ``convs`` quantizes the convolutions
(ReLUs fused) and leaves everything else — the LSTM gate nonlinearities and cell update,
sigmoids, the re-defocus softmax —
in float, with a quantize/dequantize around each conv; ``all`` is torch's default x86
mapping (adds, cats, sigmoids, tanh, mul and upsampling quantized too). ``--float-gates``
adds a variant per engine/scheme with the ConvLSTM gate convs in float (the recurrent state
then never passes through int8).

Timing: fp32 eager and fp32 jit (``runtime.InferenceModel``) and each int8 scheme (the
GraphModule, and its TorchScript freeze), round-robin in one process with 1 torch thread,
best-of-N and median ms per frame, ratio to the best fp32 backend. Quality (``--quality``):
each sequence from reset, int8 vs fp32 output in grey levels (max/mean |diff|) and SSIM to
the sharp ground truth for both (first 3 frames not scored, as ``evfocus eval``).
``--drift DIR`` chains every sequence of DIR without a reset and compares int8 with fp32
over the first and last frames (errors could accumulate through the recurrent state).
Calibration voxels come from ``--calib`` simulator folders, or (none given) from short
sequences simulated in-process at the first ``--res``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import logging
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _options import Parser, fail, positive_int, resolution  # noqa: E402

log = logging.getLogger("bench_int8")
SCHEMES = ("convs", "all")
ENGINES = ("x86", "onednn")
WARMUP = 3  # frames after a reset not scored (evfocus eval's default)


# --- the traceable step -------------------------------------------------------------
@contextlib.contextmanager
def fx_traceable():
    """Patch the few shape-dependent lines of the EvFocus forward so torch.fx can trace it.

    Inside: the input is already padded (``pad_to_multiple`` is the identity and outputs are
    not cropped), ConvLSTM states are always given, the sigma head's logits go up by its
    fixed stride 4 and its first conv reads the concatenated maps. Same numbers as the
    model (checked against it in :func:`quantize`)."""
    import torch
    import torch.nn.functional as F

    from evfocus_live.nn import base, evfocus, layers

    def pad(x, multiple):
        return x, (None, None)

    def lstm(self, x, state):
        h, c = state
        i, f, o, g = self.gates(torch.cat([x, h], 1)).chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, (h, c)

    def weights(self, feat):
        if isinstance(feat, list | tuple):
            feat = torch.cat(list(feat), 1)
        return torch.softmax(self.logits(feat), 1)

    def sigma_map(self, w, size=None):
        s = (w * self.sigmas.view(1, -1, 1, 1)).sum(1, keepdim=True)
        return F.interpolate(s, scale_factor=4.0, mode="bilinear", align_corners=False)

    saved = (base.pad_to_multiple, evfocus.pad_to_multiple, layers.ConvLSTM.forward, layers.ReDefocus.weights,
             layers.ReDefocus.sigma_map)
    base.pad_to_multiple = evfocus.pad_to_multiple = pad
    layers.ConvLSTM.forward = lstm
    layers.ReDefocus.weights = weights
    layers.ReDefocus.sigma_map = sigma_map
    try:
        yield
    finally:
        (base.pad_to_multiple, evfocus.pad_to_multiple, layers.ConvLSTM.forward, layers.ReDefocus.weights,
         layers.ReDefocus.sigma_map) = saved


def zero_states(model, padded):
    """The states the model makes itself after a reset, for a padded input [1,bins,H,W]."""
    import torch

    out, h, w = [], padded.shape[-2], padded.shape[-1]
    for i, enc in enumerate(model.encoders):
        z = torch.zeros(1, enc.rec.hidden, h // 2 ** (i + 1), w // 2 ** (i + 1))
        out += [z, z]
    return out


def pad(model, voxel):
    from evfocus_live.nn.layers import pad_to_multiple

    return pad_to_multiple(voxel, model.pad_multiple)[0]


def fx_step(model):
    """The model's per-step function traced by torch.fx (states as explicit tensors)."""
    import torch
    from torch.utils import _pytree as pytree

    from evfocus_live.nn.runtime import _Step

    class Step3(_Step):  # fx cannot trace ``*flat``: the three encoders' states by name
        def forward(self, voxel, h0, c0, h1, c1, h2, c2):
            return super().forward(voxel, h0, c0, h1, c1, h2, c2)

    if len(model.encoders) != 3:
        raise ValueError("the prototype traces models with 3 recurrent encoders")
    spec = pytree.tree_flatten([(torch.zeros(1), torch.zeros(1))] * 3)[1]
    with fx_traceable():
        return torch.fx.symbolic_trace(Step3(model, spec, ("image", "blur", "sigma")).eval())


def unsupported(model, name: str) -> str | None:
    """Why the prototype cannot quantize ``model``, in one line, else None. It traces EvFocus's
    step with 5-bin voxels and its three ConvLSTM states as the only state: a count channel, an
    integrator's level or another network failed deep in the conv or fx trace after the
    calibration ("expected input[1, 5, ...] to have 6 channels", "'tuple' object has no
    attribute 'shape'", "KeyError: 'blur'")."""
    from evfocus_live.nn.evfocus import EvFocus
    from evfocus_live.nn.registry import model_count_channel, model_num_bins

    plain = ("the int8 prototype traces only plain EvFocus models (5 bins, 3 recurrent encoders, no count "
             "channel or integrator), e.g. --model evfocus")
    if not isinstance(model, EvFocus):
        return f"{name} is not an EvFocus model ({type(model).__name__}): {plain}"
    extras = [what for what, on in (("a count channel (count_channel = true)", model_count_channel(model)),
                                    ("an integrator (integrator = true)", bool(getattr(model, "integrator", False))))
              if on]
    if extras:
        return f"{name} has {' and '.join(extras)}: {plain}"
    if len(model.encoders) != 3 or model_num_bins(model, 5) != 5:
        return (f"{name} has {len(model.encoders)} recurrent encoders and {model_num_bins(model, 5)} bins: "
                f"{plain}")
    return None


class Int8Step:
    """A converted step run like a recurrent model: ``reset_states()``, ``__call__(voxel)``."""

    def __init__(self, model, gm):
        self.model, self.gm, self.states = model, gm, None

    def reset_states(self):
        self.states = None

    def __call__(self, voxel):
        import torch

        h, w = voxel.shape[-2:]
        x = pad(self.model, voxel)
        if self.states is None:
            self.states = zero_states(self.model, x)
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # quantized cat: "inputs must share the same quantization parameters"
            res = self.gm(x, *self.states)
        self.states = list(res[3:])
        return {k: v[..., :h, :w] for k, v in zip(("image", "blur", "sigma"), res[:3])}


def freeze(step: Int8Step):
    """The converted GraphModule traced and frozen by TorchScript (no Python per op)."""
    import torch

    x = torch.zeros(1, 5, 64, 64)
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.jit.freeze(torch.jit.trace(step.gm, (x, *zero_states(step.model, x)), check_trace=False).eval())


def quantize(model, scheme: str, calib: list[list], engine: str = "x86", reduce_range: bool | None = None,
             keep_float: tuple[str, ...] = ()):
    """``model`` (fp32, eval) -> (int8 step, calibration seconds, conversion seconds).

    ``engine``: torch's quantized engine the weights are packed for (``x86``: fbgemm, or
    oneDNN where it judges it faster; ``onednn``: oneDNN's int8 kernels). ``reduce_range``:
    7-bit activations (the x86 default: without VNNI, u8 x s8 products are summed in pairs
    into saturating int16); ``None``: the engine's default. ``keep_float``: module names
    (e.g. ``encoders.0.rec.gates``) left in float."""
    import torch
    import torch.nn.functional as F
    from torch import nn
    from torch.ao.quantization import QConfigMapping, get_default_qconfig, get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    from torch.fx import config as fx_config

    from torch.ao.quantization.backend_config import get_native_backend_config, get_onednn_backend_config

    torch.backends.quantized.engine = engine
    backend = get_onednn_backend_config() if engine == "onednn" else get_native_backend_config()
    saved = model.states
    model.reset_states()  # a state with autograd history cannot be deep-copied
    m = copy.deepcopy(model).eval().to(memory_format=torch.contiguous_format)
    model.states = saved
    gm = fx_step(m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # onednn's "reduce_range=False may have accuracy issues without VNNI"
        qc = get_default_qconfig(engine)
    if reduce_range is not None:
        from torch.ao.quantization import HistogramObserver, QConfig

        qc = QConfig(activation=HistogramObserver.with_args(reduce_range=reduce_range), weight=qc.weight)
    if scheme == "all":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            qmap = get_default_qconfig_mapping(engine).set_global(qc)
    else:
        qmap = QConfigMapping()
        for t in (nn.Conv2d, nn.ReLU, F.relu, torch.relu):
            qmap.set_object_type(t, qc)
    for name in keep_float:
        qmap.set_module_name(f"model.{name}", None)
    probe = pad(m, calib[0][0])
    example = (probe, *zero_states(m, probe))
    # (a stack trace per traced node, for debugging only: 1.2 s of each call's 3 s at 64x48)
    emit, fx_config.do_not_emit_stack_traces = getattr(fx_config, "do_not_emit_stack_traces", False), True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notice
            prepared = prepare_fx(gm, qmap, example_inputs=example, backend_config=backend)
    finally:
        fx_config.do_not_emit_stack_traces = emit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        with torch.inference_mode():
            for seq in calib:
                states = None
                for v in seq:
                    x = pad(m, v)
                    states = states or zero_states(m, x)
                    states = list(prepared(x, *states)[3:])
        t1 = time.perf_counter()
        q = convert_fx(prepared, backend_config=backend)
    t2 = time.perf_counter()
    return Int8Step(m, q), t1 - t0, t2 - t1


# --- data ---------------------------------------------------------------------------------
def sequence_voxels(dirs: list[str], limit: int, num_bins: int):
    """Voxel sequences ([1,bins,H,W] float tensors) of simulator folders, up to ``limit`` windows."""
    import torch

    from evfocus_live.train.dataset import list_sequences, load_sequence

    out, n = [], 0
    for d in dirs:
        for f in list_sequences(d):
            if n >= limit:
                return out
            seq = load_sequence(f, num_bins, max_frames=limit - n + 1)
            out.append([torch.from_numpy(v.astype("float32"))[None] for v in seq.voxels])
            n += len(seq.voxels)
    return out


def simulated_voxels(res: tuple[int, int], limit: int, num_bins: int):
    """Short sequences simulated in-process (no data folder needed), ``limit`` windows in all."""
    import numpy as np
    import torch

    from evfocus_live.simulate import SimConfig, simulate_sequence
    from evfocus_live.train.dataset import voxel_grid

    w, h = res
    out, n, seed = [], 0, 0
    while n < limit:
        frames = min(20, limit - n)
        cfg = SimConfig(width=w, height=h, duration_s=frames * 0.025, frame_ms=25.0, sigma_range=(1.0, 7.0))
        r = simulate_sequence(cfg, seed=seed)
        idx = np.searchsorted(r.events["t"], r.t_us, side="left")
        seq = [torch.from_numpy(voxel_grid(r.events[idx[i - 1]:idx[i]], num_bins, w, h).astype(np.float32))[None]
               for i in range(1, len(idx))]
        out.append(seq)
        n += len(seq)
        seed += 1
    return out


# --- timing -----------------------------------------------------------------------------
def time_variants(variants: dict, res: tuple[int, int], rounds: int, frames: int = 4) -> list[dict]:
    """Round-robin timing, state carried; ratios to the fastest fp32 variant (best of N)."""
    import torch

    w, h = res
    g = torch.Generator().manual_seed(1)
    voxels = [torch.randn(1, 5, h, w, generator=g) for _ in range(frames)]
    wall: dict[str, list[float]] = {k: [] for k in variants}
    for v in variants.values():
        v.reset_states()
        for vox in voxels[:3]:  # reset frame, jit build, first compiled frame: not timed
            v(vox)
    for rnd in range(rounds):
        for name, v in variants.items():
            t0 = time.perf_counter()
            v(voxels[rnd % frames])
            wall[name].append(time.perf_counter() - t0)
    fp32 = min(min(t) for k, t in wall.items() if k.startswith("fp32"))
    return [dict(variant=k, res=f"{w}x{h}", best_ms=1e3 * min(t), median_ms=1e3 * statistics.median(t),
                 ratio=fp32 / min(t)) for k, t in wall.items()]


def conv_table(res: tuple[int, int], engines: list[str], rounds: int) -> list[dict]:
    """One 3x3 conv of the light model's sizes alone: fp32 (oneDNN, channels-last) against
    the int8 kernel of each engine on an already quantized input, best of N."""
    import torch
    from torch import nn

    w, h = ((v + 7) // 8 * 8 for v in res)
    rows = []
    for cin, cout, div in ((5, 4, 1), (8, 4, 1), (16, 32, 2), (16, 64, 4)):
        conv = nn.Conv2d(cin, cout, 3, padding=1).eval().to(memory_format=torch.channels_last)
        x = torch.randn(1, cin, h // div, w // div).contiguous(memory_format=torch.channels_last)
        fns = {"fp32": (conv, x)}
        for engine in engines:
            torch.backends.quantized.engine = engine
            q = torch.ao.nn.quantized.Conv2d(cin, cout, 3, padding=1)
            wq = torch.quantize_per_channel(conv.weight.detach(), torch.full((cout,), 0.01, dtype=torch.double),
                                            torch.zeros(cout, dtype=torch.long), 0, torch.qint8)
            q.set_weight_bias(wq, conv.bias.detach())
            q.scale, q.zero_point = 0.05, 64
            fns[engine] = (q, torch.quantize_per_tensor(x, 0.05, 64, torch.quint8))
        best = dict.fromkeys(fns, float("inf"))
        with torch.inference_mode():
            for _ in range(rounds + 2):  # interleaved; the first two calls are not counted
                for k, (fn, arg) in fns.items():
                    t0 = time.perf_counter()
                    fn(arg)
                    best[k] = min(best[k], time.perf_counter() - t0) if _ > 1 else best[k]
        rows.append(dict(conv=f"{cin}->{cout} 3x3 at {w // div}x{h // div}",
                         **{k: 1e3 * v for k, v in best.items()}))
    return rows


# --- quality ---------------------------------------------------------------------------
def run_seq(model, seq):
    import numpy as np
    import torch

    model.reset_states()
    with torch.inference_mode():
        return np.stack([model(v)["image"][0, 0].float().numpy() for v in seq])


def quality(fp32, int8, dirs: list[str]) -> dict:
    """int8 vs fp32 on every sequence of ``dirs`` from reset, and both vs the sharp GT."""
    import numpy as np

    from evfocus_live.train import metrics as M
    from evfocus_live.train.dataset import list_sequences, load_sequence

    diffs_max, diffs_mean, s32, s8 = [], [], [], []
    for d in dirs:
        for f in list_sequences(d):
            seq = load_sequence(f, 5)
            import torch

            vox = [torch.from_numpy(v.astype(np.float32))[None] for v in seq.voxels]
            a, b = run_seq(fp32, vox), run_seq(int8, vox)
            d255 = np.abs(a - b)[WARMUP:] * 255
            diffs_max.append(float(d255.max()))
            diffs_mean.append(float(d255.mean()))
            s32 += [M.ssim(a[i], seq.sharp[i]) for i in range(WARMUP, len(a))]
            s8 += [M.ssim(b[i], seq.sharp[i]) for i in range(WARMUP, len(b))]
    return dict(frames=len(s32), max_diff_grey=max(diffs_max), mean_diff_grey=float(np.mean(diffs_mean)),
                ssim_fp32=float(np.mean(s32)), ssim_int8=float(np.mean(s8)))


def drift(fp32, int8, d: str, edge: int = 50) -> dict:
    """Every sequence of ``d`` chained without a reset: int8 vs fp32 at the start and the end."""
    import numpy as np

    vox = [v for seq in sequence_voxels([d], 10**9, 5) for v in seq]
    a, b = run_seq(fp32, vox), run_seq(int8, vox)
    err = np.abs(a - b).reshape(len(a), -1).mean(1) * 255
    return dict(frames=len(a), first_mean_grey=float(err[WARMUP:WARMUP + edge].mean()),
                last_mean_grey=float(err[-edge:].mean()), last_max_grey=float(np.abs(a - b)[-edge:].max() * 255))


def main(argv=None) -> int:
    ap = Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="evfocus", help="shipped model name or checkpoint (default evfocus)")
    ap.add_argument("--res", nargs="+", type=resolution, default=[(346, 260), (1280, 720)], help="WxH")
    ap.add_argument("--rounds", type=positive_int, default=12, help="frames per variant (best-of)")
    ap.add_argument("--calib", nargs="*", default=[], help="simulator folders for calibration (else simulated)")
    ap.add_argument("--calib-windows", type=positive_int, default=200, help="calibration windows")
    ap.add_argument("--quality", nargs="*", default=[], help="simulator folders with GT: int8 vs fp32")
    ap.add_argument("--drift", default=None, help="simulator folder chained without reset")
    ap.add_argument("--scheme", nargs="+", choices=SCHEMES, default=["convs"],
                    help="convs: convolutions (+ReLU) only (default); all: torch's default x86 mapping")
    ap.add_argument("--engine", nargs="+", choices=ENGINES, default=list(ENGINES),
                    help="torch quantized engines (x86 = fbgemm; onednn)")
    ap.add_argument("--float-gates", action="store_true",
                    help="also a variant per engine/scheme with the ConvLSTM gate convs left in float")
    ap.add_argument("--conv-table", action="store_true",
                    help="also time single convs of the model's sizes at the first --res (fp32 vs each engine)")
    ap.add_argument("--reduce-range", action="store_true",
                    help="7-bit activations with onednn too (x86 always uses them)")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import torch

    from evfocus_live.errors import EvFocusError
    from evfocus_live.nn.registry import load_model
    from evfocus_live.nn.runtime import InferenceModel

    torch.set_num_threads(1)
    try:
        model = load_model(a.model).eval()
        why = unsupported(model, a.model)
        if why:  # (before the calibration data: minutes at 1280x720)
            return fail(ap.prog, why)
        calib = (sequence_voxels(a.calib, a.calib_windows, 5) if a.calib
                 else simulated_voxels(a.res[0], a.calib_windows, 5))
    except EvFocusError as exc:
        return fail(ap.prog, exc)
    int8 = {}
    gates = tuple(f"encoders.{i}.rec.gates" for i in range(len(getattr(model, "encoders", ()))))
    configs = [(e, s, g) for e in a.engine for s in a.scheme for g in ((False, True) if a.float_gates else (False,))]
    for engine, scheme, float_gates in configs:
        name = f"{engine} {scheme}" + (" float-gates" if float_gates else "")
        try:
            step, cal_s, conv_s = quantize(model, scheme, calib, engine, reduce_range=a.reduce_range or None,
                                           keep_float=gates if float_gates else ())
        except Exception as exc:  # fx cannot trace it, or the engine refuses it: one line
            return fail(ap.prog, f"cannot quantize {a.model} ({name}): {type(exc).__name__}: {exc}")
        int8[name] = step
        log.info("int8 %s: calibrated on %d windows in %.1f s, converted in %.1f s", name,
                 sum(map(len, calib)), cal_s, conv_s)
        try:
            int8[f"{name}+jit"] = Int8Step(step.model, freeze(step))
        except Exception as exc:  # a prototype: report, go on
            log.info("int8 %s: TorchScript of the converted step failed (%s)", name, exc)
    rows = []
    for res in a.res:
        variants = {"fp32 eager": InferenceModel(copy.deepcopy(model), "eager"),
                    "fp32 jit": InferenceModel(copy.deepcopy(model), "jit"),
                    **{f"int8 {k}": v for k, v in int8.items()}}
        rounds = a.rounds if res[0] * res[1] <= 400 * 300 else max(3, a.rounds // 3)
        rows += time_variants(variants, res, rounds)
    print("| variant | resolution | best ms/frame | median ms | ratio vs best fp32 |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['variant']} | {r['res']} | {r['best_ms']:.1f} | {r['median_ms']:.1f} | {r['ratio']:.2f}x |")
    if a.conv_table:
        print("\n| conv | fp32 ms | " + " | ".join(f"{e} int8 ms" for e in a.engine) + " |")
        print("|---|---|" + "---|" * len(a.engine))
        for r in conv_table(a.res[0], a.engine, a.rounds):
            print(f"| {r['conv']} | {r['fp32']:.2f} | "
                  + " | ".join(f"{r[e]:.2f} ({r['fp32'] / r[e]:.2f}x)" for e in a.engine) + " |")
    fp32 = InferenceModel(copy.deepcopy(model), "eager")
    for name in (k for k in int8 if not k.endswith("+jit")):
        if a.quality:
            q = quality(fp32, int8[name], a.quality)
            print(f"quality int8 {name}: " + ", ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}"
                                                       for k, v in q.items()), flush=True)
        if a.drift:
            d = drift(fp32, int8[name], a.drift)
            print(f"drift int8 {name}: " + ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                                     for k, v in d.items()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
