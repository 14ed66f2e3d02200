"""Open whichever event camera is attached: iniVation first, then Prophesee."""

from __future__ import annotations

import logging

from ..errors import DeviceError
from .base import EventSource

log = logging.getLogger(__name__)


def open_any_camera(**kwargs) -> EventSource:
    """The first camera that opens; DeviceError listing every attempt and why it failed."""
    tried = []
    from .dv_camera import DvCameraSource
    try:
        return DvCameraSource("auto", **{k: v for k, v in kwargs.items() if k in ("serial", "poll_timeout_s")})
    except DeviceError as exc:
        tried.append(f"iniVation: {exc}")
    from .prophesee_camera import PropheseeCameraSource
    try:
        return PropheseeCameraSource(**{k: v for k, v in kwargs.items() if k in ("serial", "poll_timeout_s")})
    except DeviceError as exc:
        tried.append(f"Prophesee: {exc}")
    raise DeviceError("no event camera found; tried " + "; ".join(tried))
