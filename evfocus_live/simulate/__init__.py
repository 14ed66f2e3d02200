"""Defocus event simulator: layered 3-D scenes, thin-lens blur, ESIM-style events.

Public API::

    from evfocus_live.simulate import SimConfig, simulate_sequence, write_sequence
    res = simulate_sequence(SimConfig(duration_s=1.0, sigma_range=(2, 5)), seed=0)
    write_sequence(res, "out/seq_00000")   # seq_00000.h5 (+ /frames) and .aedat4
    simulate_to_files(SimConfig(duration_s=600), 0, "out/seq_00001")  # streamed: bounded memory

See ``docs`` in :mod:`.sequence` (config, ground truth), :mod:`.optics` (thin lens,
occlusion approximation), :mod:`.esim` (pixel model) and :mod:`.scenes` (motion).
"""

from .esim import EventGenerator, SensorParams, log_intensity
from .optics import Lens
from .scenes import Renderer, Scene, sample_scene
from .sequence import (SimConfig, SimResult, Simulator, frame_times_us, simulate_dataset,
                       simulate_sequence, simulate_to_files, write_sequence)

__all__ = ["SimConfig", "SimResult", "Simulator", "simulate_sequence", "simulate_to_files", "write_sequence",
           "simulate_dataset", "frame_times_us", "Scene", "Renderer", "sample_scene", "Lens",
           "EventGenerator", "SensorParams", "log_intensity"]
