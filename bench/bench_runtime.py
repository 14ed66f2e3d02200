"""CPU inference variants of a model, measured interleaved in one process (best-of-N).

    python bench/bench_runtime.py [--model evfocus] [--res 346x260 1280x720] [--rounds 12]
                                  [--variants plain nchw jit onnx bf16 ...] [--compile]

Every variant runs the same voxel sequence with its recurrent state carried; rounds go
round-robin over the variants, so a neighbour's load spike hits all of them alike. The
table gives wall ms/frame (best and median), CPU ms/frame (process time, best: close to
what an idle core would take for a 1-thread variant), the ratio to ``plain`` and the
largest output difference to ``plain`` (always timed, first, as the baseline). The shared
machine is loaded by training jobs: compare ratios, not absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import statistics
import sys
import time
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (torch is imported where used: --help stays quick)
    import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _options import Parser, fail, positive_int, resolution  # noqa: E402

CONFIGS = ROOT / "models" / "configs"
#: the ``make_variants`` kinds; ``auto eager jit onnx compile`` are ``runtime.BACKENDS``
KINDS = ("plain", "no_grad", "nchw", "cl_weights", "bf16", "autocast_bf16", "bf16_runtime", "jit_opt", "jit_fuse",
         "auto", "eager", "jit", "onnx", "compile")


def config_name(text: str) -> str:
    if not (CONFIGS / f"{text}.toml").is_file():
        have = ", ".join(sorted(p.stem for p in CONFIGS.glob("*.toml")))
        raise argparse.ArgumentTypeError(f"no config {text!r} in models/configs (have: {have})")
    return text


def variant_name(text: str) -> str:
    kind, _, threads = text.partition("@")
    if kind not in KINDS or threads not in ("", "2"):
        raise argparse.ArgumentTypeError(f"unknown variant {text!r} (use {' '.join(KINDS)}, suffix @2 for 2 threads)")
    return text


def light_model(name: str) -> torch.nn.Module:
    import torch

    from evfocus_live.nn.registry import build_model

    cfg = tomllib.loads((ROOT / "models" / "configs" / f"{name}.toml").read_text())["model"]
    arch = cfg.pop("arch")
    torch.manual_seed(0)
    return build_model(arch, cfg).eval()


@contextlib.contextmanager
def _nchw():
    """The model's input stays NCHW (pad_to_multiple makes it channels-last otherwise)."""
    from evfocus_live.nn import evfocus as evfocus_mod

    orig = evfocus_mod.pad_to_multiple

    def pad(x, m):
        y, hw = orig(x, m)
        return y.contiguous(), hw

    evfocus_mod.pad_to_multiple = pad
    try:
        yield
    finally:
        evfocus_mod.pad_to_multiple = orig


class Variant:
    """A named way to run the model: ``step(voxel) -> dict`` with its own state."""

    def __init__(self, name, step, threads=1, ctx=contextlib.nullcontext, reset=None, build_s=0.0):
        self.name, self.step, self.threads, self.ctx, self.reset = name, step, threads, ctx, reset
        self.build_s = build_s
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.outs: list[dict] = []


def make_variants(base: torch.nn.Module, names: list[str], warm: torch.Tensor) -> list[Variant]:
    import torch

    from evfocus_live.nn import runtime

    out = []
    for name in names:
        threads = 2 if name.endswith("@2") else 1
        kind = name.split("@")[0]
        m = copy.deepcopy(base)
        torch.set_num_threads(threads)
        t0 = time.perf_counter()
        ctx = contextlib.nullcontext
        if kind == "plain":
            def step(v, m=m):
                with torch.inference_mode():
                    return m(v)
        elif kind == "no_grad":
            def step(v, m=m):
                with torch.no_grad():
                    return m(v)
        elif kind == "nchw":
            ctx = _nchw

            def step(v, m=m):
                with torch.inference_mode():
                    return m(v)
        elif kind == "cl_weights":
            m = m.to(memory_format=torch.channels_last)

            def step(v, m=m):
                with torch.inference_mode():
                    return m(v)
        elif kind == "bf16":
            m = m.to(torch.bfloat16)

            def step(v, m=m):
                with torch.inference_mode():
                    return {k: x.float() for k, x in m(v.to(torch.bfloat16)).items()}
        elif kind == "autocast_bf16":
            def step(v, m=m):
                with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
                    return {k: x.float() for k, x in m(v).items()}
        elif kind == "jit_opt":  # TorchScript freeze + optimize_for_inference (oneDNN layouts)
            r = runtime.InferenceModel(m, "jit", jit_optimize=True)
            for _ in range(3):
                r(warm)
            step = r
        elif kind == "bf16_runtime":  # what ModelConfig(precision="bf16") runs
            step = runtime.InferenceModel(m, "auto", precision="bf16")
        elif kind == "jit_fuse":  # TorchScript with the CPU tensor-expression fuser (global flag)
            torch._C._jit_override_can_fuse_on_cpu(True)
            r = runtime.InferenceModel(m, "jit")
            for _ in range(3):
                r(warm)
            step = r
        elif kind in runtime.BACKENDS:
            r = runtime.InferenceModel(m, kind)
            with ctx():
                for _ in range(3):  # reset frame + build + one compiled frame
                    r(warm)
            if r.backend != kind:
                print(f"{name}: fell back to {r.backend} ({r.fallback_reason})", file=sys.stderr)
            step = r
        else:
            raise SystemExit(f"unknown variant {name}")
        build_s = time.perf_counter() - t0
        out.append(Variant(name, step, threads, ctx, reset=m.reset_states, build_s=build_s))
    return out


