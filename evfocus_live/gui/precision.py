"""The viewer's inference-precision choice, on :class:`~evfocus_live.config.ModelConfig`.

``ModelConfig`` holds two knobs: ``precision`` (auto | fp32 | bf16, the CPU runtime's, see
:mod:`evfocus_live.nn.runtime`) and ``half`` (fp16 weights, on CUDA only). The viewer offers
one choice that sets both, so that it means the same on either device:

- ``auto``: bf16 autocast on a CPU with native bf16, else fp32; fp16 on CUDA (the defaults);
- ``fp32``: full precision everywhere (the frames ``evfocus reconstruct`` writes by default);
- ``bf16``: bf16 autocast where the device has native bf16 (a CPU with AVX512-BF16 or AMX, a
  CUDA GPU of compute capability 8.0+), else fp32 (:func:`~evfocus_live.nn.runtime.bf16_problem`);
- ``fp16``: fp16 weights on a CUDA GPU; a CPU runs fp32 (no CPU path runs fp16: ``ModelConfig``
  refuses ``precision="fp16"``, and ``half`` counts on CUDA only).

A choice the device cannot run is not refused: it runs fp32 and :func:`precision_problem`
says so in one line (the viewer's status bar; a headless run logs it as a warning).
``evfocus reconstruct --precision`` and a settings file's ``[model] precision`` mean the same
(:func:`with_precision`; the device's share of the rule is :func:`~evfocus_live.nn.runtime.device_precision`).
"""

from __future__ import annotations

import dataclasses

from ..config import ModelConfig

#: the choices, in the order the viewer's precision box lists them
PRECISION_CHOICES = ("auto", "fp32", "bf16", "fp16")
#: what each choice means (the box's tooltips)
PRECISION_HELP = {
    "auto": "bf16 on a CPU with native bf16 (AVX512-BF16/AMX), else fp32; fp16 on CUDA",
    "fp32": "full precision: the frames evfocus reconstruct writes (slower on a CPU with native bf16)",
    "bf16": "bf16 autocast, ~1.4-1.6x faster on a CPU, outputs within ~2e-2 (needs native bf16: "
            "AVX512-BF16/AMX, or a GPU of compute capability 8.0+; else fp32)",
    "fp16": "fp16 weights on a CUDA GPU (a CPU runs fp32)",
}


def with_precision(cfg: ModelConfig, choice: str) -> ModelConfig:
    """``cfg`` set to run ``choice`` (one of :data:`PRECISION_CHOICES`): its ``precision`` and ``half``."""
    if choice not in PRECISION_CHOICES:
        raise ValueError(f"unknown precision {choice!r} (one of {', '.join(PRECISION_CHOICES)})")
    precision, half = {"auto": ("auto", True), "fp32": ("fp32", False), "bf16": ("bf16", False),
                       "fp16": ("fp32", True)}[choice]
    return dataclasses.replace(cfg, precision=precision, half=half)


def precision_choice(cfg: ModelConfig) -> str:
    """The choice ``cfg`` stands for: the inverse of :func:`with_precision`. (A config made
    elsewhere with ``precision="fp32"`` and the default ``half=True`` reads as fp16: so it runs
    on CUDA; on a CPU it runs fp32, as fp16 does there.)"""
    if cfg.precision == "fp32" and cfg.half:
        return "fp16"
    return cfg.precision


def precision_problem(choice: str, device) -> str | None:
    """One line when ``choice`` cannot run on ``device`` (a type, ``"cuda:1"`` or a torch.device:
    bf16 asks that GPU, not the current one) (it runs fp32), else None."""
    from ..nn.runtime import bf16_problem, bf16_supported

    device_type = getattr(device, "type", None) or str(device).split(":")[0]
    if choice == "fp16" and device_type != "cuda":
        fast = "bf16, which this CPU has" if bf16_supported("cpu") else "none here: this CPU has no native bf16"
        return (f"precision fp16 runs on a CUDA GPU only: running fp32 on the {device_type} "
                f"(its fast path is {fast})")
    if choice == "bf16":
        return bf16_problem(device)
    return None


def effective_precision(pipeline) -> str:
    """What the pipeline's model runs in now: ``fp16`` (CUDA half), ``bf16`` or ``fp32`` (also
    after the runtime gave bf16 up for a failure mid-run)."""
    if getattr(pipeline, "half", False):
        return "fp16"
    return str(getattr(getattr(pipeline, "runner", None), "precision", "fp32"))


def what_runs(name: str, pipeline) -> str:
    """The one line a command says of what runs: model, device (a GPU's name) and precision
    (:func:`effective_precision`): ``running evfocus on cpu in bf16``. The layers below say
    their choices (``device auto -> cpu``, bf16 autocast) at DEBUG only: on a GPU nothing else
    said whether fp16 or fp32 ran, and a headless run said the device three times."""
    cmp = getattr(pipeline, "compare", None)  # (both on one device, in one precision)
    name = name if cmp is None else f"{name} and {cmp.name} (compare)"
    return f"running {name} on {device_text(pipeline.device)} in {effective_precision(pipeline)}"


def device_text(device) -> str:
    """A torch device as the log names it: ``cpu``, ``cuda (NVIDIA H200)``."""
    if getattr(device, "type", "") != "cuda":
        return str(device)
    import torch

    return f"{device} ({torch.cuda.get_device_name(device)})"
