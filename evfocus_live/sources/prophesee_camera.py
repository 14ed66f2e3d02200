"""Live Prophesee cameras (EVK3/EVK4, ...): Metavision SDK if installed, else neuromorphic-drivers.

Neither is on PyPI as the SDK (Metavision/OpenEB must be built or installed from
Prophesee); ``neuromorphic-drivers`` is (``pip install evfocus-live[prophesee]``).
Without either, opening raises a :class:`DeviceError` that says how to get one. Both
paths are untested with hardware here; the no-camera paths are tested.
"""

from __future__ import annotations

import importlib.util
import logging
import queue
import threading
import time

import numpy as np

from ..errors import DeviceError, first_line
from ..events import EVENT_DTYPE
from .base import EventSource

log = logging.getLogger(__name__)

#: the driver has given nothing (not even an empty packet) for this long: :meth:`close` does
#: not wait long for its reader thread (it is inside the driver)
DRIVER_SILENT_S = 1.0
#: ... for this long (the pipeline's STALL_S): said once in the log, as a possible stall. Only
#: said: :meth:`read` still answers empty batches. Whether a still scene's driver gives empty
#: packets is untested with hardware, and Metavision's ``EventsIterator`` (delta_t) gives a
#: slice only once the camera's data moved its time on: a camera that sends nothing while the
#: scene is still gave no packet, and a read() that waited for one showed it as stalled. No
#: STALLED status as a DAVIS has: dv's read polls and returns at once for a still scene, so one
#: inside the driver for 5 s is stuck; neuromorphic-drivers' iterator (opened blocking) waits for
#: data in both cases, and with an ``iterator_timeout`` it ticks in both: nothing here tells a
#: still camera from a stalled one without knowing that the sensor sends its time when still
DRIVER_SILENT_SAY_S = 5.0
#: after a stop that its reader thread did not see (blocked in the Metavision driver), how long
#: :meth:`close` waits for it once the camera is released (the released stream ends the wait)
RELEASED_JOIN_S = 0.5

#: after a poll of the Metavision stream that found no data, its reader waits this long before
#: polling again: OpenEB's reader loop (RawReaderBase._run, called until a slice is decoded) polls
#: ``poll_buffer()`` again at once, and it answers at once (0: no data), so a still scene kept the
#: reader thread spinning in Python, a core burnt and the GIL fought over with the model. A slice
#: is 10 ms of events: a 1 ms pause adds at most that to the latency
IDLE_POLL_S = 0.001

HOW_TO = ("install the Metavision SDK / OpenEB (https://docs.prophesee.ai) or "
          "'pip install neuromorphic-drivers' (then run neuromorphic-drivers-install-udev-rules)")


def _to_events(a, fields=("t", "x", "y", "p")) -> np.ndarray:
    out = np.empty(len(a), dtype=EVENT_DTYPE)
    t, x, y, p = fields
    out["t"], out["x"], out["y"] = a[t], a[x], a[y]
    out["p"] = np.asarray(a[p]) > 0
    return out


def _nd_name(device) -> str:
    """A listed device's model name: neuromorphic-drivers gives an enum (``Name.PROPHESEE_EVK4``,
    value ``"Prophesee EVK4"``), whose str() went into the status line and the recording's sensor."""
    name = getattr(device, "name", device)
    return str(getattr(name, "value", name))


def _release_metavision(it) -> None:
    """Give a Metavision ``EventsIterator``'s camera back now. It has no close(): its
    ``reader`` (OpenEB's RawReaderBase, a context manager) stops the stream and drops the HAL
    device on exit, which was otherwise left to the garbage collector - and a failed open's
    DeviceError held the iterator in its traceback, so the next open found the camera busy.
    Safe to call twice (the reader's exit only deletes what is still there)."""
    reader = getattr(it, "reader", None)
    try:
        if reader is not None and hasattr(reader, "__exit__"):
            reader.__exit__(None, None, None)
        elif callable(getattr(it, "close", None)):
            it.close()
    except Exception as exc:  # releasing is best effort: the open's own error is the one to say
        log.debug("releasing the Metavision camera failed: %s", first_line(exc, type(exc).__name__))


class _PacedStream:
    """OpenEB's I_EventsStream as the Metavision reader's loop sees it, but a poll that finds no
    data (0) waits ``IDLE_POLL_S`` before it answers (see there); the rest is the stream's own."""

    def __init__(self, stream):
        self._stream = stream

    def poll_buffer(self):
        n = self._stream.poll_buffer()
        if n == 0:
            _idle_sleep(IDLE_POLL_S)
        return n

    def __getattr__(self, name):
        if name == "_stream":  # (not set yet: no recursion)
            raise AttributeError(name)
        return getattr(self._stream, name)


