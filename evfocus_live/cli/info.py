"""``evfocus info INPUT [--json]``: what is in an event file.

Reads every event once (vectorised per batch) and reports format, sensor, resolution,
event count, first/last timestamp, duration and mean rate, and the grey-level (APS) frames a
DAVIS recorded beside its events (count and span; ``aps_frames`` is 0 without them): the
frames the app uses, as ``reconstruct --at aps``; any left out are counted apart.
``t_first_us``/``t_last_us`` are the **minimum and maximum** timestamps, so nearly sorted (EVT3 raw TIME_LOW) or
unsorted inputs still give the true span; steps back in time and forward jumps over
one second are counted and reported as warnings, not errors (sources pass timestamps
through unchanged; the slicer handles them). A reader that stopped at damage (a RAW file's
garbage tail, an AEDAT4 packet in the middle that does not decode) says where in its ``stats``
(``decoder`` in the JSON): the text gives the byte, and the events before it are described.
A RAW file whose sensor clock was reset, or an AEDAT4 file whose camera clock restarted
(``decoder.clock_resets``, a ``clock`` line; a reader without that count: its ``clocks()``), lasts the sum of its clocks'
spans (``duration_on_clocks_us``, ``clock_spans_us``; the rate is from it); ``duration_us`` stays
the maximum minus the minimum. Times that are all multiples of 1000 over more than an hour, or
that the reader said may be nanoseconds (its sample all whole ms), give one hint (``t_maybe_ns``,
a ``units`` line; with ``--json`` a warning) that they may be nanoseconds from 0 read as µs (the readers
convert epoch nanoseconds themselves, ``t_unit_in_file``: ``ns``, or ``s`` for float seconds,
but cannot tell relative ones from µs).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING

from .text import plural, rate_text

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

JUMP_US = 1_000_000
#: a recording longer than this whose every t is a multiple of 1000 gets the hint that its times
#: may be nanoseconds read as µs (``t_maybe_ns``): relative ns cannot be told from µs for sure
#: (epoch ns are, by the readers), but a µs clock ticking in whole ms for over an hour is unlikely
NS_HINT_DURATION_US = 3_600_000_000


def add_parser(subparsers):
    p = subparsers.add_parser("info", help="describe an event file (format, sensor, size, events, span, rate)",
                              description="Describe an event file: format, sensor, resolution, event "
                                          "count, first/last timestamp (min/max, µs), duration and rate.")
    p.add_argument("input", nargs="+", metavar="INPUT",  # (a list, under its old name)
                   help="event file(s) (.aedat4, .raw, .h5, .npy, .npz, .txt/.csv), or a model checkpoint "
                        "(.pt: its model, steps and the evfocus-live that wrote it); several are described "
                        "one after another")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object instead of text (several inputs: a list of them)")
    return p


def describe(path: str, progress: bool = True) -> dict:
    """Statistics of one event file (see module docstring); raises InputError on bad input."""
    import numpy as np  # (here: ~0.1 s that every command's --help paid, the parser being built)
    from tqdm import tqdm

    from ..errors import InputError
    from ..sources import open_file
    from ..sources.base import readers_quiet

    with readers_quiet(_relative_ns_hint), readers_quiet(_plugin_order), open_file(path) as src:
        n = 0
        n_on = 0
        t_min = t_max = None
        t_file_first = t_prev = None
        back_steps = 0
        max_back_us = 0
        jumps = 0
        max_gap_us = 0
        # [min t, max t] of each run between steps back over JUMP_US: a RAW file's clock resets
        # (min to max over both clocks read as 11.7 s for 0.2 s of recording)
        spans: list[list[int]] = []
        all_ms = True  # every t a multiple of 1000 (see NS_HINT_DURATION_US)
        with tqdm(desc="reading", unit="ev", unit_scale=True, disable=None if progress else True,
                  leave=False, file=sys.stderr) as bar:
            for batch in _until_damage(src, path):
                t = batch["t"]
                if t_prev is not None:
                    t = np.concatenate(([t_prev], t))
                else:
                    t_file_first = int(t[0])
                d = np.diff(t.astype(np.float64))  # int64 differences overflow past 2^63 us (exact to 2^53)
                if len(d):
                    neg = d < 0
                    k = int(np.count_nonzero(neg))
                    if k:
                        back_steps += k
                        max_back_us = max(max_back_us, int(-d.min()))
                    jumps += int(np.count_nonzero(d > JUMP_US))
                    max_gap_us = max(max_gap_us, int(d.max()))
                bmin, bmax = int(batch["t"].min()), int(batch["t"].max())
                _add_spans(spans, batch["t"], np.flatnonzero(d < -JUMP_US) + (t_prev is None), bmin, bmax)
                t_min = bmin if t_min is None else min(t_min, bmin)
                t_max = bmax if t_max is None else max(t_max, bmax)
                t_prev = int(batch["t"][-1])
                n += len(batch)
                n_on += int(np.count_nonzero(batch["p"]))
                all_ms = all_ms and not np.any(batch["t"] % 1000)
                bar.update(len(batch))
        if n == 0:
            raise InputError(f"{path}: contains no events")
        duration = t_max - t_min
        info = {
            "path": str(path),
            "format": src.format,
            "sensor": src.sensor,
            "width": int(src.width),
            "height": int(src.height),
            "size_inferred": bool(getattr(src, "size_inferred", False)),
            # (events with far-off x/y set aside as corrupt: the size is the max of the others)
            "size_strays": int(getattr(src, "size_strays", 0) or 0),
            "events": n,
            "t_first_us": t_min,
            "t_last_us": t_max,
            "duration_us": duration,
            "rate_ev_per_s": (n / (duration * 1e-6)) if duration > 0 else None,
            "on_fraction": n_on / n,
            "t_file_first_us": t_file_first,
            "t_file_last_us": t_prev,
            "non_monotonic_steps": back_steps,
            "max_step_back_us": max_back_us,
            "time_jumps_over_1s": jumps,
            "max_gap_us": max_gap_us,
            # (the reader's hint, or over an hour; and every t read, not a sample, in whole ms)
            "t_maybe_ns": bool(all_ms and duration > 0
                               and (getattr(src, "t_maybe_ns", False) or duration > NS_HINT_DURATION_US)),
            "t_unit_in_file": getattr(src, "t_unit_in_file", "us"),  # us, or s / ns converted to µs by the reader
        }
        if getattr(src, "evfocus_version", None):  # (a recording or simulated sequence of ours)
            info["evfocus_version"] = str(src.evfocus_version)
        info.update(_aps_info(src))
        extra = getattr(src, "extra_streams", None)
        if callable(extra):
            info["extra_streams"] = sorted(extra())
        stats = getattr(src, "stats", None)
        n_clocks = 1
        counted = isinstance(stats, dict) and "clock_resets" in stats
        if isinstance(stats, dict):
            info["decoder"] = stats
            n_clocks = (stats.get("clock_resets") or 0) + 1  # (a RAW decoder's resets: one clock each)
        clocks = getattr(src, "clocks", None)
        # an AEDAT4 file's, from its packets' times; not a RAW reader's, whose decoder counted them
        # already (its clocks() decodes the whole file again to build the seek index)
        if not counted and callable(clocks):
            n_clocks = len(clocks())
        if n_clocks > 1 and len(spans) == n_clocks:  # the steps back read here are those clocks
            on = sum(b - a for a, b in spans)
            info.update(clock_spans_us=spans, duration_on_clocks_us=on,
                        rate_ev_per_s=n / (on * 1e-6) if on > 0 else None)
    return info


def _relative_ns_hint(record: logging.LogRecord) -> bool:
    """A reader's "may be nanoseconds" line (:data:`~evfocus_live.sources.npy_file.RELATIVE_NS_HINT`),
    held back while a file is described: ``info`` says it itself, once, with both spans
    (:func:`units_hint`); before, its stderr warning and the ``units`` line said it twice in
    two wordings (and under an hour only the warning, beside ``"t_maybe_ns": false``)."""
    from ..sources.npy_file import RELATIVE_NS_HINT

    return record.msg is RELATIVE_NS_HINT


def _plugin_order(record: logging.LogRecord) -> bool:
    """A plugin's "events out of time order" line, held back while a file is described: ``info``
    counts the steps back over the whole file and says them once (it was said twice)."""
    from ..sources.base import PLUGIN_ORDER_WARNING

    return record.msg is PLUGIN_ORDER_WARNING


def units_hint(info: dict) -> str:
    """The one sentence that says ``t_maybe_ns``: how long the recording is read as µs and how
    long if its times are nanoseconds from 0."""
    d = info["duration_us"]
    return (f"every t is a multiple of 1000, so the times may be nanoseconds from 0: read as µs, "
            f"the recording lasts {d / 1e6:,.3f} s" + (f" ({d / 3.6e9:,.1f} h)" if d > NS_HINT_DURATION_US else "")
            + f"; as nanoseconds, {d / 1e9:.6f} s (save t in µs)")


def _until_damage(src, path: str):
    """``src``'s batches; a reader that fails mid-file (an AEDAT4 packet that does not decode)
    and keeps where in its ``stats`` ends them there with a warning, as a damaged RAW file's
    reader does itself: the events before it are described (``reconstruct`` keeps their frames)
    where the whole file was refused. Damage before any event is still the error."""
    from ..errors import InputError

    n = 0
    it = iter(src)
    while True:
        try:
            batch = next(it)
        except StopIteration:
            return
        except InputError as exc:
            stats = getattr(src, "stats", None)
            if not n or not isinstance(stats, dict) or stats.get("damaged_at_byte") is None:
                raise
            log.warning("%s; describing the %s %s before it", exc, f"{n:,}", plural(n, "event"))
            return
        n += len(batch)
        yield batch


def _add_spans(spans: list[list[int]], t: np.ndarray, starts: np.ndarray, bmin: int, bmax: int) -> None:
    """Fold a batch's times into ``spans``: ``starts`` are the indices in ``t`` where a new run
    begins (a step back over JUMP_US); the rest extends the last span."""
    import numpy as np

    if not len(starts):  # the usual batch: its min and max, already known
        pieces = [(bmin, bmax)]
    else:
        pieces = [(int(p.min()), int(p.max())) for p in np.split(t, starts) if len(p)]
    for k, (a, b) in enumerate(pieces):
        if spans and not (k or (len(starts) and starts[0] == 0)):
            spans[-1][0], spans[-1][1] = min(spans[-1][0], a), max(spans[-1][1], b)
        else:
            spans.append([a, b])


def _aps_info(src) -> dict:
    """APS (grey-level) frames beside the events (a DAVIS): count, first/last time, mean rate.

    Counts the frames ``aps_frames()`` gives (``aps_times_us``: the same walk without pixels),
    which ``reconstruct --at aps`` uses: counting every frame packet (``frame_times_us``)
    included frames left out (one that does not fit the sensor, those past the memory cap),
    so info and ``--at aps`` disagreed. Packets left out are counted as ``aps_frames_left_out``.
    """
    import numpy as np

    from ..errors import InputError

    kept_times = getattr(src, "aps_times_us", None)
    try:
        t = np.asarray(kept_times() if callable(kept_times) else [f[0] for f in src.aps_frames()],
                       dtype=np.int64)
    except InputError as exc:  # the events were fine: say it, describe them anyway
        log.warning("%s; APS frames not counted", exc)
        return {"aps_frames": None}
    out = {"aps_frames": int(len(t))}
    packets = getattr(src, "frame_times_us", None)
    if callable(packets):
        try:
            left_out = len(packets()) - len(t)
        except InputError:  # (a corrupt frame packet: aps_times_us warned, keeping those before it)
            left_out = 0
        if left_out > 0:
            out["aps_frames_left_out"] = int(left_out)
    if len(t):
        span = int(t[-1] - t[0])
        out.update(aps_t_first_us=int(t[0]), aps_t_last_us=int(t[-1]), aps_duration_us=span,
                   aps_fps=(len(t) - 1) / (span * 1e-6) if span > 0 else None)
    return out


def _inferred_note(info: dict) -> str:
    """How the size was inferred, where the file gives none: with events set aside as corrupt
    (far-off x/y), the max + 1 of the *others*, which "max x/y + 1 of the events" was not."""
    if not info.get("size_inferred"):
        return ""
    n = info.get("size_strays") or 0
    if not n:
        return "  (max x/y + 1 of the events: the file gives no size)"
    return (f"  (max x/y + 1 of the events, {n:,} {plural(n, 'event')} with far-off x/y set aside as "
            "corrupt: the file gives no size)")


#: what a model's weights are saved as (``.npz`` is a zip too: told by its name, not its bytes)
CHECKPOINT_SUFFIXES = (".pt", ".pth")


#: the start of ``torch.save``'s legacy (not zip) format: pickle protocol 2, then its magic number
_LEGACY_TORCH = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19"


def is_checkpoint_path(path: str) -> bool:
    """Whether ``evfocus info PATH`` describes a model checkpoint rather than events: by its
    bytes (torch's zip, which holds a ``data.pkl``, an ``.npz`` holding ``.npy`` files; or the
    legacy pickle), where the name says nothing (``last.ckpt``, ``weights``: "unknown event file
    format"); then by a ``.pt`` name, unless an event reader claims the content (a ``.npy`` or
    ``.aedat4`` renamed ``.pt`` was "not a PyTorch checkpoint file")."""
    from pathlib import Path

    named = Path(path).suffix.lower() in CHECKPOINT_SUFFIXES
    if not Path(path).is_file():  # (a FIFO or device: opening it to look blocks, or eats what it holds)
        return named
    if _torch_bytes(path):
        return True
    return named and not _events_inside(path)


def _torch_bytes(path: str) -> bool:
    """Whether the file is a ``torch.save`` one by its content."""
    import zipfile

    try:
        with open(path, "rb") as f:
            if f.read(len(_LEGACY_TORCH)) == _LEGACY_TORCH:
                return True
        if not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as z:
            return any(name.endswith("/data.pkl") or name == "data.pkl" for name in z.namelist())
    except (OSError, zipfile.BadZipFile):  # (not there, unreadable: the event readers say which)
        return False


def _events_inside(path: str) -> bool:
    """Whether an event reader recognises the file's content (as ``reconstruct`` opens it)."""
    from ..errors import EvFocusError
    from ..sources import detect_format

    try:
        detect_format(path)
    except EvFocusError:
        return False
    return True


