"""Torch dataset over simulated sequences (``seq_*.h5`` with ``/events`` and ``/frames``).

Each ground-truth frame ``i >= 1`` gets one window: the events in ``[t[i-1], t[i])``,
binned into a voxel grid (E2VID convention); its targets are the sharp frame, the
defocused (blurred) frame and the sigma map at ``t[i]``. All voxel grids of a sequence
are computed once and cached in memory (float16), so a CPU epoch costs only crops.

A training item is ``seq_len`` consecutive windows of one sequence, one random crop and
flip for all of them, plus E2VID+ augmentations: Gaussian voxel noise, hot pixels, and
pauses (a window with no events whose target repeats the previous one). For a model with
the event-count channel (``[model] count_channel``) the cache holds it after the bins:
crops, flips and pauses treat it as any channel, hot pixels add to it as events, and the
voxel noise leaves it exact.

Every item of a dataset has one size, so that any of them batch together, also when the
sequences come from sets of different resolutions or lengths (see :class:`SequenceDataset`).
"""

from __future__ import annotations

import logging
import shlex
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from ..core.voxel import COUNT_SCALE, model_voxel
from ..errors import ConfigError, InputError

log = logging.getLogger(__name__)


def voxel_grid_np(events: np.ndarray, num_bins: int, width: int, height: int, normalize: bool = True) -> np.ndarray:
    """E2VID voxel grid (bilinear in time, mean/std over non-zero voxels), float32 [bins,H,W].

    Used through :func:`voxel_grid`, which prefers ``evfocus_live.core.voxel`` (the
    shared implementation) and falls back to this one when that module is absent.
    """
    vox = np.zeros((num_bins, height, width), np.float32)
    n = len(events)
    if n == 0:
        return vox
    t = events["t"].astype(np.float64)
    x = events["x"].astype(np.int64)
    y = events["y"].astype(np.int64)
    pol = events["p"].astype(np.float32) * 2 - 1
    dt = t[-1] - t[0]
    tn = (num_bins - 1) * (t - t[0]) / dt if dt > 0 else np.zeros_like(t)
    t0 = np.floor(tn).astype(np.int64)
    frac = (tn - t0).astype(np.float32)
    ok = (x < width) & (y < height)
    base = y * width + x
    flat = vox.reshape(-1)
    for b, wgt in ((t0, pol * (1 - frac)), (t0 + 1, pol * frac)):
        m = ok & (b < num_bins)
        flat += np.bincount(b[m] * width * height + base[m], weights=wgt[m], minlength=flat.size).astype(np.float32)
    if normalize:
        nz = vox != 0
        if nz.any():
            mean, std = vox[nz].mean(), vox[nz].std()
            vox[nz] = (vox[nz] - mean) / (std if std > 0 else 1.0)
    return vox


def voxel_grid(events: np.ndarray, num_bins: int, width: int, height: int, count_channel: bool = False) -> np.ndarray:
    """A model's input as float32 numpy (``core.voxel.model_voxel``): the voxel grid, plus the
    signed event-count channel with ``count_channel``."""
    return model_voxel(events, num_bins, width, height, count_channel=count_channel).cpu().numpy()


@dataclass
class Sequence:
    """One cached sequence: voxels [N,bins,H,W] f16 (``count_channel``: [N,bins+1,H,W], the
    last channel the signed event count) and targets [N,H,W] (uint8 / f16)."""

    name: str
    voxels: np.ndarray
    sharp: np.ndarray
    blurred: np.ndarray
    sigma: np.ndarray
    t_us: np.ndarray
    focus_sweep: bool
    n_events: np.ndarray
    count_channel: bool = False


#: event recordings a training folder may hold by mistake (they have no ground truth)
RECORDING_SUFFIXES = (".aedat4", ".aedat", ".raw", ".dat", ".npy", ".npz", ".txt", ".csv", ".bin")


#: model checkpoints given as training data by mistake (``--init`` takes them)
CHECKPOINT_SUFFIXES = (".pt", ".pth", ".ckpt")