#: how the paced stream waits (a test's fake clock replaces it)
_idle_sleep = time.sleep


def _pace_metavision_polls(it) -> None:
    """Put :class:`_PacedStream` under a Metavision ``EventsIterator``'s reader (a reader
    without a stream, such as a file's of another kind, is left as it is)."""
    reader = getattr(it, "reader", None)
    stream = getattr(reader, "i_events_stream", None)
    if stream is not None and callable(getattr(stream, "poll_buffer", None)) and not isinstance(stream, _PacedStream):
        reader.i_events_stream = _PacedStream(stream)


def _stop_metavision_stream(it) -> bool:
    """Stop a Metavision ``EventsIterator``'s stream without releasing its camera (True: it had
    one to stop). OpenEB's poll_buffer() then answers -1: the reader's own loop ends and gives
    the camera back in its thread. Released from another thread instead, the device and its
    decoder were freed between the reader's calls into them (a crash at close)."""
    stream = getattr(getattr(it, "reader", None), "i_events_stream", None)
    if stream is None or not callable(getattr(stream, "stop", None)):
        return False
    try:
        stream.stop()  # (HAL's stop() takes the stream's own locks: safe beside the reader's poll)
    except Exception as exc:
        log.debug("stopping the Metavision stream failed: %s", first_line(exc, type(exc).__name__))
        return False
    return True


def _metavision_serial(it) -> str | None:
    """The serial number of the camera a Metavision ``EventsIterator`` opened (HAL's hardware
    identification), None where it does not say. Opened without one, a camera lost and opened
    again was the first found (named "Prophesee", as any other): with two of one model
    attached, the other one went on in the lost one's recording."""
    try:
        ident = it.reader.device.get_i_hw_identification()
        serial = str(ident.get_serial() or "").strip() if ident is not None else ""
    except Exception:  # (a file's reader, an SDK without it: unknown)
        return None
    return serial or None


def attached_serials() -> list[str] | None:
    """The serial numbers of the Prophesee cameras attached (Metavision's HAL device discovery, or
    neuromorphic-drivers' list), None where the driver cannot list them: a lost camera that did
    not say its own is looked for among them (see ``gui.app._reopener``)."""
    try:
        if _backend() == "metavision":
            from metavision_hal import DeviceDiscovery
            return [str(s) for s in DeviceDiscovery.list()]
        if _backend() == "neuromorphic_drivers":
            import neuromorphic_drivers as nd
            # (one without a serial cannot be opened by it: "None" opened the first camera)
            return [str(d.serial) for d in nd.list_devices()
                    if ("prophesee" in _nd_name(d).lower() or "evk" in _nd_name(d).lower())
                    and getattr(d, "serial", None)]
    except Exception as exc:  # (an SDK without it, a USB error: unknown)
        log.debug("cannot list the Prophesee cameras: %s", first_line(exc, type(exc).__name__))
    return None


def _backend():
    """'metavision', 'neuromorphic_drivers' or None, by what imports."""
    for module, name in (("metavision_core.event_io", "metavision"),
                         ("neuromorphic_drivers", "neuromorphic_drivers")):
        try:
            if importlib.util.find_spec(module) is not None:
                return name
        except (ImportError, ValueError):  # parent package missing
            pass
    return None


