"""Live iniVation cameras (DAVIS346, DVXplorer, ...) through dv-processing.

``dv.io.camera.open()`` with no camera raises a bare ``IndexError`` in dv 2.0.4, so we
call ``discover()`` first and turn every failure into a one-line :class:`DeviceError`
that names what was found. :meth:`DvCameraSource.read` never blocks for long: it polls
for at most ``poll_timeout_s`` and returns an empty batch when nothing arrived, and it
raises DeviceError once the camera stops running (unplugged).
"""

from __future__ import annotations

import logging
import time

import numpy as np

from ..errors import DeviceError, first_line
from ..events import EVENT_DTYPE
from .base import EventSource

log = logging.getLogger(__name__)

#: APS frames a DAVIS source keeps for :meth:`DvCameraSource.aps_frames` (~0.3 s at 25 fps:
#: the pipeline wants the one at a window's end, which is at most a window behind the newest)
APS_KEEP = 8

#: camera name -> substrings of dv's camera model / device name that match it
CAMERA_MODELS = {"davis346": ("DAVIS",), "davis": ("DAVIS",), "dvxplorer": ("DVXPLORER",),
                 "dvs128": ("DVS128",), "auto": ("",), "inivation": ("",)}


def _dv():
    try:
        import dv_processing as dv
    except ImportError:
        raise DeviceError("iniVation cameras need dv-processing (pip install dv-processing)") from None
    return dv


def _describe(desc) -> str:
    model = str(getattr(desc, "cameraModel", "")).split(".")[-1]
    return f"{model or 'camera'} {getattr(desc, 'serialNumber', '?')}"


def discover() -> list:
    """Descriptors of the iniVation cameras attached now (DeviceError if USB fails)."""
    dv = _dv()
    try:
        return list(dv.io.camera.discover())
    except Exception as exc:  # libusb/permission problems surface here
        raise DeviceError(f"cannot list iniVation cameras ({type(exc).__name__}: "
                          f"{first_line(exc, 'no detail')})") from None


def batch_to_events(batch, width: int = 1 << 15, height: int = 1 << 15) -> np.ndarray:
    """dv EventStore -> EVENT_DTYPE (via the 16-byte record kernel of the AEDAT4 reader),
    dropping events outside ``width`` x ``height``: dv's int16 x/y can be negative, which
    as uint16 would be pixels near 65535."""
    a = batch.numpy()
    n = len(a)
    out = np.empty(n, dtype=EVENT_DTYPE)
    if n == 0:
        return out
    if a.dtype.itemsize == 16:
        from .aedat4_file import RESTART_BACK_US, _unpack_dv
        m, _ = _unpack_dv(np.ascontiguousarray(a).view(np.uint8).reshape(-1), out.view(np.uint8), n, width, height,
                          RESTART_BACK_US)
        return out[:m]
    keep = (a["x"] >= 0) & (a["x"] < width) & (a["y"] >= 0) & (a["y"] < height)
    if not keep.all():
        a, out = a[keep], out[:int(keep.sum())]
    out["t"], out["x"], out["y"] = a["timestamp"], a["x"], a["y"]
    out["p"] = a["polarity"] != 0
    return out