def _zip_head(path: Path) -> bool:
    """Whether ``path`` starts as a zip does (``torch.save``'s format; an .h5 never does)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def list_sequences(path: str | Path) -> list[Path]:
    """``seq_*.h5`` (or any ``*.h5``) under a directory, or a single file."""
    p = Path(path)
    if p.is_file() and p.suffix.lower() in RECORDING_SUFFIXES:
        # h5py's "file signature not found" said nothing of what to train on instead
        beside = p.with_suffix(".h5")
        raise InputError(f"{p}: an event recording, not a simulator sequence (ground-truth frames to train on)"
                         + (f"; its sequence is {beside}" if beside.is_file() else
                            "; training reads evfocus simulate's seq_*.h5, recordings are for evfocus eval"))
    if p.is_file() and (p.suffix.lower() in CHECKPOINT_SUFFIXES or _zip_head(p)):
        # (`--data runs/a/final.pt`: h5py's "file signature not found" named no way on)
        raise InputError(f"{p}: a model checkpoint, not training data: start from its weights with "
                         f"--init {shlex.quote(str(p))}; --data takes evfocus simulate's sequences (seq_*.h5)")
    if p.is_file():
        return [p]
    if not p.is_dir():
        # `evfocus train ../proj/my.toml` from another folder: the config's "data/train" is
        # looked up here, not beside the config, and the bare line did not say where it looked
        where = "" if p.is_absolute() else f" (a relative path is taken from the current folder, {Path.cwd()}, not from the config's)"
        raise InputError(f"data path not found: {p}{where}")
    files = sorted(p.glob("seq_*.h5")) or sorted(p.glob("*.h5"))
    if not files:
        others = sum(1 for f in p.iterdir() if f.is_file())
        subs = [d for d in sorted(p.iterdir()) if d.is_dir() and any(d.glob("*.h5"))]
        if subs:  # the folder above the splits, given by mistake: simulating into it is the wrong advice
            raise InputError(f"no .h5 sequences in {p} itself; subfolders are not searched: pass the one(s) to train "
                             f"on, e.g. --data {shlex.join(map(str, subs))}")
        from ..simulate.textures import IMAGE_SUFFIXES, VIDEO_SUFFIXES

        pictures = sorted(f.name for f in p.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES + VIDEO_SUFFIXES)
        if pictures:  # the --images folder given as data: its notes.txt was called an event recording
            raise InputError(f"no .h5 sequences in {p}: it holds pictures ({', '.join(pictures[:3])}"
                             f"{', ...' if len(pictures) > 3 else ''}), not training data; simulate a training "
                             f"set from them in a folder of its own: evfocus simulate DIR --images {shlex.quote(str(p))} --sequences N")
        recordings = sorted(f.name for f in p.iterdir() if f.is_file() and f.suffix.lower() in RECORDING_SUFFIXES)
        if recordings:  # real recordings (../shared/data): simulating into their folder was the advice
            raise InputError(f"no .h5 sequences in {p} ({others} other file(s) there): it holds event recordings "
                             f"({', '.join(recordings[:3])}"
                             f"{', ...' if len(recordings) > 3 else ''}), which have no ground-truth frames to train "
                             "on (evfocus eval scores a model on them); make a training set in a folder of its own "
                             "with evfocus simulate DIR --sequences N")
        raise InputError(f"no .h5 sequences in {p}" + (f" ({others} other file(s) there)" if others else "")
                         + ": training reads the simulator's (events with ground-truth frames), made by "
                         f"evfocus simulate {shlex.quote(str(p))} --sequences N")
    return files


def read_frames(path: Path, max_frames: int | None = None) -> dict:
    """The ground truth of one simulator .h5, without its events: ``t_us``, ``sharp`` and
    ``blurred`` (uint8), ``sigma`` (px, float16), ``width``, ``height``, ``focus_sweep``."""
    from ..sources.hdf5_file import import_h5py

    h5py = import_h5py()
    try:
        with h5py.File(path, "r") as f:
            fr = f["frames"]
            t_us = fr["t_us"][:].astype(np.int64)
            n = len(t_us) if max_frames is None else min(len(t_us), max_frames)
            return {"t_us": t_us[:n], "sharp": fr["sharp"][:n], "blurred": fr["blurred"][:n],
                    "sigma": fr["sigma"][:n].astype(np.float16), "width": int(f.attrs["width"]),
                    "height": int(f.attrs["height"]), "focus_sweep": bool(f.attrs.get("focus_sweep", False))}
    except (OSError, KeyError) as exc:
        raise InputError(f"{path}: not a simulator sequence with /frames ({exc})") from exc


def load_sequence(path: Path, num_bins: int = 5, max_frames: int | None = None,
                  count_channel: bool = False) -> Sequence:
    """Read one simulator .h5 and cache its voxel grids (with the event-count channel for a
    ``count_channel`` model); InputError if the layout is wrong."""
    from ..events import EVENT_DTYPE
    from ..sources.hdf5_file import import_h5py

    gt = read_frames(path, max_frames)
    t_us, width, height = gt["t_us"], gt["width"], gt["height"]
    n = len(t_us)
    try:
        with import_h5py().File(path, "r") as f:
            ev_grp = f["events"]
            t = ev_grp["t"][:]
            i_end = int(np.searchsorted(t, t_us[-1], side="left")) if n else 0
            ev = np.empty(i_end, EVENT_DTYPE)
            ev["t"] = t[:i_end]
            for k in ("x", "y", "p"):
                ev[k] = ev_grp[k][:i_end]
    except (OSError, KeyError) as exc:
        raise InputError(f"{path}: not a simulator sequence with /events and /frames ({exc})") from exc
    if n < 2:
        raise InputError(f"{path}: needs at least 2 ground-truth frames")
    idx = np.searchsorted(ev["t"], t_us, side="left")
    vox = np.empty((n - 1, num_bins + count_channel, height, width), np.float16)
    counts = np.diff(idx)
    for i in range(1, n):
        vox[i - 1] = voxel_grid(ev[idx[i - 1]:idx[i]], num_bins, width, height, count_channel)
    return Sequence(path.stem, vox, gt["sharp"][1:], gt["blurred"][1:], gt["sigma"][1:], t_us[1:], gt["focus_sweep"],
                    counts, bool(count_channel))


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)  # TOML true is not a count


def _is_num(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and bool(np.isfinite(v))


def _is_share(v) -> bool:
    return _is_num(v) and 0 <= v <= 1


#: (key, test, what it must be) for each [augment] value: a wrong type would fail deep in
#: numpy at the first item (``crop = "32"``), a wrong range would augment nonsense
AUGMENT_RULES = [
    ("crop", lambda v: v is None or (_is_int(v) and v >= 0),
     "a whole number of pixels >= 1 (0: no crop, whole frames)"),
    ("flip", lambda v: isinstance(v, bool), "true or false"),
    ("noise_std", lambda v: _is_num(v) and v >= 0, "a number >= 0"),
    ("noise_prob", _is_share, "a probability between 0 and 1"),
    ("hot_pixel_frac", _is_share, "a share of the pixels between 0 and 1"),
    ("hot_pixel_prob", _is_share, "a probability between 0 and 1"),
    ("pause_prob", _is_share, "a probability between 0 and 1"),
]


@dataclass
class Augment:
    """E2VID+-style augmentation settings (probabilities per item / per window); a value of
    the wrong type or range is a ConfigError naming the ``[augment]`` key."""

    crop: int | None = 96
    flip: bool = True
    noise_std: float = 0.1
    noise_prob: float = 0.5
    hot_pixel_frac: float = 1e-3
    hot_pixel_prob: float = 0.3
    pause_prob: float = 0.05

    def __post_init__(self):
        for key, ok, what in AUGMENT_RULES:
            v = getattr(self, key)
            if not ok(v):
                raise ConfigError(f"[augment] {key} must be {what}, got {v!r}")


class SequenceDataset(Dataset):
    """Items of ``seq_len`` consecutive windows: dict of tensors [L,C,h,w].

    Keys: ``voxel`` [L,bins,h,w] ([L,bins+1,h,w] for sequences cached with the count
    channel, which every sequence then has), ``sharp``/``blurred`` [L,1,h,w] in [0,1], ``sigma``
    [L,1,h,w] in px. ``stride`` sets how far apart item start windows are.

    All items have the same shape, so that any of them stack into a batch:

    - length: every item has exactly ``seq_len`` windows. Items come only from sequences
      that long; shorter ones are left out (a warning says how many). When none is that
      long it is a ConfigError naming the longest sequence (lower ``[data] seq_len``).
    - size: the ``augment.crop`` is at most the smallest sequence's height and width, so
      sets of different resolutions (``--data simA simB``) crop alike (e.g. crop 64 over
      64x48 and 96x80 sets gives 64x48 items; a warning says so, as it does for a crop larger
      than frames of one size). Without a crop (crop 0
      or None) sequences of different sizes are a ConfigError naming the sizes (set a crop).
      With ``augment=None`` (no crop, no augmentation) items keep their full frame, whatever
      its size; batch them only when the sizes agree.
    """

    def __init__(self, sequences: list[Sequence], seq_len: int = 8, augment: Augment | None = None,
                 stride: int | None = None, seed: int = 0, target: str = "sharp"):
        self.seqs = sequences
        self.seq_len = seq_len
        self.aug = augment
        self.target = target
        stride = stride or max(1, seq_len // 2)
        lens = [len(seq.voxels) for seq in sequences]
        short = [n for n in lens if n < seq_len]
        if sequences and len(short) == len(lens):
            raise ConfigError(f"[data] seq_len = {seq_len} windows is longer than every training sequence (the "
                              f"longest has {max(lens)} windows): lower seq_len to at most {max(lens)}, "
                              "or simulate longer sequences")
        if short:
            log.warning("%d of %d sequences are shorter than seq_len = %d windows (the shortest has %d): "
                        "no items from them", len(short), len(lens), seq_len, min(short))
        # (a flat or static scene, a threshold above every change: the model would learn to
        # draw a picture from empty voxel grids)
        empty = [seq.name for seq in sequences if not np.any(seq.n_events)]
        if empty:
            log.warning("%d of %d training sequences hold no events (%s%s): their items teach the model a picture "
                        "from nothing; leave them out, or simulate them with textured, moving scenes",
                        len(empty), len(sequences), ", ".join(empty[:4]), ", ..." if len(empty) > 4 else "")
        self.items = [(s, i) for s, seq in enumerate(sequences)
                      for i in range(0, len(seq.voxels) - seq_len + 1, stride)]
        kinds = {seq.count_channel for seq in sequences}
        if len(kinds) > 1:
            raise ConfigError("the training sequences were cached with and without the event-count channel: "
                              "load them all with one count_channel")
        #: the items' voxels end with the signed event-count channel (see :meth:`__getitem__`)
        self.count_channel = kinds == {True}
        self.crop_hw = self._crop_size(sequences, augment)
        self.rng = np.random.default_rng(seed)

    @staticmethod
    def _crop_size(sequences: list[Sequence], augment: Augment | None) -> tuple[int, int] | None:
        """The (h, w) every item is cropped to: the crop, at most the smallest sequence's
        height and width (None: no crop). ConfigError for sizes that differ without a crop."""
        sizes = sorted({tuple(int(n) for n in seq.voxels.shape[-2:]) for seq in sequences})
        if augment is None or not sizes:
            return None
        if not augment.crop:
            if len(sizes) > 1:
                listed = ", ".join(f"{w}x{h}" for h, w in sizes)
                raise ConfigError(f"the training sequences differ in size ({listed}) and [augment] crop is off: "
                                  f"a batch needs one size; set [augment] crop (e.g. crop = "
                                  f"{min(min(hw) for hw in sizes)})")
            return None
        h = min(augment.crop, *(hw[0] for hw in sizes))
        w = min(augment.crop, *(hw[1] for hw in sizes))
        if (h, w) != (augment.crop, augment.crop):  # said for one size too: it was silent there
            log.warning("[augment] crop %d is larger than the training frames (%s): every item is cropped to "
                        "%dx%d%s; lower [augment] crop to at most %d to silence this", augment.crop,
                        ", ".join(f"{sw}x{sh}" for sh, sw in sizes), w, h,
                        " (the smallest set)" if len(sizes) > 1 else " (the whole frame)" if (h, w) == sizes[0]
                        else "", min(h, w))
        return h, w

    @classmethod
    def from_dir(cls, path, num_bins=5, max_sequences=None, progress: bool = True, count_channel: bool = False,
                 **kw) -> SequenceDataset:
        """The sequences of one directory, or of several (a list) one after another;
        ``count_channel``: their voxels carry the event-count channel (the model's option)."""
        from tqdm import tqdm

        paths = [path] if isinstance(path, str | Path) else list(path)
        files = [f for p in paths for f in list_sequences(p)][:max_sequences]
        seqs = [load_sequence(f, num_bins, count_channel=count_channel)
                for f in tqdm(files, desc="caching voxel grids", unit="seq", leave=False, disable=not progress)]
        return cls(seqs, **kw)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, k: int) -> dict[str, torch.Tensor]:
        s, i0 = self.items[k]
        seq = self.seqs[s]
        L = min(self.seq_len, len(seq.voxels) - i0)
        sl = slice(i0, i0 + L)
        a, rng = self.aug, self.rng
        ys = xs = slice(None)
        if self.crop_hw is not None:  # crop the cached arrays first: convert only what is used
            H, W = seq.voxels.shape[-2:]
            ch, cw = self.crop_hw
            if H > ch or W > cw:
                y0 = int(rng.integers(0, H - ch + 1))
                x0 = int(rng.integers(0, W - cw + 1))
                ys, xs = slice(y0, y0 + ch), slice(x0, x0 + cw)
        vox = seq.voxels[sl, :, ys, xs].astype(np.float32)
        sharp = seq.sharp[sl, ys, xs].astype(np.float32) / 255.0
        blurred = seq.blurred[sl, ys, xs].astype(np.float32) / 255.0
        sigma = seq.sigma[sl, ys, xs].astype(np.float32)
        if self.target == "blurred":  # train a plain reconstructor on what the defocused camera sees
            sharp = blurred
        if a is not None:
            if a.flip and rng.random() < 0.5:
                vox, sharp, blurred, sigma = (v[..., ::-1] for v in (vox, sharp, blurred, sigma))
            if a.flip and rng.random() < 0.5:
                vox, sharp, blurred, sigma = (v[..., ::-1, :] for v in (vox, sharp, blurred, sigma))
            vox = np.ascontiguousarray(vox)
            # the event-count channel, if any, is last; noise and hot pixels go into the bins
            nb = vox.shape[1] - self.count_channel
            if rng.random() < a.noise_prob:  # sensor noise in the bins; the count stays exact
                vox[:, :nb] += a.noise_std * rng.standard_normal(vox[:, :nb].shape, dtype=np.float32)  # f32: 2x faster
            if rng.random() < a.hot_pixel_prob:
                h, w = vox.shape[-2:]
                n_hot = max(1, int(a.hot_pixel_frac * h * w))
                ys, xs = rng.integers(0, h, n_hot), rng.integers(0, w, n_hot)
                vals = rng.normal(0, 2.0, n_hot).astype(np.float32)
                vox[:, :nb, ys, xs] += vals[None, None, :]
                if self.count_channel:  # its events count too: ``vals`` in each bin, read as events
                    # (a normalised bin's unit is about one event), scaled as the count is
                    vox[:, nb, ys, xs] += (COUNT_SCALE * nb) * vals[None, :]
            if a.pause_prob > 0 and L > 2:
                vox, sharp, blurred, sigma = _pause(rng, a.pause_prob, vox, sharp, blurred, sigma)
        t = lambda v: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32))  # noqa: E731
        return {"voxel": t(vox), "sharp": t(sharp)[:, None], "blurred": t(blurred)[:, None], "sigma": t(sigma)[:, None]}


def _pause(rng, prob, vox, sharp, blurred, sigma):
    """Insert pauses: zero-event windows whose targets repeat the previous frame (length kept)."""
    L = len(vox)
    src = []
    vox_out = np.empty_like(vox)
    j = 0
    for i in range(L):
        if i > 0 and rng.random() < prob:
            src.append(src[-1])
            vox_out[i] = 0
        else:
            src.append(j)
            vox_out[i] = vox[j]
            j += 1
    src = np.asarray(src)
    return vox_out, sharp[src], blurred[src], sigma[src]