class PropheseeCameraSource(EventSource):
    """A live Prophesee camera (see module docstring for the backends).

    A reader thread pulls packets from the driver into a queue bounded in packets and in
    events (oldest dropped), so :meth:`read` returns within ``poll_timeout_s``; an empty
    batch means nothing arrived, DeviceError means the camera stopped. A driver that has
    given nothing for ``DRIVER_SILENT_SAY_S`` is said once in the log (stalled, or a camera
    that sends nothing for a still scene), and again when it gives.

    Parameters:
        serial: camera serial number (default: the first one found).
        poll_timeout_s: longest wait inside :meth:`read`.
        max_buffer_events: events kept for a reader that fell behind; older packets are
            dropped (and counted in :attr:`dropped_events`).
    """

    is_live = True
    format = "prophesee"

    def __init__(self, serial: str | None = None, poll_timeout_s: float = 0.02,
                 max_buffer_events: int = 4_000_000, **_ignored):
        self.poll_timeout_s = poll_timeout_s
        self._q: queue.Queue = queue.Queue(maxsize=256)
        # 256 packets alone did not bound memory: in a burst (flicker, a shaken camera) a
        # packet holds millions of events, so a stalled reader queued gigabytes
        self.max_buffer_events = int(max_buffer_events)
        self._queued_events = 0
        self._count_lock = threading.Lock()
        self._error: str | None = None
        self._stop = threading.Event()
        #: when the driver last gave anything (an empty packet too): see DRIVER_SILENT_S
        self._driver_at = time.monotonic()
        self._silence_said = False  # (DRIVER_SILENT_SAY_S: said until the driver gives again)
        self.dropped_batches = 0
        self._dropped_events = 0
        backend = _backend()
        if backend is None:
            raise DeviceError("no Prophesee driver available: " + HOW_TO)
        self.backend = backend
        if backend == "metavision":
            self._it = self._open_metavision(serial)
        else:
            self._it = self._open_nd(serial)
        try:
            self._thread = threading.Thread(target=self._pump, name="prophesee-reader", daemon=True)
            self._driver_at = time.monotonic()  # (the open's own seconds are no silence)
            self._thread.start()
        except RuntimeError as exc:  # "can't start new thread": release the opened camera
            self._thread = None
            self.close()
            raise DeviceError(f"cannot start the camera reader thread ({first_line(exc, 'no detail')})") from None

    def _open_metavision(self, serial):
        from metavision_core.event_io import EventsIterator
        try:
            it = EventsIterator(input_path=serial or "", mode="delta_t", delta_t=10_000)
        except Exception as exc:
            raise DeviceError(f"no Prophesee camera found via Metavision ({type(exc).__name__}: "
                              f"{first_line(exc, 'no detail')})") from None
        self._mv_it = it  # holds the camera: close() releases it, also on a failure below
        try:
            h, w = it.get_size()  # (None, None) when the device has no geometry
            if h is None or w is None or int(w) <= 0 or int(h) <= 0:
                raise ValueError(f"it reports {w} x {h} pixels")
            self.width, self.height = int(w), int(h)
        except Exception as exc:
            self.close()
            raise DeviceError(f"cannot read the sensor size of the Prophesee camera via Metavision "
                              f"({type(exc).__name__}: {first_line(exc, 'no detail')})") from None
        _pace_metavision_polls(it)
        serial = serial or _metavision_serial(it)
        self.sensor = f"Prophesee {serial or ''}".strip()
        self.serial = serial or None  # (opened again by it after a drop)
        return (_to_events(ev) for ev in it)

    def _open_nd(self, serial):
        import neuromorphic_drivers as nd
        try:
            devices = list(nd.list_devices())
        except Exception as exc:
            raise DeviceError(f"cannot list cameras via neuromorphic-drivers ({type(exc).__name__}: "
                              f"{first_line(exc, 'no detail')})") from None
        devices = [d for d in devices if "prophesee" in _nd_name(d).lower() or "evk" in _nd_name(d).lower()]
        if serial is not None:
            devices = [d for d in devices if str(getattr(d, "serial", "")) == serial]
        if not devices:
            raise DeviceError(f"no Prophesee camera found{' with serial ' + serial if serial else ''} "
                              "(neuromorphic-drivers)")
        try:
            dev = nd.open(serial=getattr(devices[0], "serial", None))
        except Exception as exc:
            listed = getattr(devices[0], "error", None)  # what the driver saw when listing (e.g. USB permissions)
            raise DeviceError(f"cannot open {_nd_name(devices[0])} ({type(exc).__name__}: "
                              f"{first_line(exc, 'no detail')}{'; ' + str(listed) if listed else ''})") from None
        self._dev = dev
        try:
            props = getattr(dev, "properties", lambda: None)()
            self.width = int(getattr(props, "width", 1280))
            self.height = int(getattr(props, "height", 720))
        except Exception as exc:  # release the opened device: the next open found it busy
            self.close()
            raise DeviceError(f"cannot read the properties of {_nd_name(devices[0])} ({type(exc).__name__}: "
                              f"{first_line(exc, 'no detail')})") from None
        self.sensor = f"{_nd_name(devices[0])} {getattr(devices[0], 'serial', None) or ''}".strip()
        self.serial = str(getattr(devices[0], "serial", None) or "") or None  # (opened again by it after a drop)

        def gen():
            for _status, packet in dev:
                self._driver_at = time.monotonic()
                if self._stop.is_set():  # a scene with no events gives only empty packets: the
                    return  # pump never saw the stop, and close() left the thread spinning
                ev = packet.get("dvs_events") if isinstance(packet, dict) else getattr(packet, "polarity_events", None)
                if ev is not None and len(ev):
                    yield _to_events(ev, ("t", "x", "y", "on"))
        return gen()

    def _pump(self) -> None:
        try:
            for batch in self._it:
                self._driver_at = time.monotonic()
                if self._silence_said:
                    self._silence_said = False
                    log.info("the Prophesee driver gives again")
                if self._stop.is_set():
                    return
                with self._count_lock:
                    self._queued_events += len(batch)
                while True:  # never block the driver: drop the oldest
                    try:
                        self._q.put_nowait(batch)
                        break
                    except queue.Full:
                        self._drop_oldest()
                while self._queued_events > self.max_buffer_events and self._q.qsize() > 1:
                    if not self._drop_oldest():
                        break
            self._error = "camera stream ended"
        except Exception as exc:
            detail = first_line(exc, "no detail")
            self._error = f"camera error ({type(exc).__name__}: {detail})"

    def _drop_oldest(self) -> bool:
        try:
            old = self._q.get_nowait()
        except queue.Empty:
            return False
        with self._count_lock:
            self._queued_events -= len(old)
        self._dropped_events += len(old)
        self.dropped_batches += 1
        return True

    def read(self) -> np.ndarray | None:
        """Next batch; empty when nothing arrived within ``poll_timeout_s``; None once closed
        (an empty batch after close() kept ``for batch in cam`` polling forever)."""
        if self._stop.is_set():
            return None
        try:
            batch = self._q.get(timeout=self.poll_timeout_s)
        except queue.Empty:
            if self._error:
                raise DeviceError(f"{self.sensor}: {self._error}") from None
            silent_s = time.monotonic() - self._driver_at
            if silent_s >= DRIVER_SILENT_SAY_S and not self._silence_said:
                self._silence_said = True
                log.warning("the Prophesee driver has given nothing for %.0f s (camera stalled or "
                            "unplugged? some send nothing while the scene is still)", silent_s)
            return np.empty(0, dtype=EVENT_DTYPE)
        with self._count_lock:
            self._queued_events -= len(batch)
        return batch

    @property
    def driver_silent(self) -> bool:
        """The driver has given nothing for ``DRIVER_SILENT_S`` (stalled, or inside a packet)."""
        return time.monotonic() - self._driver_at >= DRIVER_SILENT_S

    @property
    def dropped_events(self) -> int:
        """Events of the batches dropped because the reader fell behind the driver."""
        return self._dropped_events

    def close(self) -> None:
        """Stop the reader thread and release the device (the next open needs it)."""
        self._stop.set()
        dev = getattr(self, "_dev", None)
        if dev is not None:
            try:
                dev.__exit__(None, None, None)
            except Exception:
                pass
            self._dev = None
        thread = getattr(self, "_thread", None)
        other = thread is not None and thread is not threading.current_thread()
        silent = self.driver_silent
        if other:
            # the driver yields every packet (10 ms): the pump sees the stop; a silent driver (a
            # stall, said by read(), or a still camera that sends nothing) is not waited for long
            thread.join(0.2 if silent else 1.0)
        running = thread is not None and thread.is_alive()
        mv = getattr(self, "_mv_it", None)
        if mv is not None and running and other and _stop_metavision_stream(mv):
            # inside the Metavision driver's loop (it polls for data, and a still camera gives none)
            # the thread never saw the stop: its stream stopped, the loop ends and releases the camera
            thread.join(RELEASED_JOIN_S)
            running = thread.is_alive()
        if mv is not None and running and other:
            # still inside, the thread kept the camera until the process ended: released anyway
            # (the reader's exit stops the stream first, which ends such a wait), and the thread
            # given a moment to come out
            self._mv_it = None
            _release_metavision(mv)
            thread.join(RELEASED_JOIN_S)
            running = thread.is_alive()
        if running and other and not getattr(self, "_stuck_said", False):  # (said once: close() may come twice)
            self._stuck_said = True
            (log.debug if silent and mv is None else log.warning)(
                "the Prophesee reader thread is still inside the driver after the stop: the camera was "
                "released, the thread is left to end alone")
        it = getattr(self, "_it", None)
        if it is not None and not running:
            it.close()  # ends the generator: its driver iterator is released with it
            self._it = None
        mv = getattr(self, "_mv_it", None)
        if mv is not None and not running:
            self._mv_it = None
            _release_metavision(mv)
