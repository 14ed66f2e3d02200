"""Test doubles the pipeline tests share: an in-memory source, a summing model, a voxel spy, a
camera whose reads fail, windows for a paced replay."""

from __future__ import annotations

import numpy as np
import torch

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.core.slicing import Window
from evfocus_live.errors import DeviceError
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources.base import EventSource


NO_POST = PostConfig(steps=())


class SumModel(torch.nn.Module):
    """Contract-following test model: a leaky integral of the voxel sum, squashed to [0, 1].

    Its output has real structure (it is the event image, integrated), and its state
    makes resets observable.
    """

    def __init__(self, nan_at: set[int] | None = None, oom_at: set[int] | None = None):
        super().__init__()
        self.gain = torch.nn.Parameter(torch.tensor(1.0))
        self.state = None
        self.resets = 0
        self.calls = 0
        self.nan_at = nan_at or set()
        self.oom_at = oom_at or set()

    def reset_states(self):
        self.state = None
        self.resets += 1

    def forward(self, voxel):
        self.calls += 1
        if self.calls in self.oom_at:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (injected)")
        s = voxel.float().sum(1, keepdim=True) * self.gain
        self.state = s if self.state is None else 0.8 * self.state + s
        img = torch.sigmoid(self.state)
        if self.calls in self.nan_at:
            img = img * float("nan")
        return {"image": img, "sigma": torch.full_like(img, 2.0)}


class ArraySource(EventSource):
    """In-memory file-like source (seekable) or live source, in fixed-size batches."""

    format = "array"

    def __init__(self, events, width, height, batch=5000, live=False):
        self.events, self.width, self.height, self.batch = events, width, height, batch
        self._live = live
        self.pos = 0
        self.closed = False

    @property
    def is_live(self):
        return self._live

    def read(self):
        if self.pos >= len(self.events):
            return None
        b = self.events[self.pos:self.pos + self.batch]
        self.pos += len(b)
        return b

    def seek(self, t_us):
        self.pos = int(np.searchsorted(self.events["t"], t_us))

    def time_range_us(self):
        return (int(self.events["t"][0]), int(self.events["t"][-1]))

    def close(self):
        self.closed = True


class FlakyLiveSource(ArraySource):
    """A live camera that raises DeviceError after ``fail_after`` reads (then is unplugged)."""

    def __init__(self, *a, fail_after=3, **kw):
        super().__init__(*a, live=True, **kw)
        self.fail_after = fail_after
        self.reads = 0

    def read(self):
        self.reads += 1
        if self.reads > self.fail_after:
            raise DeviceError("camera unplugged (injected)")
        return super().read()


class VoxelSpy(torch.nn.Module):
    """Keeps the voxel grids it is given (to see where each event landed)."""

    def __init__(self):
        super().__init__()
        self.seen: list[torch.Tensor] = []

    def reset_states(self):
        pass

    def forward(self, voxel):
        self.seen.append(voxel.detach().clone())
        return {"image": torch.sigmoid(voxel.sum(1, keepdim=True))}


def events_at(xy, t0_us=0, step_us=10):
    ev = np.zeros(len(xy), EVENT_DTYPE)
    ev["t"] = t0_us + step_us * np.arange(len(xy))
    ev["x"], ev["y"] = np.array(xy).T
    ev["p"] = 1
    return ev


def read_all(src) -> np.ndarray:
    parts = []
    while (b := src.read()) is not None:
        parts.append(b)
    src.close()
    return np.concatenate(parts)


def run_on_fake_clock(monkeypatch, rec, steps, plugins, clock_s: list[float]):
    """``rec`` through the post-processing ``steps`` (``plugins``: their entry points) with the
    pipeline's ``time.perf_counter`` ahead by ``clock_s[0]``: a step that adds to it takes that
    long on the pipeline's clock, not in a real sleep (a loaded machine makes real times lie).
    Returns (pipeline, the warnings passed to ``on_warning``, the frames)."""
    import time
    import types

    from plugin_support import _with_extra

    import evfocus_live.pipeline as pipeline_mod

    _with_extra(monkeypatch, plugins)
    clock_s[0] = 0.0
    clock = types.SimpleNamespace(**{k: getattr(time, k) for k in dir(time) if not k.startswith("__")})
    clock.perf_counter = lambda: time.perf_counter() + clock_s[0]
    monkeypatch.setattr(pipeline_mod, "time", clock)
    pipe = pipeline_mod.Pipeline(str(rec), WindowConfig(mode="events", window_events=1_000),
                                 post=PostConfig(steps=steps), model_obj=SumModel())
    said: list[str] = []
    pipe.on_warning = said.append
    return pipe, said, list(pipe.frames())


#: the sensor of the paced replays' windows (:func:`windows`)
W, H = 64, 48


def windows(n: int, window_us: int = 50_000) -> list[Window]:
    ev = np.zeros(10, EVENT_DTYPE)
    ev["t"] = np.arange(10)
    return [Window(ev, i * window_us, (i + 1) * window_us) for i in range(n)]


class FlakyCam(EventSource):
    """Opens fine, then each read() after the first fails."""

    format = "flakycam"
    width, height = 32, 24
    is_live = True
    opened = 0

    def __init__(self):
        type(self).opened += 1
        self.reads = 0

    def read(self):
        self.reads += 1
        if self.reads == 1:
            return np.empty(0, EVENT_DTYPE)
        raise (ValueError("bad packet") if type(self).opened == 6 else OSError("USB transfer failed"))

    def close(self):
        pass


def run_reconnecting(cam_cls: type, reconnects: int) -> Pipeline:
    """A pipeline on ``cam_cls`` run until it has reconnected ``reconnects`` times, stopped."""
    pipe = Pipeline(cam_cls, WindowConfig(mode="events", window_events=100), model="integrator",
                    post=PostConfig(steps=()))
    pipe.start()
    while pipe.stats.reconnects < reconnects:
        pipe.wait(0.05)
    pipe.stop()
    return pipe


class _Placed(torch.nn.Module):
    """A model that stays on the CPU whatever device it is sent to."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(1))

    def to(self, *args, **kw):
        return self

    def reset_states(self):
        pass

    def forward(self, voxel):
        return {"image": torch.sigmoid(voxel.float().mean(1, keepdim=True))}