def run(base, res: tuple[int, int], names: list[str], rounds: int, frames: int) -> list[dict]:
    """One row per variant; the ratios and differences are to the variant named ``plain``."""
    import torch

    w, h = res
    g = torch.Generator().manual_seed(1)
    voxels = [torch.randn(1, 5, h, w, generator=g) for _ in range(frames)]
    variants = make_variants(base, names, voxels[0])
    for v in variants:
        v.reset()
    for rnd in range(rounds):
        for v in variants:
            vox = voxels[rnd % frames]
            if torch.get_num_threads() != v.threads:  # re-sizing the OpenMP pool costs: not timed
                torch.set_num_threads(v.threads)
                with torch.inference_mode():
                    base(vox)
            with v.ctx():
                t0, c0 = time.perf_counter(), time.process_time()
                o = v.step(vox)
                v.wall.append(time.perf_counter() - t0)
                v.cpu.append(time.process_time() - c0)
            if rnd < frames:
                v.outs.append({k: x.detach().float().clone() for k, x in o.items()})
    ref = next(v for v in variants if v.name == "plain")
    rows = []
    for v in variants:
        diff = max(float((a[k] - b[k]).abs().max()) for a, b in zip(v.outs, ref.outs) for k in b if k in a)
        best = min(v.wall)
        rows.append(dict(variant=v.name, res=f"{w}x{h}", threads=v.threads, best_ms=1e3 * best,
                         median_ms=1e3 * statistics.median(v.wall), cpu_ms=1e3 * min(v.cpu),
                         ratio=min(ref.wall) / best, cpu_ratio=min(ref.cpu) / min(v.cpu),
                         max_diff=diff, build_s=v.build_s))
    return rows


def main(argv=None) -> int:
    ap = Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=config_name, default="evfocus",
                    help="config name in models/configs (weights do not matter)")
    ap.add_argument("--res", nargs="+", type=resolution, default=[(346, 260), (1280, 720)],
                    help="WxH (default 346x260 1280x720)")
    ap.add_argument("--rounds", type=positive_int, default=12, help="frames per variant (best-of)")
    ap.add_argument("--frames", type=positive_int, default=4, help="distinct voxel grids compared for equality")
    ap.add_argument("--variants", nargs="+", type=variant_name,
                    default=["plain", "no_grad", "nchw", "cl_weights", "eager", "jit", "jit_opt", "onnx", "bf16",
                             "autocast_bf16", "plain@2", "eager@2", "onnx@2"],
                    help="plain no_grad nchw cl_weights bf16 autocast_bf16 bf16_runtime eager jit jit_opt "
                         "jit_fuse onnx compile; "
                         "suffix @2 for 2 threads; plain is always timed (first): the baseline")
    ap.add_argument("--compile", action="store_true", help="also torch.compile (minutes to build)")
    a = ap.parse_args(argv)
    names = list(a.variants) + (["compile"] if a.compile and "compile" not in a.variants else [])
    names = ["plain", *(n for n in dict.fromkeys(names) if n != "plain")]  # the baseline, first
    from evfocus_live.errors import EvFocusError

    try:
        base = light_model(a.model)
    except EvFocusError as exc:
        return fail(ap.prog, exc)
    # 1-thread variants first, then the 2-thread ones: the pool is re-sized once per round
    names.sort(key=lambda n: n.endswith("@2"))
    print("| variant | resolution | threads | best ms/frame | median ms | CPU ms/frame | ratio vs plain (wall) "
          "| ratio (CPU) | max |diff| | build s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for w, h in a.res:
        rounds = a.rounds if w * h <= 400 * 300 else max(3, a.rounds // 3)
        for row in run(base, (w, h), names, rounds, min(a.frames, rounds)):
            print(f"| {row['variant']} | {row['res']} | {row['threads']} | {row['best_ms']:.1f} "
                  f"| {row['median_ms']:.1f} | {row['cpu_ms']:.1f} | {row['ratio']:.2f}x | {row['cpu_ratio']:.2f}x "
                  f"| {row['max_diff']:.1e} | {row['build_s']:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
