"""Text event files in the E2VID convention: ``W H`` on the first line, then ``t x y p`` rows.

``t`` is in seconds (float) as in E2VID; a file whose first and last 64 KiB hold only
whole-number timestamps is read as µs instead (common for exports from other tools), or as
Unix-epoch nanoseconds where those are all >= 1e17 (ROS bag exports; µs never get there):
divided by 1000 exactly (the ``t`` of plain-integer rows is parsed again as int64), with a warning. The
unit is decided once, from that fixed sample, so that the time range, reading and seeking
agree whatever is called first, and said (logged; a ``t`` of at most 3 decimals throughout,
``1.234``, seconds to the ms or ms to the µs, is read as seconds with a warning: :func:`hint_maybe_ms`).
Columns may be separated by spaces, tabs, commas or
semicolons; decimal commas (``0,000123`` as a German or Brazilian locale writes it) are read
where the columns are separated otherwise (semicolons, tabs, spaces), and refused in a
comma-separated file (:func:`decimal_comma_row`); ``#`` starts a comment,
and comment lines may come before ``W H``; a UTF-8 byte order mark (Excel's "CSV UTF-8") is
skipped; lines may end in LF, CRLF or CR alone. Polarity > 0 is ON. Columns after the fourth
are ignored, with one warning.

Parsing is chunked (blocks of whole lines), so memory stays bounded on large files. A
numba parser reads the usual rows (4 plain or exponent-notation numbers, mantissas below
2**53 — e.g. seconds from the start with 9 decimals — giving the same doubles as strtod) at
~15 M rows/s; a block with anything else (epoch seconds with 9 decimals, epoch nanoseconds,
a fifth column, an inline comment) goes to ``np.loadtxt`` (~1.4 M rows/s), which also names a bad line. Policy on damage: a truncated last line is dropped with a warning; any
other malformed row raises :class:`InputError` naming the line, as does a file without
rows (at opening). Timestamps pass through in file order (see
:mod:`evfocus_live.sources.npy_file`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import ClassVar

import numba
import numpy as np

from ..errors import InputError
from .base import EventSource, check_sensor_size
from .fileio import FileReader
from .corrupt_times import TimeGuard, unfilled_said
from .npy_file import (DropCounter, columns_to_events, hint_maybe_relative_ns, mostly_whole, sample_is_epoch_ns,
                       polarity_unsaid, timestamps_to_us, warn_epoch_ns)

log = logging.getLogger(__name__)

BLOCK_BYTES = 4 << 20
SNIFF_BYTES = 4096  # the head looks_like_events is given (detect_format reads as much)
SAMPLE_BYTES = 1 << 16  # head and tail read to decide the unit and the quick time range
# read on each side of a block with a step over 1 s: its neighbours' times (TimeGuard), ~1000
# rows as the column readers' NEIGHBOUR_ROWS (a run of changed rows across a block edge comes back)
CONTEXT_BYTES = 32 << 10
# "W H", maybe "# a comment"; also "WxH" as the commands write a size (--resolution 346x260)
_HEADER = re.compile(rb"^\s*(\d+)(?:[\s,]+|\s*[xX]\s*)(\d+)\s*(#.*)?$")
# a number; "nan" / "inf" too, so that a file holding one is read (a "nan" t left out as a
# corrupt time, a "nan" x/y/p left out as a corrupt row by columns_to_events), not called "not a valid text file"
_NUM = rb"[-+]?((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|(?i:nan|inf(inity)?))"
_ROW = re.compile(rb"^\s*" + _NUM + rb"([\s,]+" + _NUM + rb"){3,}\s*$")
_BOM = b"\xef\xbb\xbf"  # UTF-8 byte order mark
_NUM_STR = re.compile(_NUM.decode("ascii"))
_POW10 = np.array([10.0 ** k for k in range(23)])  # exact doubles: one rounding, as strtod
_DECIMAL_COMMA = re.compile(rb"^[-+]?(\d+(,\d+)?|,\d+)([eE][-+]?\d+)?$")  # "0,000123", "12"
_THOUSANDS = re.compile(rb"^[-+]?[1-9]\d{0,2},\d{3}$")  # "1,000": µs with a thousands separator, or 1.000 s
NOTES_BYTES = 1 << 20  # of comment or blank lines read past before 'W H' (an exporter's notes)


def dialect(head: bytes, columns: int = 4, header: bool = True) -> bytes | None:
    """A :meth:`bytes.translate` table that turns the file's dialect into the one the parsers
    read (it keeps every byte offset), or None for none needed. From the first rows of
    ``head``: semicolons (a spreadsheet's CSV where ',' is the decimal separator) become
    spaces and commas points (``0,000123;12;34;1``); without semicolons, commas become points
    where every sampled row splits into at least ``columns`` numbers on tabs or spaces and
    some of them hold a comma (``0,000123 12 34 1``): before, a decimal
    comma split t in two, a space-separated file read x as p and y as t (a warning, then
    wrong events); lines ending in CR alone (classic Mac) get LF. ``header``: the first line
    is 'W H' or column names, not a row (an event file's; an ``--at`` file has none)."""
    head = head.removeprefix(_BOM)
    src, dst = b"", b""
    if b"\n" not in head and b"\r" in head:
        src, dst, head = src + b"\r", dst + b"\n", head.replace(b"\r", b"\n")
    lines = [ln.split(b"#", 1)[0].strip() for ln in head.split(b"\n")[:-1 if len(head) >= SNIFF_BYTES else None]]
    lines = [ln for ln in lines if ln][:21]
    first = 1 if header else 0  # (the first: 'W H' or column names)
    rows = [ln.replace(b";", b" ").split() for ln in lines[first:]]
    if any(b";" in ln for ln in lines[first:]):
        # rows split on semicolons: a comma can only be a decimal one (where rows of whole
        # numbers come first, e.g. t = 0 in seconds, a sample of rows would not see it)
        src, dst = src + b";,", dst + b" ."
    elif b";" in b"".join(lines[:first]):  # ("346;260" above comma-separated rows)
        src, dst = src + b";", dst + b" "
    elif (rows and all(len(r) >= columns and all(_DECIMAL_COMMA.match(w) for w in r) for r in rows)
            and any(b"," in w and not _THOUSANDS.match(w) for r in rows for w in r)):
        # (only where some comma cannot be a thousands separator, "0,000123": µs written
        # "1,000 12 34 1" were read as 1 µs, 1000 times too early, where the 5 columns were said)
        src, dst = src + b",", dst + b"."
    return bytes.maketrans(src, dst) if src else None


#: polarity values as written (``POLARITY_VALUES``): the column that holds them tells the columns apart
_POLARITY_WORDS = frozenset({b"0", b"1", b"-1", b"+1", b"255"})


def decimal_comma_row(head: bytes, header: bool = True) -> bytes | None:
    """The first sampled row of ``head`` that holds decimal commas in a comma-separated file
    (``0,000123,12,34,1``: Excel's CSV where the locale writes ',' for the decimal point), else
    None. Told by its columns: in a row of more than 4 comma-separated whole numbers and no other
    separator, the fifth is a polarity (0, 1, -1, 255) and the fourth, which ``t x y p`` reads as
    p, is not (it is y), unless the first counts the rows (pandas' index: said elsewhere), or
    rises at every row with no second word zero-padded (a filtered DataFrame's index);
    or of 8, ``t x y p`` each with a fraction, those of x, y and p all "0".
    Before, it was "rows have 5 columns", then t = 0, x = the fraction's digits, y = x, p = y:
    wrong events from a warning. (A fraction's leading zero told it first: that missed
    ``1,317888,...`` and refused a real 5-column file with zero-padded x, ``0146``.)"""
    lines = [ln.split(b"#", 1)[0].strip() for ln in head.removeprefix(_BOM).split(b"\n")]
    if len(head) >= SNIFF_BYTES:
        lines = lines[:-1]  # (cut by the sniffed length)
    rows = []
    for ln in [ln for ln in lines if ln][1 if header else 0:][:20]:
        if b";" in ln or b"\t" in ln or b" " in ln:
            continue
        words = ln.split(b",")
        if len(words) > 4 and all(w.lstrip(b"+-").isdigit() for w in words):
            rows.append((ln, words))
    # t x y p all written as decimals (a DataFrame's float columns: '0,000123,218,0,15,0,1,0'):
    # x, y and p have "0" fractions in every such row (y's whole part was the 5th: not a polarity;
    # told first: µs as floats, '1317888,0', rise at every row as an index does)
    eights = [(ln, w) for ln, w in rows if len(w) == 8]
    if eights and all(w[6] in _POLARITY_WORDS and not any(f.strip(b"0") for f in w[3::2]) for _, w in eights):
        return eights[0][0]
    firsts = [int(w[0]) for _, w in rows]
    if len(rows) >= 2 and (firsts == list(range(firsts[0], firsts[0] + len(rows))) or (
            all(a < b for a, b in zip(firsts, firsts[1:]))
            and not any(len(w[1]) > 1 and w[1].startswith(b"0") for _, w in rows))):
        # (a row index: _check_column_order names one counting by 1; a filtered DataFrame's, 1, 4,
        # 7, ..., was "decimal commas". t's whole seconds repeat row to row, and a fraction is
        # mostly written zero-padded somewhere, as µs by printf's %f, '1317888,000000', are)
        return None
    for ln, words in rows:
        if words[4] in _POLARITY_WORDS and words[3] not in _POLARITY_WORDS:
            return ln
    return None


#: a row's first number written with more than 3 decimals and no exponent (``0.001000``; a
#: decimal comma made a point by the dialect's table): to the µs or finer, so seconds whatever its value
_FINE_T = re.compile(rb"^[ \t]*[-+]?\d*\.\d{4,}(?=[ \t,;]|$)", re.M)


def hint_maybe_ms(name: str, t: np.ndarray) -> bool:
    """One warning, where ``t`` (read as seconds: not whole numbers) has at most 3 decimals
    throughout the sample (``1.234``): seconds to the ms, or ms to the µs, cannot be told
    apart; E2VID's seconds are kept (the documented rule), and the line says the span both
    ways and how to write µs. Before, such a file was read as seconds in silence, a 50 ms
    recording in ms as 50 s. True if said."""
    ms = t * 1000.0
    if not len(t) or np.any(np.abs(ms - np.rint(ms)) > 1e-3):
        return False
    lo, hi = float(t.min()), float(t.max())
    log.warning("%s: every t sampled has at most 3 decimals (%g .. %g): read as seconds (E2VID's unit), "
                "%.3f s; if they are milliseconds, the recording is %.6f s: write t in µs (t_ms * 1000) "
                "or in seconds with 6 decimals", name, lo, hi, hi - lo, (hi - lo) / 1e3)
    return True


def _translated(blob: bytes, table: bytes | None) -> bytes:
    return blob if table is None else blob.translate(table)


def _column_names_hint(line: bytes) -> str:
    """What to do when the first line names columns (pandas, jAER and spreadsheet CSVs): a
    user told only "must be W H" put the size there and read x,y,p,t rows as t,x,y,p."""
    from .npy_file import P_NAMES, T_NAMES, X_NAMES, Y_NAMES
    words = [w.strip().strip("\"'").lower() for w in re.split(r"[,;\t ]+", line.decode("latin-1").strip())]
    words = [re.sub(r"\(.*\)|\[.*\]", "", w) for w in words if w and w != "#"]
    order = "".join(k for w in words for k, names in zip("txyp", (T_NAMES, X_NAMES, Y_NAMES, P_NAMES))
                    if w.lstrip("#") in names)
    if sorted(order) != sorted("txyp"):
        return ""
    how = "" if order == "txyp" else f", and reorder the columns to t x y p (they are {' '.join(order)})"
    if re.match(rb"\s*[,;\t]", line) or words[0] in ("unnamed: 0", "index"):
        # pandas' df.to_csv(path) writes its index first, under no name: read as t, it made
        # every time a row number (a warning of 5 columns, then events 1 µs apart)
        how += ", and drop the first column, a row index (pandas: df.to_csv(path, index=False))"
    return f"; it names columns: replace it with the size (e.g. '640 480'){how}"


def _is_row(line: bytes) -> bool:
    """A complete ``t x y p`` row; an inline ``# comment`` after it is allowed."""
    return bool(_ROW.match(line.split(b"#", 1)[0].rstrip(b"\r")))


@numba.njit(cache=True, nogil=True)
def _sign(buf, i):  # pragma: no cover - compiled
    """(negative?, index after an optional '+' / '-') at ``buf[i]``."""
    if i < buf.shape[0] and (buf[i] == 43 or buf[i] == 45):
        return buf[i] == 45, i + 1
    return False, i


@numba.njit(cache=True, nogil=True)
def _parse_rows(buf, ncols, out, pow10):  # pragma: no cover - compiled
    """Rows of ``ncols`` numbers from ASCII bytes into ``out`` (float64[n, ncols]).

    Returns the number of rows, or -1 where anything is unusual (another column count, a
    non-ASCII byte, a number strtod would round differently): the caller then parses with
    numpy, which also names the bad line.
    """
    n = buf.shape[0]
    i = 0
    row = 0
    while i < n:
        # start of a line: skip blanks
        while i < n and (buf[i] == 32 or buf[i] == 9 or buf[i] == 13 or buf[i] == 44):
            i += 1
        if i >= n:
            break
        c = buf[i]
        if c == 10:
            i += 1
            continue
        if c == 35:  # '#': comment to the end of the line
            while i < n and buf[i] != 10:
                i += 1
            continue
        if row >= out.shape[0]:
            return -1
        col = 0
        while True:
            # one number: [+-] digits [. digits] [eE [+-] digits]
            neg, i = _sign(buf, i)
            mant = 0
            ndig = 0
            scale = 0
            seen = 0
            while i < n and 48 <= buf[i] <= 57:
                if ndig < 18:
                    mant = mant * 10 + (buf[i] - 48)
                    if mant:
                        ndig += 1
                else:
                    return -1
                seen += 1
                i += 1
            if i < n and buf[i] == 46:
                i += 1
                while i < n and 48 <= buf[i] <= 57:
                    if ndig < 18:
                        mant = mant * 10 + (buf[i] - 48)
                        if mant:
                            ndig += 1
                        scale -= 1
                    elif buf[i] != 48:
                        return -1
                    seen += 1
                    i += 1
            if seen == 0:
                return -1
            if i < n and (buf[i] == 101 or buf[i] == 69):
                i += 1
                eneg, i = _sign(buf, i)
                e = 0
                ed = 0
                while i < n and 48 <= buf[i] <= 57:
                    e = e * 10 + (buf[i] - 48)
                    ed += 1
                    i += 1
                    if e > 400:
                        return -1
                if ed == 0:
                    return -1
                scale += -e if eneg else e
            if mant >= 9007199254740992:  # 2**53: not exact as a double
                return -1
            v = float(mant)
            if scale > 0:
                if scale > 22:
                    return -1
                v = v * pow10[scale]
            elif scale < 0:
                if scale < -22:
                    return -1
                v = v / pow10[-scale]
            if col >= ncols:
                return -1
            out[row, col] = -v if neg else v
            col += 1
            # separators up to the next number or the end of the line
            sep = False
            while i < n and (buf[i] == 32 or buf[i] == 9 or buf[i] == 13 or buf[i] == 44):
                sep = True
                i += 1
            if i >= n or buf[i] == 10:
                break
            if buf[i] == 35 or not sep:
                return -1
        if col != ncols:
            return -1
        row += 1
        i += 1
    return row


@numba.njit(cache=True, nogil=True)
def _first_ints(buf, out):  # pragma: no cover - compiled
    """The first number of each row (rows as :func:`_parse_rows` counts them) as int64 into
    ``out``: epoch ns need 61 bits, a double keeps 53. Returns the number of rows, or -1 where
    a first number is not a plain integer that fits (the caller then divides the doubles)."""
    n = buf.shape[0]
    i = 0
    row = 0
    limit = np.int64(9223372036854775807)
    while i < n:
        while i < n and (buf[i] == 32 or buf[i] == 9 or buf[i] == 13 or buf[i] == 44):
            i += 1
        if i >= n:
            break
        if buf[i] == 10:
            i += 1
            continue
        if buf[i] == 35:
            while i < n and buf[i] != 10:
                i += 1
            continue
        if row >= out.shape[0]:
            return -1
        neg, i = _sign(buf, i)
        v = np.int64(0)
        nd = 0
        while i < n and 48 <= buf[i] <= 57:
            d = np.int64(buf[i] - 48)
            if v > (limit - d) // 10:
                return -1
            v = v * 10 + d
            nd += 1
            i += 1
        if nd == 0 or (i < n and not (buf[i] == 32 or buf[i] == 9 or buf[i] == 13 or buf[i] == 44
                                      or buf[i] == 10)):
            return -1  # ('.', 'e': not a plain integer)
        out[row] = -v if neg else v
        row += 1
        while i < n and buf[i] != 10:
            i += 1
    return row


def looks_like_events(head: bytes) -> bool:
    """Whether the first bytes of a text file read as an event list: its first line that is
    not a comment is the size ``W H``, a ``t x y p`` row or a header naming those columns, and
    the line after it (if any) is a row, or the size and the column names both (either first:
    a recording whose header its reader then says is wrong, not a file of notes). Stricter than
    :meth:`TextFileSource.sniff`, which claims any text ``.txt``/``.csv`` so that the reader says
    what is wrong with a damaged recording; this tells a recording from the notes or a results
    table beside it."""
    head = _translated(head.removeprefix(_BOM), dialect(head))
    lines = [ln.rstrip(b"\r") for ln in head.split(b"\n")]
    if len(head) >= SNIFF_BYTES:  # (a last line cut by the sniffed length is not judged)
        lines = lines[:-1]
    lines = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith(b"#")]
    if not lines or b"\0" in head:
        return False
    first = lines[0]
    if not (_HEADER.match(first) or _is_row(first) or _column_names_hint(first)):
        return False
    if len(lines) < 2 or _is_row(lines[1]):
        return True
    second = lines[1]
    return bool((_HEADER.match(first) and _column_names_hint(second))
                or (_column_names_hint(first) and _HEADER.match(second)))


def _row_kind(line: bytes) -> tuple[str, float]:
    """(kind, t) of a line for :meth:`TextFileSource._last_event_row`: "blank" (or a comment),
    "nan" (t NaN/inf), "zero" (t, x, y, p all 0), "event" (any other row, or no row at all:
    the reads say what is wrong with it)."""
    text = line.split(b"#", 1)[0].strip()
    if not text:
        return "blank", 0.0
    if not _is_row(text):
        return "event", 1.0
    v = [float(f) for f in re.split(rb"[\s,]+", text)[:4]]
    if not np.isfinite(v[0]):
        return "nan", v[0]
    return ("zero" if not any(v) else "event"), v[0]


def _whole_lines(blob: bytes, at_eof: bool) -> bytes:
    """``blob`` up to its last newline; at the end of the file also a last row that lacks
    one but is complete (as :meth:`TextFileSource._next_block` reads it)."""
    last = blob.rfind(b"\n") + 1
    if at_eof and _is_row(blob[last:]):
        return blob
    return blob[:last]


def _first_bad_row(rows: list[tuple[int, str]]) -> tuple[int, str] | None:
    """(index into the blob's lines, reason) of the first row np.loadtxt refuses, or None.

    Found by our own scan, not from loadtxt's message: its row numbers skip blank and
    comment lines and are 0- or 1-based depending on the error.
    """
    ncols = None
    for i, line in rows:
        tokens = line.split("#", 1)[0].split()
        if ncols is None:
            ncols = len(tokens)
        if len(tokens) != ncols:
            return i, f"{len(tokens)} columns where the rows before have {ncols}"
        for tok in tokens:
            if not _NUM_STR.fullmatch(tok):
                return i, f"{tok[:40]!r} is not a number"
    return None


class _MalformedRow(InputError):
    """A bad row; ``rows_before``: the block's rows before it (read() yields them first)."""
    rows_before: np.ndarray | None = None


class TextFileSource(EventSource):
    """An E2VID-style ``.txt``/``.csv`` event file (see module docstring).

    Parameters:
        path: the text file.
        block_bytes: bytes parsed per :meth:`read` (~100 k events per MiB).

    Example::

        src = TextFileSource("events.txt")   # first line "240 180"
    """

    extensions: ClassVar[tuple[str, ...]] = (".txt", ".csv")
    format = "text"

    @classmethod
    def sniff(cls, head: bytes, path: Path) -> bool:
        head = head.removeprefix(_BOM)
        # a .txt/.csv that is text (after the binary formats were tried), with or without
        # the 'W H' line or with a bad row (ECD, pandas' header row, a column header):
        # claimed, so that the reader names what is wrong rather than "not a valid text file"
        if path.suffix.lower() in cls.extensions and b"\0" not in head:
            return True
        if looks_like_events(head) and not cls._other_backends_name(path):
            # content before the name: rows under notes, a column-names line or no 'W H' in a
            # file named .png (or .log) were "is an image" (or "unknown format"); the reader
            # reads it, or says what its first line lacks. (A name another reader claims, a CSV
            # saved as .npz, stays "not a valid npz file".)
            return True
        lines = _translated(head, dialect(head)).split(b"\n")
        if not lines or not _HEADER.match(lines[0].rstrip(b"\r")):
            return False
        rows = [ln.rstrip(b"\r") for ln in lines[1:-1] if ln.strip() and not ln.lstrip().startswith(b"#")]
        return all(_is_row(r) for r in rows[:20]) and (bool(rows) or len(head) < 4096)

    @classmethod
    def _other_backends_name(cls, path: Path) -> bool:
        """Whether another file reader claims ``path``'s extension (.npz, .h5, .aedat4, ...)."""
        from . import _file_backends

        ext = path.suffix.lower()
        return any(ext in c.extensions for c in _file_backends().values() if c is not cls)

    def __init__(self, path: str | Path, block_bytes: int = BLOCK_BYTES):
        self.path = Path(path)
        polarity_unsaid(self.path)
        try:
            self._fh = open(self.path, "rb")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot open ({exc.strerror})") from exc
        sniffed = self._fh.read(SNIFF_BYTES)
        self._table = dialect(sniffed)
        if (row := decimal_comma_row(sniffed.replace(b"\r", b"\n"))) is not None:
            self._fh.close()
            raise InputError(f"{self.path}: row {row.decode('ascii')!r} looks written with decimal commas in a "
                             f"comma-separated file (t = {b','.join(row.split(b',')[:2]).decode('ascii')!r}?), "
                             "so its columns cannot be told apart: "
                             "separate the columns with ';' (or tabs), or write '.' as the decimal separator")
        self._fh.seek(0)
        first, self._line0, notes = self._header_line()
        m = _HEADER.match(first.rstrip(b"\r\n"))
        if not m:
            self._fh.close()
            # (a '# x y p t' line naming columns is a comment: it still says what to do)
            found = next(filter(None, map(_column_names_hint, [first, *notes[::-1]])), "")
            if not found and _is_row(first.rstrip(b"\n")):
                found = "; it is an event row: add the size as line 1"
            if not found and first.lstrip().startswith(b"#"):
                found = f"; none after {NOTES_BYTES >> 20} MiB of '#' notes"
            raise InputError(f"{self.path}: first line must be the sensor size 'W H'{found}")
        try:
            self.width, self.height = check_sensor_size(self.path, m.group(1), m.group(2))
        except InputError:
            self._fh.close()
            raise
        self.sensor = "unknown"
        self._skip_column_names()
        self._file = FileReader(self._fh, self.path)
        self._size = self._file.size  # (of the file opened: the path may name another by now)
        self._block = max(4096, int(block_bytes))
        self._line = self._line0
        self._seconds: bool | None = None  # t unit: decided once, by _t_is_seconds()
        self.t_maybe_ms = False  # t read as seconds has <= 3 decimals: may be ms (said once)
        self._ns = False  # t in epoch ns (decided with _seconds): _parse makes it µs
        self._sample: tuple[np.ndarray, np.ndarray] | None = None  # rows of the head, the tail
        self._quick_range: tuple[int, int] | None = None
        self._warned_columns = False
        self._index: list[tuple[int, int, int, int]] | None = None  # (offset, line, tmin, tmax)
        self._drop_before: int | None = None
        self._drops = DropCounter(self.path, self.width, self.height)
        self._deferred: InputError | None = None  # a bad row's error, raised after the rows before it
        self._scan_drops = DropCounter(self.path, self.width, self.height, quiet=True)
        self._times = TimeGuard(self.path, self._t_near)
        self._scan_times = TimeGuard(self.path, self._t_near, quiet=True)
        self._pos = self._data_off
        self.unfilled_rows = 0
        try:
            self._trim_unfilled_tail()
            self._check_rows()
            self._t_is_seconds()  # (before any block is parsed: _parse converts epoch ns)
        except InputError:
            self._fh.close()
            raise

    def _header_line(self) -> tuple[bytes, int, list[bytes]]:
        """(the first line that is not blank or a ``#`` comment, translated to the parsers'
        dialect, the 1-based number of the line after it, the comment lines before it); sets
        ``_data_off`` after it. Notes are read up to :data:`NOTES_BYTES`, each whatever its
        length; the dialect is taken again from the rows after them (a 4 KiB head of notes
        held no row to take it from)."""
        nlines, notes = 0, []
        while True:
            start, raw = self._fh.tell(), self._read_line_cr()
            while (raw.lstrip(_BOM + b" \t").startswith(b"#") and not _translated(raw, self._table).endswith(b"\n")
                   and self._fh.tell() < NOTES_BYTES and (more := self._read_line_cr())):
                raw += more  # (a note longer than one read: its rest is no line of its own)
            nlines += 1
            line = self._header_text(raw, nlines)
            if line.strip() and not line.lstrip().startswith(b"#") or not raw or self._fh.tell() >= NOTES_BYTES:
                break
            notes.append(line)
        self._data_off = self._fh.tell()
        if notes:
            self._fh.seek(start)
            self._table = dialect(self._fh.read(SNIFF_BYTES))
            line = self._header_text(raw, nlines)
            self._fh.seek(self._data_off)
        return line, nlines + 1, notes  # (_data_off: moved on past a names line after it)

    def _header_text(self, raw: bytes, nline: int) -> bytes:
        """Line ``nline`` of the head in the parsers' dialect."""
        line = _translated(raw, self._table)
        if nline == 1:
            line, raw = line.removeprefix(_BOM), raw.removeprefix(_BOM)  # Excel's "CSV UTF-8" starts with one
        if _HEADER.match(raw.strip()) and not _HEADER.match(line.strip()):
            line = raw  # ("346,260" above "0,5;12;34;1" rows: its comma made a point, "346.260")
        return line

    def _skip_column_names(self) -> None:
        """A line naming the columns right after ``W H`` (the size put above a CSV's header,
        as the first line's error says to): skipped when they are ``t x y p``, else InputError
        saying how to reorder them; before, "malformed event row on line 2: 't' is not a number"."""
        at = self._fh.tell()
        line = _translated(self._read_line_cr(), self._table)
        hint = _column_names_hint(line) if not _is_row(line.rstrip(b"\r\n")) else ""
        if not hint:
            self._fh.seek(at)
            return
        if "reorder" in hint or "drop" in hint:
            self._fh.close()
            what = hint.split(", and ", 1)[1]
            raise InputError(f"{self.path}: line {self._line0} names the columns: {what}")
        self._data_off, self._line0 = self._fh.tell(), self._line0 + 1

    def _read_line_cr(self) -> bytes:
        """One line (at most :data:`SAMPLE_BYTES`: a long note), ending at the byte the dialect
        makes a LF."""
        start, chunk = self._fh.tell(), b""
        while len(chunk) < SAMPLE_BYTES:
            more = self._fh.read(4096 if chunk else 256)  # (most lines are short: 1 MiB of notes took 2 s)
            cut = _translated(more, self._table).find(b"\n") + 1
            chunk += more[:cut] if cut else more
            if cut or not more:
                break
        self._fh.seek(start + len(chunk))
        return chunk

    def _read(self, off: int, n: int) -> bytes:
        """Bytes of the file in the parsers' dialect (:func:`dialect`; offsets unchanged)."""
        return _translated(self._file.read(off, n), self._table)

    def _trim_unfilled_tail(self) -> None:
        """Read only up to the file's last event row: an array preallocated (NaN, zeros) and
        saved by ``np.savetxt`` before a logger filled it ends in ``nan nan nan nan`` or all-0
        rows (:func:`~.corrupt_times.filled_rows`, the column readers' rule); before, its NaN
        x refused the file, its zeros read as events at 0 µs."""
        (end, tail, n_nan), t_last = self._last_event_row(True)
        if t_last is not None and not t_last > 0 and tail > n_nan:
            (end, tail, n_nan), t_last = self._last_event_row(False)  # (zeros may be events at 0)
        if t_last is not None and unfilled_said(self.path, tail, n_nan):
            self._size, self.unfilled_rows = end, tail

    def _last_event_row(self, zeros: bool) -> tuple[tuple[int, int, int], float | None]:
        """((byte after the last event row, rows after it that hold no event, those with t
        NaN/inf), that row's t; None where no row is an event), read from the end back."""
        end, step, tail, n_nan = self._size, SAMPLE_BYTES, 0, 0
        kinds: dict[bytes, tuple[str, float]] = {}  # (tail rows repeat: each line parsed once)
        while end > self._data_off:
            lo = max(self._data_off, end - step)
            blob = self._read(lo, end - lo)
            lines = blob.split(b"\n")
            first = 0 if lo == self._data_off else 1  # (else lines[0] may start mid-line)
            if first and len(lines) == 1:  # (one line longer than the read)
                step *= 4
                continue
            line_end = end
            for k in range(len(lines) - 1, first - 1, -1):
                ln = lines[k]
                if ln not in kinds:
                    kinds[ln] = _row_kind(ln)
                kind, t = kinds[ln]
                if kind == "nan" or (kind == "zero" and zeros):
                    tail += 1
                    n_nan += kind == "nan"
                elif kind != "blank":
                    return (min(line_end + 1, self._size), tail, n_nan), t  # (with its newline)
                line_end -= len(ln) + 1
            end, step = lo + len(lines[0]) if first else lo, min(4 * step, BLOCK_BYTES)
        return (self._size, 0, 0), None

    def _t_near(self, off: int | None, end: int | None) -> tuple:
        """(times of the whole rows in the :data:`CONTEXT_BYTES` before byte ``off``, of those
        after byte ``end``) in µs, for :class:`TimeGuard`; rows that do not parse are no context;
        None at the file's start (end)."""
        before = None if off == self._data_off else ()
        after = None if end == self._size else ()
        if off is not None and off > self._data_off:
            a = max(self._data_off, off - CONTEXT_BYTES)
            blob = self._read(a, off - a)
            before = self._context_t(blob[blob.find(b"\n") + 1:] if a > self._data_off else blob)
        if end is not None and end < self._size:
            blob = self._read(end, min(self._size, end + CONTEXT_BYTES) - end)
            after = self._context_t(blob if end + len(blob) >= self._size else blob[:blob.rfind(b"\n") + 1])
        return before, after

    def _context_t(self, blob: bytes) -> np.ndarray | tuple:
        out = np.empty((blob.count(b"\n") + 1, 4))
        n = _parse_rows(np.frombuffer(blob, np.uint8), 4, out, _POW10)
        if n <= 0:
            return ()
        try:
            return timestamps_to_us(self._ns_to_us(out[:n], blob)[:, 0], self._t_is_seconds(), self.path)
        except InputError:
            return ()

    def _check_rows(self) -> None:
        """InputError for a file without events (header, comments, a cut first row), as the
        .npy and .h5 readers: a reader that yields nothing would give a silent 0 frames."""
        # (the samples parsed without the extra-columns warning: a row index refused just after
        # it said two things; the reads say it, once, where the file is read)
        warned, self._warned_columns = self._warned_columns, True
        try:
            head, tail = self._head_tail()
        finally:
            self._warned_columns = warned
        self._check_column_order(head)
        if len(head) or len(tail):
            return
        if self._size - self._data_off > SAMPLE_BYTES and self._build_index():
            return  # rows only past a long block of comments
        raise InputError(f"{self.path}: contains no events (no 't x y p' rows after 'W H')")

    def _check_column_order(self, head: np.ndarray) -> None:
        """InputError for a row index as the first of 5 columns (pandas), or for rows in
        ``x y t p`` order (jAER's and some tools' exports) under a
        ``W H`` line: the first column whole numbers inside the width stepping back and forth,
        the third rising as time does. Before, x was read as t and t as y: a warning that times
        step back, then 0.35 ms of a 20 ms recording and frames of noise."""
        if len(head) >= 2 and head.shape[1] >= 5 and np.array_equal(head[:, 0], head[0, 0] + np.arange(len(head))):
            # pandas' df.to_csv(path): its index first; read as t, every time was a row number
            raise InputError(f"{self.path}: the first of {head.shape[1]} columns counts the rows "
                             f"({head[0, 0]:.0f}, {head[1, 0]:.0f}, ...): drop it, a row index "
                             "(pandas: df.to_csv(path, index=False)), to leave 't x y p'")
        if len(head) < 16 or head.shape[1] < 4:
            return
        c0, c1, c2 = head[:, 0], head[:, 1], head[:, 2]
        whole = np.all(c0 == np.round(c0)) and np.all(c1 == np.round(c1))
        inside = c0.min() >= 0 and c0.max() < self.width and c1.min() >= 0 and c1.max() < self.height
        d0, d2 = np.diff(c0), np.diff(c2)
        if whole and inside and np.mean(d0 < 0) > 0.1 and np.all(d2 >= 0) and np.any(d2 > 0):
            raise InputError(f"{self.path}: rows must be 't x y p'; these look like 'x y t p' (the third "
                             f"column rises as time does, the first steps back and forth inside the "
                             f"width {self.width}): reorder the columns to t x y p")

    def _parse(self, blob: bytes, line0: int | None, off: int = 0) -> np.ndarray:
        """Rows of ``blob`` (whole lines) as float64[n, >= 4].

        ``line0`` is the file line number of the blob's first line, so that an error names
        the true line; None (the tail sample) counts it from byte ``off``, only on error.
        """
        out = np.empty((blob.count(b"\n") + 1, 4))
        n = _parse_rows(np.frombuffer(blob, np.uint8), 4, out, _POW10)
        if n >= 0:
            return self._ns_to_us(out[:n], blob)
        return self._ns_to_us(self._parse_slow(blob, line0, off), blob)

    def _ns_to_us(self, a: np.ndarray, blob: bytes | None = None) -> np.ndarray:
        """Rows with an epoch-ns ``t`` (when the file has them) given a µs ``t``: from the
        exact integers of ``blob`` where its rows start with plain integers, else from the
        doubles (within 1 µs: a double holds such a time to 256 ns)."""
        if not self._ns or not len(a):
            return a
        t = np.empty(len(a), np.int64)
        if blob is not None and _first_ints(np.frombuffer(blob, np.uint8), t) == len(a):
            a[:, 0] = t // 1000  # (µs since 1970 are exact as doubles: < 2**53)
        else:
            a[:, 0] = np.floor(a[:, 0] / 1000)
        return a

    def _parse_slow(self, blob: bytes, line0: int | None, off: int) -> np.ndarray:
        """:meth:`_parse` by ``np.loadtxt``, which names a bad line."""
        # split on '\n' only (as the file's line count does), keeping each row's line index
        text = blob.decode("ascii", "replace").replace(",", " ")
        rows = [(i, ln.rstrip("\r")) for i, ln in enumerate(text.split("\n"))
                if ln.strip() and not ln.lstrip().startswith("#")]
        if not rows:
            return np.empty((0, 4))
        try:
            a = np.loadtxt([ln for _, ln in rows], dtype=np.float64, comments="#", ndmin=2)
        except ValueError:
            bad = _first_bad_row(rows)
            where = ""
            if bad is not None:
                first = line0 if line0 is not None else self._line_at(off)
                where = f" on line {first + bad[0]}: {bad[1]}"
            exc = _MalformedRow(f"{self.path}: malformed event row{where} (expected 't x y p')")
            if bad is not None and bad[0] > rows[0][0]:  # the good rows before it, for read()
                try:
                    exc.rows_before = np.loadtxt([ln for i, ln in rows if i < bad[0]], dtype=np.float64,
                                                 comments="#", ndmin=2)
                except ValueError:
                    pass
            raise exc from None
        if a.size == 0:
            return a.reshape(0, 4)
        if a.shape[1] != 4:
            line = (line0 if line0 is not None else self._line_at(off)) + rows[0][0]
            if a.shape[1] < 4:
                raise InputError(f"{self.path}: rows need 4 columns 't x y p' "
                                 f"(line {line} has {a.shape[1]})")
            if not self._warned_columns:
                self._warned_columns = True
                hint = ("; if commas are decimal separators, write '.' instead, and write no thousands separators"
                        if b"," in blob else "")
                log.warning("%s: rows have %d columns (line %d); reading the first 4 as 't x y p'%s",
                            self.path.name, a.shape[1], line, hint)
        return a

    def _line_at(self, off: int) -> int:
        """1-based number of the line starting at byte ``off``: counts newlines, so it is
        only called to name a bad row in the tail sample."""
        line, pos = 1, 0
        while pos < off:
            chunk = self._read(pos, min(off - pos, BLOCK_BYTES))
            line += chunk.count(b"\n")
            pos += len(chunk)
        return line

    def _next_block(self) -> tuple[int, int, np.ndarray] | None:
        """(offset, first line, rows) of the next block of whole lines, or None at the end.

        Reads stop at the size the file had when opened: rows a writer appends meanwhile (a
        recording in progress, its last row maybe half written) are not read, and a file cut
        or rewritten under the reader raises InputError (:class:`FileReader`), where a short
        read was taken for the end of the file or a malformed row."""
        if self._pos >= self._size:
            return None
        off, line0 = self._pos, self._line
        end = min(self._size, self._pos + self._block)
        blob = self._read(self._pos, end - self._pos)
        cut = blob.rfind(b"\n")
        while cut < 0 and end < self._size:  # a single line longer than a block: read on to its end
            more = self._read(end, min(self._size, end + self._block) - end)
            cut = more.find(b"\n")
            cut = cut + len(blob) if cut >= 0 else -1
            blob += more
            end += len(more)
        at_eof = end >= self._size
        if not at_eof:
            blob = blob[:cut + 1]
        if at_eof:
            self._pos = self._size
            if not blob.endswith(b"\n"):
                last = blob.rfind(b"\n") + 1
                tail = blob[last:]
                if tail.strip() and not _is_row(tail):
                    log.warning("%s: last line is truncated; ignoring it", self.path.name)
                    blob = blob[:last]
        else:
            self._pos += len(blob)
        self._line += blob.count(b"\n")
        return off, line0, self._parse(blob, line0)

    def _head_tail(self) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the first and of the last SAMPLE_BYTES of data (whole lines), read once."""
        if self._sample is None:
            # positioned reads of the file opened (the reader thread may be reading too)
            head = self._read(self._data_off, min(SAMPLE_BYTES, self._size - self._data_off))
            tail_off = max(self._data_off, self._size - SAMPLE_BYTES)
            tail = self._read(tail_off, self._size - tail_off)
            head = _whole_lines(head, self._data_off + len(head) >= self._size)
            if tail_off > self._data_off:  # starts mid-line: skip to the next whole line
                cut = tail.find(b"\n") + 1
                tail, tail_off = tail[cut:], tail_off + cut
            tail = _whole_lines(tail, True)
            tail_line0 = self._line0 if tail_off == self._data_off else None
            self._sample = self._parse(head, self._line0), self._parse(tail, tail_line0, tail_off)
        return self._sample

    def _t_is_seconds(self) -> bool:
        """The unit of ``t``, decided once for the whole file: seconds unless every ``t`` in
        the head and tail samples is a whole number (but a few corrupt ones: :func:`mostly_whole`). One fixed sample, not "the first block
        parsed", since a file in seconds may start with many rows at 0.000000000."""
        if self._seconds is None:
            head, tail = self._head_tail()
            t = np.concatenate([head[:, 0], tail[:, 0]])
            t = t[np.isfinite(t)]  # (a "nan" row is a corrupt one, left out: it made µs read as seconds)
            whole = mostly_whole(t)
            self._seconds = bool(len(t)) and not whole
            if whole and sample_is_epoch_ns(t):
                warn_epoch_ns(self.path, t)
                self._ns, self._sample = True, None  # (the samples parsed again, in µs)
            elif whole:
                self._maybe_ns = hint_maybe_relative_ns(self.path, t)
                log.debug("%s: t read as µs (every t sampled is a whole number)", self.path.name)
            elif self._seconds:
                # (the values alone: a 1 ms grid written '0.001000' was warned, though written
                # as the warning says to write seconds)
                head = self._read(self._data_off, min(SAMPLE_BYTES, self._size - self._data_off))
                fine = _FINE_T.search(_translated(head, self._table).replace(b"\r", b"\n")) is not None
                self.t_maybe_ms = not fine and hint_maybe_ms(self.path.name, t)
                if not self.t_maybe_ms:
                    log.debug("%s: t read as seconds (E2VID's unit: t sampled has decimals, e.g. %r)",
                             self.path.name, float(t[t != np.round(t)][0]))
        return self._seconds

    def _to_events(self, a: np.ndarray, drops: DropCounter | None = None, span=(None, None),
                   times: TimeGuard | None = None) -> np.ndarray:
        """Rows -> events; out-of-sensor ones are counted in ``drops`` (default: the scans'
        quiet counter, since the reads count and log them), those with times no camera wrote
        in ``times`` (default: the scans' quiet guard); ``span``: the rows' (first, end) byte."""
        return columns_to_events(a[:, 0], a[:, 1], a[:, 2], a[:, 3], self.width, self.height,
                                 t_is_seconds=self._t_is_seconds(), name=str(self.path),
                                 drops=self._scan_drops if drops is None else drops,
                                 times=self._scan_times if times is None else times, span=span)

    @property
    def stats(self) -> dict[str, int]:
        """Reader counters so far (``evfocus info`` shows them): events outside the sensor;
        ``corrupt_times``, events left out for times no camera wrote (:class:`~.corrupt_times.TimeGuard`)."""
        return {"dropped": self._drops.total, "corrupt_times": self._times.total,
                "unfilled_rows": self.unfilled_rows}

    def read(self) -> np.ndarray | None:
        if self._fh is None:
            return None
        if self._deferred is not None:
            exc, self._deferred = self._deferred, None
            raise exc
        try:
            blk = self._next_block()
        except _MalformedRow as exc:
            # the block's rows before the bad one are events: they come first, then the error
            # (a bad row lost up to a block, ~40 k events, of good rows before it)
            a = exc.rows_before
            if a is None or not len(a) or a.shape[1] < 4:
                raise
            a = self._ns_to_us(a)
            exc.rows_before = None
            self._deferred = exc
            blk = (None, None, a)
        if blk is None:
            self._drops.flush()
            self._times.flush()
            return None
        ev = self._to_events(blk[2], self._drops, (blk[0], None if blk[0] is None else self._pos), self._times)
        if self._drop_before is not None:
            ev = ev[ev["t"] >= self._drop_before]
            self._drop_before = None
        return ev

    def _build_index(self) -> list[tuple[int, int, int, int]]:
        if self._index is None:
            saved = (self._pos, self._line)
            self._pos, self._line = self._data_off, self._line0
            index = []
            while (blk := self._next_block()) is not None:
                ev = self._to_events(blk[2], span=(blk[0], self._pos))
                if len(ev):
                    index.append((blk[0], blk[1], int(ev["t"].min()), int(ev["t"].max())))
            self._index = index
            self._pos, self._line = saved
        return self._index

    def seek(self, t_us: int) -> None:
        """Continue from the first block holding ``t >= t_us`` (scans the file once)."""
        self._deferred = None
        for off, line, _, tmax in self._build_index():
            if tmax >= t_us:
                self._pos, self._line, self._drop_before = off, line, int(t_us)
                return
        self._pos = self._size

    def time_range_us(self) -> tuple[int, int] | None:
        """(min t, max t) once the file was scanned (after a seek); before that, cheaply,
        the times of the first rows and of the last complete rows (parsing a large text
        file takes a while, and files are sorted in practice)."""
        if self._index is not None:
            if not self._index:
                return None
            return min(i[2] for i in self._index), max(i[3] for i in self._index)
        if self._quick_range is None:
            head, tail = self._head_tail()
            ev_head, ev_tail = self._to_events(head, span=(self._data_off, None)), self._to_events(tail, span=(None, self._size))
            if not len(ev_head) or not len(ev_tail):
                return None
            self._quick_range = (min(int(ev_head["t"].min()), int(ev_tail["t"].min())),
                                 max(int(ev_head["t"].max()), int(ev_tail["t"].max())))
        return self._quick_range

    def close(self) -> None:
        if getattr(self, "_fh", None) is not None:
            self._fh.close()
            self._fh = None
