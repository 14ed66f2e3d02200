"""OpenEB's poll_buffer() does not wait: for a still camera (no data) the Metavision reader
thread loops in the driver's iterator, polling, and never sees the stop. close() then released
the camera from its own thread while the reader was still calling into it: the device and its
decoder were freed between the reader's calls (a crash at close, or an AttributeError in the
reader). The stream is now stopped first (its poll answers -1), so the reader's own loop ends
and gives the camera back in its thread; close() releases it only for a thread that stays inside."""

from __future__ import annotations

import threading
import time

from metavision_support import SLICE, use_metavision


class Stream:
    """OpenEB's I_EventsStream, as the reader's loop uses it: poll_buffer() answers at once."""

    def __init__(self):
        self.stopped = threading.Event()

    def stop(self):
        self.stopped.set()

    def poll_buffer(self):
        return -1 if self.stopped.is_set() else 0


def test_close_stops_the_stream_and_the_reader_gives_the_camera_back(monkeypatch):
    released_in, inside = [], threading.Event()

    class Reader:  # OpenEB's RawReaderBase: its exit stops the stream and frees the device
        def __init__(self):
            self.i_events_stream = Stream()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            if hasattr(self, "i_events_stream"):  # (again: nothing left to free, as OpenEB's)
                released_in.append(threading.current_thread().name)
                self.i_events_stream.stop()
                del self.i_events_stream

    def slices(it):
        with it.reader:
            yield SLICE
            inside.set()
            while it.reader.i_events_stream.poll_buffer() == 0:  # a still camera: nothing comes
                time.sleep(0.001)

    cam = use_metavision(monkeypatch, Reader, slices).PropheseeCameraSource(poll_timeout_s=0.5)
    try:
        assert len(cam.read()) == 5
        assert inside.wait(30.0)
        cam.close()
        assert not cam._thread.is_alive()
        # given back once, by the reader thread as its loop ended (not freed under it by close())
        assert released_in == ["prophesee-reader"], released_in
        assert cam.read() is None
    finally:
        cam._thread.join(5.0)
