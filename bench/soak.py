"""Soak test (not in CI): run the live viewer's pipeline for N minutes and watch what grows.

Examples::

    python bench/soak.py --minutes 10                       # simulated camera, real time
    python bench/soak.py --source ../shared/data/davis346_pegboard_aestream.aedat4 --speed 0
    python bench/soak.py --source ../shared/data/prophesee_gen41_evk3_street_evt3.raw --speed 0 --downsample 4
    python bench/soak.py --record /tmp/x.aedat4 --video /tmp/x.mp4   # recordings grow, memory must not
    python bench/soak.py --gui --minutes 5                  # the Qt window (offscreen without a display)
    python bench/soak.py --switch source --switch-every-s 2 # reopen the source every 2 s (leaks per switch)

It runs what ``evfocus-live --headless`` runs (a ``LiveSession``: tapped source, threaded
pipeline, recorder), with recordings looped (each pass seeks back: the loop path), or with
``--gui`` the viewer's ``MainWindow`` (``QT_QPA_PLATFORM=offscreen`` unless set). Every
``--interval-s`` one sample is logged: RSS (VmRSS), OS and Python threads, open fds, Python
objects (``gc``), tracemalloc's traced MB (``--tracemalloc``), fps, event-to-frame latency,
ring fill, dropped events, skipped windows, frames, loop passes, and with ``--gui`` the
window's QObject children and status-log length. At the end the table goes to stdout (or
``--out`` CSV) and the growth after ``--warmup-s`` is given as a least-squares slope per hour
(a leak is a steady slope; a plateau is not), with ``--tracemalloc`` the top allocation sites
that grew. ``--record``/``--video`` outputs are reopened at the end to check they are readable.
"""

from __future__ import annotations

import argparse
import csv
import gc
import logging
import math
import os
import sys
import threading
import time
from typing import NamedTuple
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _options import Parser, fail, non_negative_float, positive_float, positive_int  # noqa: E402

log = logging.getLogger("soak")


def speed(text: str) -> float:
    """A replay speed: > 0, or 0 for as fast as possible (as ``evfocus-live --speed``)."""
    return non_negative_float(text, " (0: as fast as possible)")


def _proc_status(key: str) -> int | None:
    """A number from /proc/self/status (Linux), e.g. ``VmRSS`` in kB or ``Threads``."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_mb() -> float:
    """Resident set size of this process in MiB (Linux /proc, else peak ru_maxrss)."""
    kb = _proc_status("VmRSS")
    if kb is None:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024


def open_fds() -> int:
    """Open file descriptors of this process (-1 where /proc is missing)."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


def build_model(name: str):
    """``random-firenet`` / ``random-evfocus`` (untrained, the same cost); None for a name/path."""
    if name.startswith("random-"):
        from evfocus_live.nn.registry import build_model as build

        arch = name.split("-", 1)[1]
        cfg = {"base": 8, "kernel": 3, "num_deblur_blocks": 1} if arch == "evfocus" else {}
        return build(arch, cfg).eval()
    return None


class Sample(NamedTuple):  # (not a dataclass: the README test loads this file outside sys.modules)
    t_s: float
    rss_MB: float
    fps: float
    Mev_s: float
    ring_pct: float
    dropped: int
    skipped: int
    infer_ms: float
    lat_ms: float
    frames: int
    loops: int
    switches: int
    os_threads: int
    py_threads: int
    fds: int
    objects: int
    traced_MB: float
    qobjects: int
    status_log: int
    status: str


#: column widths of the table (the status last: it may hold spaces)
_FMT = {"t_s": "6.0f", "rss_MB": "8.1f", "fps": "6.1f", "Mev_s": "7.2f", "ring_pct": "8.1f", "dropped": "10d",
        "skipped": "8d", "infer_ms": "9.1f", "lat_ms": "8.1f", "frames": "8d", "loops": "6d", "switches": "8d",
        "os_threads": "10d", "py_threads": "10d", "fds": "5d", "objects": "9d", "traced_MB": "9.1f",
        "qobjects": "8d", "status_log": "10d"}


def table_header() -> str:
    return " ".join(f"{n:>{int(f.split('.')[0].rstrip('df'))}}" for n, f in _FMT.items()) + "  status"


def table_row(s: Sample) -> str:
    return " ".join(format(getattr(s, n), f) for n, f in _FMT.items()) + f"  {s.status}"


def slope_per_h(ts: list[float], ys: list[float]) -> float:
    """Least-squares slope of ``ys`` over ``ts`` (seconds), per hour; NaN under two samples."""
    n = len(ts)
    if n < 2:
        return math.nan
    mt, my = sum(ts) / n, sum(ys) / n
    var = sum((t - mt) ** 2 for t in ts)
    if var == 0:
        return math.nan
    return 3600 * sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / var