def describe_checkpoint(path: str) -> dict:
    """What a checkpoint holds: architecture, [model] options, parameters, training steps, and
    the evfocus-live that wrote it where recorded (``evfocus_version``; the shipped weights have
    none). Read, not built: a newer version's file is described too, which is when the version
    matters ("unknown event file format" was all it said)."""
    import torch

    from ..nn.registry import read_checkpoint
    from ..versions import VERSION_KEY

    ck = read_checkpoint(path, mmap=True)  # (counted, not read: a large file is not held in memory)
    meta = ck["meta"]
    step, wall_s = meta.get("step"), meta.get("wall_s")
    info = {"path": str(path), "kind": "checkpoint", "arch": str(ck["arch"]),
            "config": {str(k): _plain(v) for k, v in ck["config"].items()},
            "parameters": int(sum(v.numel() for v in ck["state_dict"].values() if torch.is_tensor(v))),
            # (another tool's or a hand-edited meta: "step": "x" was a traceback in the text)
            "step": step if _is_count(step) else None,
            "wall_s": float(wall_s) if _is_count(wall_s) or isinstance(wall_s, float) and wall_s >= 0 else None}
    if ck.get(VERSION_KEY):
        info[VERSION_KEY] = str(ck[VERSION_KEY])
    return info


def _is_count(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _plain(value):
    """A [model] option as JSON can write it (a tensor or a tuple in a file not ours: its text)."""
    return value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else str(value)


def _checkpoint_text(info: dict) -> str:
    options = ", ".join(f"{k}={v}" for k, v in sorted(info["config"].items()))
    lines = [f"file        {info['path']}",
             "format      evfocus-live checkpoint",
             f"model       {info['arch']}" + (f" ({options})" if options else ""),
             f"parameters  {info['parameters']:,}"]
    if info.get("step") is not None:
        wall = f", {info['wall_s']:,.0f} s" if info.get("wall_s") is not None else ""
        lines.append(f"trained     {info['step']:,} {plural(info['step'], 'step')}{wall}")
    if info.get("evfocus_version"):
        lines.append(f"written by  evfocus-live {info['evfocus_version']}")
    return "\n".join(lines)


def _text(info: dict) -> str:
    rate = info["rate_ev_per_s"]
    lines = [
        f"file        {info['path']}",
        f"format      {info['format']}",
        f"sensor      {info['sensor']}",
        f"resolution  {info['width']} x {info['height']}"
        + _inferred_note(info),
        f"events      {info['events']:,}  ({100 * info['on_fraction']:.1f} % ON)",
        f"t first     {info['t_first_us']:,} µs  (minimum)",
        f"t last      {info['t_last_us']:,} µs  (maximum)",
        f"duration    {info['duration_us']:,} µs  ({info['duration_us'] / 1e6:.6f} s)"
        if "duration_on_clocks_us" not in info else
        f"duration    {info['duration_on_clocks_us']:,} µs  ({info['duration_on_clocks_us'] / 1e6:.6f} s) "
        f"on {len(info['clock_spans_us'])} clocks (first to last above: {info['duration_us'] / 1e6:.6f} s)",
        f"rate        {rate_text(rate)}" if rate else "rate        n/a (zero duration)",
    ]
    if info.get("evfocus_version"):
        lines.append(f"written by  evfocus-live {info['evfocus_version']}")
    if info.get("aps_frames"):
        fps = f", {info['aps_fps']:.1f} fps" if info.get("aps_fps") else ""
        lines.append(f"aps frames  {info['aps_frames']:,}  ({info['aps_t_first_us']:,} .. {info['aps_t_last_us']:,} "
                     f"µs, {info['aps_duration_us'] / 1e6:.6f} s{fps})")
    if info.get("aps_frames_left_out"):
        lines.append(f"            {info['aps_frames_left_out']:,} more frame(s) in the file left out "
                     "(see the warning), as by reconstruct --at aps and the viewer")
    if info.get("extra_streams"):
        lines.append(f"streams     events + {', '.join(info['extra_streams'])}")
    if info["non_monotonic_steps"]:
        lines.append(f"order       {info['non_monotonic_steps']:,} step(s) back in time "
                     f"(max {info['max_step_back_us']:,} µs): events are not strictly sorted")
    if info.get("t_unit_in_file") == "ns":
        lines.append("units       t in the file is epoch nanoseconds, read as µs (÷ 1000)")
    if info.get("t_maybe_ns"):
        lines.append(f"units       {units_hint(info)}")
    if info["time_jumps_over_1s"]:
        lines.append(f"gaps        {info['time_jumps_over_1s']:,} jump(s) forward over 1 s "
                     f"(largest {info['max_gap_us'] / 1e6:,.1f} s)")
    dec = info.get("decoder") or {}
    if dec.get("truncated_at_byte") is not None:  # (a warning on stderr only: --json and 2>/dev/null lost it)
        lines.append(f"truncated   the file is cut short: readable up to byte {dec['truncated_at_byte']:,} (a "
                     "recorder stopped mid-write, a copy cut?); the events before it are described")
    if dec.get("corrupt_times"):
        lines.append(f"corrupt     {dec['corrupt_times']:,} {plural(dec['corrupt_times'], 'event')} left out: "
                     "times over 1 s away from their neighbours', no times at all (NaN/inf, beyond "
                     "int64 µs) or x/y/p no numbers (NaN/inf): bytes changed in the file?")
    if dec.get("unfilled_rows"):
        lines.append(f"unfilled    the last {dec['unfilled_rows']:,} rows hold no events (t NaN/inf or all 0): left "
                     "out, the events before them described (an array saved before it was filled?)")
    if dec.get("clock_resets"):
        how = ("a packet's time back over 1 s: the camera reset or re-synchronised" if info["format"] == "aedat4"
               else "time back over 1 s, then stepping on as a sensor's")
        lines.append(f"clock       {dec['clock_resets']:,} reset(s) of the sensor clock ({how}): decoded on")
    if dec.get("damaged_at_byte") is not None:
        kept = dec.get("events_before_damage")
        why = (f"a TIME_HIGH moving time by {dec['damage_jump_us'] / 1e6:+,.3f} s"
               if dec.get("damage_jump_us") is not None else dec.get("damage") or "damage")
        lines.append(f"damage      decoding stopped at byte {dec['damaged_at_byte']:,} ({why}); the last "
                     f"{dec['bytes_not_decoded']:,} bytes not decoded"
                     + (f", {kept:,} {plural(kept, 'event')} kept before it" if kept is not None else ""))
    return "\n".join(lines)


def run(args) -> int:
    """Each input described in turn (``evfocus info rec/*.raw``, as ``reconstruct`` takes several,
    was "unrecognized arguments"); with several, a bad one is its error line and exit 2, and
    the others are still described."""
    from ..errors import EvFocusError

    several = len(args.input) > 1
    infos, failed = [], 0
    for path in args.input:
        try:
            info = describe_checkpoint(path) if is_checkpoint_path(path) else describe(path)
        except EvFocusError as exc:
            if not several:
                raise
            print(f"evfocus info: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        if info.get("kind") == "checkpoint":
            if not args.json:
                print(("\n" if infos else "") + _checkpoint_text(info), flush=True)
            infos.append(info)
            continue
        if info["non_monotonic_steps"]:
            log.warning("%s: %d timestamp(s) step back in time (max %d µs)", path,
                        info["non_monotonic_steps"], info["max_step_back_us"])
        if info["t_maybe_ns"] and args.json:  # (the text says it in its units line)
            log.warning("%s: %s", path, units_hint(info))
        if info["time_jumps_over_1s"]:
            log.warning("%s: %d forward time jump(s) over 1 s (largest %d µs)", path,
                        info["time_jumps_over_1s"], info["max_gap_us"])
        if not args.json:
            print(("\n" if infos else "") + _text(info), flush=True)
        infos.append(info)
    if args.json:
        print(json.dumps(infos if several else infos[0], indent=2))
    return 2 if failed else 0
