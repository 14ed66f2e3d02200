"""OpenEB's reader loop polls the camera's stream until a slice is decoded, and poll_buffer()
answers at once (0: no data): with a still scene the Prophesee reader thread spun in Python,
a core burnt and the GIL fought over with the model. A poll that finds nothing now waits
``IDLE_POLL_S`` (1 ms) before the next; one that finds data does not wait."""

from __future__ import annotations

import threading

from metavision_support import SLICE, use_metavision

from evfocus_live.sources import prophesee_camera

POLLS = 300


class Stream:
    """OpenEB's I_EventsStream: poll_buffer() answers at once, 0 for a still camera."""

    def __init__(self, answers):
        self.answers, self.polls = answers, 0
        self.stopped = threading.Event()

    def stop(self):
        self.stopped.set()

    def poll_buffer(self):
        if self.stopped.is_set():
            return -1
        self.polls += 1
        return self.answers(self.polls)


def _run(monkeypatch, answers) -> tuple[Stream, list[float]]:
    """The reader's loop as OpenEB's: polled with no pause of its own, ``POLLS`` times, then a
    slice; returns the stream and the pauses taken, on a fake clock."""
    waits: list[float] = []
    monkeypatch.setattr(prophesee_camera, "_idle_sleep", waits.append, raising=False)  # (the old code had none)
    done = threading.Event()

    class Reader:
        def __init__(self):
            self.i_events_stream = Stream(answers)

    def slices(it):
        while it.reader.i_events_stream.polls < POLLS:  # (RawReaderBase._run, again and again)
            if it.reader.i_events_stream.poll_buffer() < 0:
                return
        done.set()
        yield SLICE

    cam = use_metavision(monkeypatch, Reader, slices).PropheseeCameraSource(poll_timeout_s=0.5)
    try:
        assert done.wait(30.0)
        assert len(cam.read()) == 5
        return cam._mv_it.reader.i_events_stream, waits
    finally:
        cam.close()


def test_a_still_cameras_reader_waits_between_polls(monkeypatch):
    stream, waits = _run(monkeypatch, lambda n: 0)
    polls_per_s = stream.polls / max(sum(waits), 1e-9)
    assert polls_per_s <= 1100, (stream.polls, sum(waits))  # (was: no wait at all, as fast as Python goes)
    assert max(waits) <= 0.002  # (a slice's latency barely touched)


def test_a_camera_with_data_is_polled_without_a_pause(monkeypatch):
    _stream, waits = _run(monkeypatch, lambda n: 1)
    assert waits == []


def test_the_stream_is_still_stopped_through_the_pacing(monkeypatch):
    """close() stops the stream (see test_metavision_still_camera_gives_itself_back_at_close): via the wrapper too."""
    class Reader:
        def __init__(self):
            self.i_events_stream = Stream(lambda n: 0)

    it = type("It", (), {})()
    it.reader = Reader()
    prophesee_camera._pace_metavision_polls(it)
    prophesee_camera._pace_metavision_polls(it)  # (once only)
    assert isinstance(it.reader.i_events_stream._stream, Stream)
    assert prophesee_camera._stop_metavision_stream(it)
    assert it.reader.i_events_stream.poll_buffer() == -1