class Soak:
    """Runs one session (or window) and takes samples; ``run()`` returns them."""

    def __init__(self, a):
        self.a = a
        self.samples: list[Sample] = []
        self.switches = 0
        self.model_obj = build_model(a.model)
        self.model_name = a.model if self.model_obj is None else "evfocus"
        self.win = None
        self.sess = None
        self._snap = None  # tracemalloc snapshot at the end of the warm-up
        self.described = "?"  # the source as first opened (format, size)

    # ---- configs ------------------------------------------------------------------
    def configs(self):
        from evfocus_live.config import ModelConfig, PostConfig, WindowConfig

        window = WindowConfig(mode="duration", window_ms=self.a.window_ms, downsample=self.a.downsample)
        post = PostConfig(steps=tuple(s for s in self.a.post.split(",") if s and s != "none"))
        return window, ModelConfig(name=self.model_name, device=self.a.device), post

    # ---- headless -----------------------------------------------------------------
    def open_session(self):
        from evfocus_live.gui.session import LiveSession, open_with_fallback

        window, model, post = self.configs()
        src = open_with_fallback(self.a.source, [], fallback=False)
        try:
            sess = LiveSession(src, window, model, post, model_obj=self.model_obj, speed=self.a.speed,
                               loop=True, fallback=False)
        except BaseException:
            src.close()
            raise
        if self.described == "?":
            self.described = f"{src.format}, {src.width}x{src.height}, live={src.is_live}"
        return sess

    def start_recording(self, sess) -> None:
        if self.a.record or self.a.video:
            src = sess.source
            sess.recorder.start(events_path=self.a.record, video_path=self.a.video, overwrite=True,
                                width=src.width, height=src.height, sensor=src.sensor)

    def switch(self) -> None:
        """A source switch (a new session, as the window makes) or a model switch."""
        self.switches += 1
        if self.a.switch == "model":
            name = self.model_name
            if self.win is not None:
                self.win.set_model(name)
            elif self.model_obj is not None:
                self.sess.pipeline.set_model(self.model_obj)
            else:
                self.sess.set_model(name)
            return
        if self.win is not None:
            self.win.open_source(self.a.source)
            return
        from evfocus_live.gui.session import release_freed_memory

        old, self.sess = self.sess, None
        old.stop(timeout_s=5.0)
        old = None
        release_freed_memory()
        self.sess = self.open_session()
        self.sess.start()

    # ---- sampling -----------------------------------------------------------------
    def sample(self, t_s: float) -> Sample:
        import tracemalloc

        sess = self.win.session if self.win is not None else self.sess
        st = sess.stats() if sess is not None else None
        now = time.monotonic()
        ring = sess.pipeline.ring if sess is not None else None
        if self.win is not None:
            lat = self.win._latency_ms  # event read to frame painted
            qobjects = len(self.win.findChildren(QObject))
            status_log = len(self.win.status_log)
        else:
            lat = st.latency_ms if st is not None else math.nan  # event read to frame made
            qobjects = status_log = -1
        s = Sample(
            t_s=t_s, rss_MB=rss_mb(),
            fps=sess.frame_rate.rate(now) if sess else 0.0,
            Mev_s=(st.events_per_s / 1e6) if st else 0.0,
            ring_pct=100 * ring.fill_ratio if ring is not None else 0.0,
            dropped=int(st.dropped_events) if st else 0, skipped=int(st.skipped_windows) if st else 0,
            infer_ms=float(st.infer_ms) if st else 0.0, lat_ms=float(lat) if lat is not None else math.nan,
            frames=int(sess.frames_done) if sess else 0, loops=int(st.loops) if st else 0,
            switches=self.switches, os_threads=_proc_status("Threads") or -1, py_threads=threading.active_count(),
            fds=open_fds(), objects=len(gc.get_objects()),
            traced_MB=tracemalloc.get_traced_memory()[0] / 2**20 if tracemalloc.is_tracing() else math.nan,
            qobjects=qobjects, status_log=status_log, status=(st.status if st else "no session"))
        self.samples.append(s)
        log.info("%s", table_row(s))
        if self.a.tracemalloc and self._snap is None and t_s >= self.warmup_s:
            self._snap = tracemalloc.take_snapshot()
        return s

    @property
    def warmup_s(self) -> float:
        return min(self.a.warmup_s, self.a.minutes * 60 / 2)

    # ---- runs ---------------------------------------------------------------------
    def run_headless(self) -> None:
        self.sess = self.open_session()
        self.start_recording(self.sess)
        self.sess.start()
        t0 = time.monotonic()
        next_sample = t0 + self.a.interval_s
        next_switch = t0 + (self.a.switch_every_s or math.inf)
        end = t0 + self.a.minutes * 60
        try:
            while True:
                time.sleep(0.05)
                self.sess.messages.clear()  # (logged by the session)
                now = time.monotonic()
                err = self.sess.check()
                if err is not None:
                    log.error("the session stopped: %s", err)
                    break
                if now >= next_switch and now < end:
                    self.switch()
                    next_switch = time.monotonic() + self.a.switch_every_s
                if now >= next_sample or now >= end:
                    self.sample(now - t0)
                    next_sample += self.a.interval_s
                    if now >= end:
                        break
        except KeyboardInterrupt:
            log.warning("interrupted: the samples so far follow")
        finally:
            self.sess.stop()

    def run_gui(self) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6 import QtCore, QtWidgets

        from evfocus_live.gui.window import MainWindow, ViewerOptions

        global QObject
        QObject = QtCore.QObject
        app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
        window, model, post = self.configs()
        self.win = MainWindow(ViewerOptions(source=self.a.source, window=window, model=model, post=post,
                                            speed=self.a.speed, loop=True, model_obj=self.model_obj))
        self.win.show()
        if self.win.session is not None:
            src = self.win.session.source
            self.described = f"{src.format}, {src.width}x{src.height}, live={src.is_live}"
        if self.a.record or self.a.video:
            self.win.record_to(self.a.record, self.a.video, overwrite=True)
        t0 = time.monotonic()
        end = t0 + self.a.minutes * 60
        state = {"next_switch": t0 + (self.a.switch_every_s or math.inf)}

        def tick():
            if state.get("done"):  # (quitting closes the window: no session, by design)
                return
            now = time.monotonic()
            if now >= state["next_switch"] and now < end:
                self.switch()
                state["next_switch"] = time.monotonic() + self.a.switch_every_s
            if self.win.session is None:
                log.error("the viewer has no session: %s", self.win.status_log[-1:] or "?")
                app.quit()

        def take():
            now = time.monotonic()
            self.sample(now - t0)
            if now >= end:
                state["done"] = True
                app.quit()

        ticker = QtCore.QTimer()
        ticker.timeout.connect(tick)
        ticker.start(50)
        sampler = QtCore.QTimer()
        sampler.timeout.connect(take)
        sampler.start(int(self.a.interval_s * 1000))
        try:
            app.exec()
        finally:
            ticker.stop()
            sampler.stop()
            self.win.close()  # stops the session, finalises a recording

    # ---- report -------------------------------------------------------------------
    def report(self, out) -> None:
        a, rows = self.a, self.samples
        if a.out:
            with open(a.out, "w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(Sample._fields)
                for s in rows:
                    w.writerow(s)
            log.info("wrote %s (%d samples)", a.out, len(rows))
        else:
            print(table_header(), file=out)
            for s in rows:
                print(table_row(s), file=out)
        if len(rows) < 2:
            print(f"{len(rows)} sample(s): no growth to report", file=out)
            return
        after = [s for s in rows if s.t_s >= self.warmup_s] or rows
        if len(after) < 2:
            after = rows
        ts = [s.t_s for s in after]
        parts = []
        for name, unit in (("os_threads", ""), ("py_threads", ""), ("fds", ""), ("objects", ""),
                           ("traced_MB", " MB"), ("qobjects", ""), ("status_log", "")):
            ys = [getattr(s, name) for s in after]
            if any(math.isnan(y) for y in ys) or ys[0] < 0:
                continue
            parts.append(f"{name} {ys[0]:g}->{ys[-1]:g}{unit}")
        first, last = rows[0], rows[-1]
        # a plateau reached after the warm-up still gives a slope: the last half says whether it goes on
        half = [s for s in rows if s.t_s >= (first.t_s + last.t_s) / 2]
        print(f"after warm-up ({after[0].t_s:.0f}-{after[-1].t_s:.0f} s): RSS {after[0].rss_MB:.1f} -> "
              f"{after[-1].rss_MB:.1f} MiB, slope {slope_per_h(ts, [s.rss_MB for s in after]):+.1f} MiB/h "
              f"(last half {half[-1].rss_MB - half[0].rss_MB:+.1f} MiB); " + ", ".join(parts), file=out)
        print(f"RSS {first.rss_MB:.1f} -> {last.rss_MB:.1f} MiB ({last.rss_MB - first.rss_MB:+.1f} MiB) over "
              f"{last.t_s - first.t_s:.0f} s; {last.frames} frames, {last.loops} loops, {self.switches} switches",
              file=out)

    def tracemalloc_report(self) -> None:
        import tracemalloc

        if self._snap is None or not tracemalloc.is_tracing():
            return
        top = tracemalloc.take_snapshot().compare_to(self._snap, "lineno")
        for stat in top[:self.a.tracemalloc]:
            log.info("tracemalloc growth since the warm-up: %s", stat)

    def check_outputs(self) -> None:
        """The recordings are finalised and readable (a file reopened, a video decoded)."""
        if self.a.record and Path(self.a.record).exists():
            from evfocus_live.sources import open_source

            src = open_source(self.a.record)
            try:
                rng = src.time_range_us()
                batch = src.read()
                log.info("%s: %.1f MB, reopened: %s s of events, first batch %d events", self.a.record,
                         Path(self.a.record).stat().st_size / 1e6,
                         "?" if rng is None else f"{(rng[1] - rng[0]) / 1e6:.1f}", 0 if batch is None else len(batch))
            finally:
                src.close()
        if self.a.video and Path(self.a.video).exists():
            import cv2

            cap = cv2.VideoCapture(self.a.video)
            n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
            ok, _ = cap.read()
            cap.release()
            log.info("%s: %.1f MB, %d frames, first decodes: %s", self.a.video,
                     Path(self.a.video).stat().st_size / 1e6, n, ok)


QObject = None  # (PySide6's, imported with --gui only)


def main(argv: list[str] | None = None) -> int:
    # checked up front: --interval-s 0 sampled in a busy loop, --minutes -1 "passed"
    ap = Parser(prog="soak.py", description=__doc__.splitlines()[0])
    ap.add_argument("--source", default="sim", help="camera name (sim, ...) or a recording (looped)")
    ap.add_argument("--minutes", type=positive_float, default=30.0)
    ap.add_argument("--interval-s", type=positive_float, default=10.0, help="seconds between samples")
    ap.add_argument("--warmup-s", type=non_negative_float, default=60.0,
                    help="samples before this (at most half the run) are left out of the slopes")
    ap.add_argument("--model", default="evfocus",
                    help="model name/path (default: evfocus, the live default), or random-firenet / "
                         "random-evfocus (untrained)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--window-ms", type=positive_float, default=33.0)
    ap.add_argument("--downsample", type=positive_int, default=1)
    ap.add_argument("--speed", type=speed, default=1.0, help="x real time (0: as fast as possible)")
    ap.add_argument("--post", default="auto_hdr")
    ap.add_argument("--record", metavar="OUT.aedat4", help="record the events (the file grows; memory must not)")
    ap.add_argument("--video", metavar="OUT.mp4", help="record the frames")
    ap.add_argument("--gui", action="store_true", help="run the viewer window (offscreen without a display)")
    ap.add_argument("--switch", choices=("source", "model"), default="source",
                    help="what --switch-every-s switches (the same source or model again)")
    ap.add_argument("--switch-every-s", type=positive_float, default=None, metavar="S")
    ap.add_argument("--tracemalloc", type=int, default=0, metavar="N",
                    help="trace Python allocations; log the N sites that grew most after the warm-up")
    ap.add_argument("--out", metavar="CSV", help="write the samples here instead of the table on stdout")
    a = ap.parse_args(argv)
    if a.tracemalloc < 0:
        ap.error(f"argument --tracemalloc: expected a number >= 0, got {a.tracemalloc}")
    for flag in ("out", "record", "video"):  # (not after the whole run)
        path = getattr(a, flag)
        if path and not Path(path).resolve().parent.is_dir():
            ap.error(f"argument --{flag}: no folder {Path(path).resolve().parent}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        datefmt="%H:%M:%S")
    for noisy in ("evfocus_live",):  # the session's own lines (loop passes, ...) drown the samples
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if a.tracemalloc:
        import tracemalloc

        tracemalloc.start(1)
    from evfocus_live.errors import EvFocusError

    soak = Soak(a)
    try:
        if a.gui:
            soak.run_gui()
        else:
            soak.run_headless()
    except EvFocusError as exc:
        return fail("soak.py", exc)
    print(f"source {a.source} ({soak.described}), model {a.model}, window {a.window_ms:g} ms, "
          f"speed {a.speed:g}, {a.minutes:g} min{' (gui)' if a.gui else ''}")
    soak.report(sys.stdout)
    soak.tracemalloc_report()
    soak.check_outputs()
    return 0


if __name__ == "__main__":
    sys.exit(main())