class DvCameraSource(EventSource):
    """A live iniVation camera.

    Parameters:
        camera: ``"davis346"``, ``"dvxplorer"``, ``"dvs128"`` or ``"auto"`` (any iniVation).
        serial: open the camera with this serial number only.
        poll_timeout_s: longest wait inside :meth:`read` before returning an empty batch.

    Example::

        with DvCameraSource("davis346") as cam:
            while True:
                batch = cam.read()      # may be empty; DeviceError when unplugged
    """

    is_live = True
    format = "live"

    def __init__(self, camera: str = "auto", serial: str | None = None, poll_timeout_s: float = 0.02):
        dv = _dv()
        wanted = CAMERA_MODELS.get(camera.lower())
        if wanted is None:
            raise DeviceError(f"unknown iniVation camera {camera!r} (known: {', '.join(CAMERA_MODELS)})")
        found = discover()
        if not found:  # (not "looked for auto": auto is any model, as `--camera auto` reads it)
            what = " ".join(w for w in (camera if camera.lower() != "auto" else "", serial or "") if w)
            raise DeviceError("no iniVation camera found (" + (f"looked for {what}; " if what else "")
                              + "check USB and udev rules)")
        match = [d for d in found
                 if any(w in (str(getattr(d, "cameraModel", "")) + str(getattr(d, "deviceType", ""))).upper()
                        for w in wanted)
                 and (serial is None or str(getattr(d, "serialNumber", "")) == serial)]
        if not match:
            raise DeviceError(f"no {camera}{' ' + serial if serial else ''} attached; found: "
                              + ", ".join(_describe(d) for d in found))
        try:
            self._cam = dv.io.camera.open(match[0])
        except Exception as exc:
            raise DeviceError(f"cannot open {_describe(match[0])} ({type(exc).__name__}: "
                              f"{first_line(exc, 'no detail')})") from None
        if not self._cam.isEventStreamAvailable():
            raise DeviceError(f"{_describe(match[0])} has no event stream")
        self.width, self.height = (int(v) for v in self._cam.getEventResolution())
        self.sensor = str(self._cam.getCameraName())
        #: this camera's serial number: a lost ``auto`` camera is opened again by it, not as the first found
        self.serial = str(getattr(match[0], "serialNumber", "") or "") or None
        self.format = camera.lower()
        self.poll_timeout_s = poll_timeout_s
        try:  # a DAVIS has an APS frame stream beside its events (a DVXplorer has none)
            self._frames_on = bool(self._cam.isFrameStreamAvailable())
        except Exception:
            self._frames_on = False

    @property
    def has_aps(self) -> bool:
        """The camera has an APS frame stream (a DAVIS; a DVXplorer has none)."""
        return bool(getattr(self, "_frames_on", False))

    def read(self) -> np.ndarray | None:
        cam = self._cam
        if cam is None:
            return None
        deadline = time.monotonic() + self.poll_timeout_s
        while True:
            fault = None
            try:
                running = cam.isRunning()
                batch = cam.getNextEventBatch() if running else None
                if running and getattr(self, "_frames_on", False):
                    self._poll_frames(cam)
            except Exception as exc:
                detail = first_line(exc, "no detail")
                fault = f"camera error ({type(exc).__name__}: {detail})"
            if fault is not None or not running:
                # raised outside the except block and without this frame's camera: the pipeline
                # reconnects while it handles this error, and the traceback (or a chained driver
                # exception) would keep the dead camera's USB handle open the whole time
                cam = batch = None
                raise DeviceError(f"{self.sensor}: {fault or 'camera disconnected'}")
            if batch is not None and len(batch):
                return batch_to_events(batch, self.width, self.height)
            if time.monotonic() >= deadline:
                return np.empty(0, dtype=EVENT_DTYPE)
            time.sleep(0.001)

    def _poll_frames(self, cam) -> None:
        """Keep the APS frames that arrived (non-blocking in dv: None when there is none).
        The kept tuple is replaced, never changed: the pipeline's worker reads it unlocked.
        A frame smaller than the sensor (DV's APS region of interest) is placed at its
        position, as a recording's are; one that does not fit there is left out (one warning)."""
        from .aedat4_file import _grey, aps_fits, place_aps

        while (f := cam.getNextFrame()) is not None:
            img = _grey(np.asarray(f.image))
            x, y = int(getattr(f, "positionX", 0)), int(getattr(f, "positionY", 0))
            h, w = img.shape
            if not aps_fits(x, y, w, h, self.width, self.height):
                if not getattr(self, "_aps_outside_warned", False):
                    self._aps_outside_warned = True
                    log.warning("%s: an APS frame of %dx%d at (%d, %d) does not fit the %dx%d sensor: left "
                                "out, as are any others that do not", self.sensor, w, h, x, y, self.width,
                                self.height)
                continue
            kept = getattr(self, "_aps", ())
            self._aps = (*kept[-(APS_KEEP - 1):], (int(f.timestamp), place_aps(img, x, y, self.width, self.height)))

    def aps_frames(self, limit: int | None = None) -> tuple[tuple[int, np.ndarray], ...]:
        """The last ``APS_KEEP`` APS frames received (a DAVIS; empty for a DVXplorer), the
        first ``limit`` of them when given."""
        return getattr(self, "_aps", ())[:limit]

    def close(self) -> None:
        self._cam = None  # dv closes the device when the object is released
