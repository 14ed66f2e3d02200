"""Texture library for synthetic scenes: bundled natural images and procedural patterns.

Natural images come from the files scikit-image ships inside its wheel (no download);
procedural ones (checkerboards, shapes, text, multi-scale noise, gratings) cover the
sharp edges and fine textures that defocus removes. Every texture is a float32 array
in [0, 1], *display-referred* (gamma-encoded like an 8-bit image); the renderer
converts to linear intensity.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import warnings
from pathlib import Path

import cv2
import numpy as np

#: natural images bundled with scikit-image (read from its package folder, never fetched)
NATURAL_IMAGES = (
    "astronaut.png", "brick.png", "camera.png", "cell.png", "chelsea.png",
    "clock_motion.png", "coffee.png", "coins.png", "color.png", "grass.png",
    "gravel.png", "hubble_deep_field.jpg", "ihc.png", "moon.png",
    "motorcycle_left.png", "page.png", "retina.jpg", "rocket.jpg", "text.png",
)

log = logging.getLogger(__name__)

PROCEDURAL = ("checkerboard", "shapes", "text", "noise", "grating")

#: the picture files ``evfocus simulate --images`` takes (in a folder: these, sorted)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm")
#: the videos it takes: each gives :data:`VIDEO_FRAMES` pictures, ``path#k`` for frame k
VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v")
#: frames taken from a video, evenly spaced over it (fewer in a shorter one)
VIDEO_FRAMES = 32
#: frames counted at most in a video whose container gives no count (read one by one)
VIDEO_MAX_COUNTED_FRAMES = 100_000
#: a user's picture is shrunk to this longer side when read: a texture is at most 1.25x the
#: sensor, and a cache of 24-Mpx float pictures filled the memory
USER_IMAGE_MAX_SIDE_PX = 2048

_WORDS = ("EVENT", "FOCUS", "DAVIS", "blur", "sharp", "346x260", "lens", "ICML",
          "defocus", "0123456789", "Zurich", "spike", "log(I)", "voxel", "LSTM")
_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
          cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_PLAIN)


def _skimage_data_dir() -> Path:
    import skimage.data  # only for its folder; its loaders may try to download
    return Path(skimage.data.__file__).parent


@functools.lru_cache(maxsize=None)
def natural_image(name: str) -> np.ndarray:
    """A bundled scikit-image picture as grey float32 in [0, 1] (cached per process)."""
    from PIL import Image  # pillow: declared in setup.cfg; cv2 warns on page.png's ICC

    with Image.open(_skimage_data_dir() / name) as im:
        g = np.asarray(im.convert("L"), dtype=np.float32) / 255.0
    return _stretched_grey(g)


def _stretched_grey(g: np.ndarray) -> np.ndarray:
    """Grey in [0, 1] stretched to its 0.5..99.5 percentiles (low-contrast pictures:
    moon, hubble), read-only (cached)."""
    lo, hi = np.percentile(g, [0.5, 99.5])
    g = np.clip((g - lo) / max(hi - lo, 1e-3), 0.0, 1.0)
    g.setflags(write=False)
    return g


def split_frame(name: str) -> tuple[str, int | None]:
    """(file, frame) of a user's texture name: ``clip.mp4#12`` -> (``clip.mp4``, 12); a
    picture's (``x#1.png`` too) -> (name, None)."""
    head, sep, tail = name.rpartition("#")
    if sep and tail.isdigit() and Path(head).suffix.lower() in VIDEO_SUFFIXES:
        return head, int(tail)
    return name, None


def _video_frames(path: Path) -> list[int]:
    """:data:`VIDEO_FRAMES` frame numbers evenly spaced over the video at ``path`` (all of a
    shorter one), those that decode: a container's frame count can promise more than it holds,
    or be missing (a browser's .webm: 0 or -1; then the frames are counted by reading them)."""
    cap = cv2.VideoCapture(str(path))
    try:
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if cap.isOpened() else 0
        if n <= 0 and cap.isOpened():
            n = 0
            while n < VIDEO_MAX_COUNTED_FRAMES and cap.grab():
                n += 1
        m = min(n, VIDEO_FRAMES)
        wanted = sorted({round(j * (n - 1) / max(1, m - 1)) for j in range(m)})
        ok = []
        for k in wanted:
            cap.set(cv2.CAP_PROP_POS_FRAMES, k)
            if cap.grab():
                ok.append(k)
        return ok
    finally:
        cap.release()


def user_image_names(paths: list[str], what: str = "--images") -> list[str]:
    """The pictures ``paths`` (image files, folders of them, videos) give, as the texture names
    :func:`user_image` reads: absolute paths, sorted per folder, ``video#k`` for a video's frame
    k (:data:`VIDEO_FRAMES` of them, evenly spaced). InputError (one line) for a path that is
    missing or unreadable, or a folder with no picture, naming ``what`` (the option, or a settings
    file's key)."""
    from ..errors import InputError

    names: list[str] = []
    for given in paths:
        if not str(given).strip():  # (Path("") is the current folder: its pictures were drawn)
            raise InputError(f"{what}: empty path (an unset variable?)")
        p = Path(given).expanduser()
        if p.is_dir():
            listed = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
            files = [f for f in listed if f.suffix.lower() in IMAGE_SUFFIXES + VIDEO_SUFFIXES]
            left = [f.name for f in listed if f not in files]
            if left and files:  # "drawn from 6 pictures" of a folder of 7 files did not say which
                log.info("%s %s: left out %d file(s) that are not pictures or videos: %s%s", what, given, len(left),
                         ", ".join(left[:3]), ", ..." if len(left) > 3 else "")
            if not files:
                raise InputError(f"{what} {given}: no pictures in this folder (looked for "
                                 f"{', '.join(IMAGE_SUFFIXES + VIDEO_SUFFIXES)}; subfolders are not searched)")
        elif p.is_file():
            files = [p]
        else:
            raise InputError(f"{what} {given}: no such file or folder")
        for f in files:
            f = f.resolve()
            if f.suffix.lower() in VIDEO_SUFFIXES:
                ks = _video_frames(f)
                if not ks:
                    raise InputError(f"{what} {f}: cannot read this video (no frames OpenCV can decode)")
                names += [f"{f}#{k}" for k in ks]
            elif f.suffix.lower() in IMAGE_SUFFIXES:
                _check_picture(f, what)
                names.append(str(f))
            else:
                raise InputError(f"{what} {f}: not a picture or video "
                                 f"({', '.join(IMAGE_SUFFIXES + VIDEO_SUFFIXES)})")
    return names


def pictures_smaller_than(names: list[str], width: int, height: int) -> list[str]:
    """The files among ``names`` (:func:`user_image_names`'s) whose pictures are narrower than
    ``width`` or lower than ``height``: a scene enlarges them to fill the sensor, so their
    "sharp" ground truth is softer than its pixels. Sizes from the headers (nothing decoded)."""
    from PIL import Image

    small: list[str] = []
    seen: set[str] = set()  # (a video's 32 frame names: its header read once, not 32 times)
    for name in names:
        path, frame = split_frame(name)
        if path in seen:
            continue
        seen.add(path)
        if frame is None:
            try:
                with Image.open(path) as im:
                    w, h = im.size
            except OSError:  # (read and refused before; a hint only)
                continue
        else:
            cap = cv2.VideoCapture(path)
            w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
            cap.release()
        if 0 < w < width or 0 < h < height:
            small.append(path)
    return small


def _check_picture(path: Path, what: str = "--images") -> None:
    """InputError unless ``path`` reads as a picture, before the run: a JPEG decoded at 1/8 of
    its size, a PNG's chunks checked, other formats by their header only (a folder of large
    pictures is not decoded in full up front). A body cut short was found when a scene drew
    it, maybe hours into the run."""
    from ..errors import InputError

    with _open_picture(path, f"{what} ") as im:
        try:
            if im.format == "JPEG":
                im.draft("L", (64, 64))
                im.load()
            elif im.format == "PNG":
                im.verify()
        except (OSError, SyntaxError, ValueError) as exc:  # (PIL says a broken PNG with SyntaxError)
            raise InputError(f"{what} {path}: cannot read this picture ({exc})") from None


#: the EXIF tag saying how a picture is turned (1: upright; 6: a phone held upright, stored sideways)
EXIF_ORIENTATION = 0x0112


@contextlib.contextmanager
def _open_picture(path: str | Path, prefix: str = ""):
    """``PIL.Image.open(path)``; InputError (one line) for a file that is no picture, or one
    over PIL's size limit (its DecompressionBombError is no OSError: it was a traceback). No
    DecompressionBombWarning below that limit: a 100-Mpx photo is shrunk as it is read."""
    from PIL import Image, UnidentifiedImageError

    from ..errors import InputError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path)
    except Image.DecompressionBombError:
        raise InputError(f"{prefix}{path}: larger than a picture this tool reads "
                         f"({2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} Mpx at most): shrink it first") from None
    except (OSError, UnidentifiedImageError) as exc:
        raise InputError(f"{prefix}{path}: not a picture this tool can read ({exc})") from None
    with im:
        yield im


def _grey_of(im) -> np.ndarray:
    """A PIL picture as grey float32 in [0, 1], at most :data:`USER_IMAGE_MAX_SIDE_PX` on
    its longer side. 16-bit, 32-bit and float grey (a scientific camera's TIFF) are scaled
    by their own range: convert("L") clips them above 255, a white picture. A large picture
    is shrunk before it becomes float: a 50-Mpx photo was 200 MB first. Turned upright by its
    EXIF orientation: a phone's portrait photo is stored sideways with a tag saying so, and
    became a sideways texture."""
    from PIL import ImageOps

    im.draft("L", (USER_IMAGE_MAX_SIDE_PX, USER_IMAGE_MAX_SIDE_PX))  # (JPEG: decoded smaller)
    if im.getexif().get(EXIF_ORIENTATION, 1) != 1:  # (no copy of an upright picture)
        im = ImageOps.exif_transpose(im)
    wide = im.mode.startswith("I") or im.mode == "F"
    im = im.convert("F" if wide else "L")
    k = max(im.size) // USER_IMAGE_MAX_SIDE_PX
    if k > 1:
        im = im.reduce(k)
    if not wide:  # (shrunk while 8-bit)
        return _fit(np.asarray(im)).astype(np.float32) / 255.0
    g = np.asarray(im, dtype=np.float32)
    finite = g[np.isfinite(g)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    g = np.nan_to_num(g, nan=lo, posinf=hi, neginf=lo)
    return _fit((g - lo) / max(hi - lo, 1e-12))


def _fit(g: np.ndarray) -> np.ndarray:
    """``g`` shrunk to :data:`USER_IMAGE_MAX_SIDE_PX` on its longer side (a texture is at most
    1.25x the sensor)."""
    scale = USER_IMAGE_MAX_SIDE_PX / max(g.shape)
    if scale >= 1:
        return g
    return cv2.resize(g, (max(1, round(g.shape[1] * scale)), max(1, round(g.shape[0] * scale))),
                      interpolation=cv2.INTER_AREA)


@functools.lru_cache(maxsize=16)
def user_image(name: str) -> np.ndarray:
    """A user's picture (``evfocus simulate --images``) as grey float32 in [0, 1], stretched as
    :func:`natural_image` does; ``video#k``: frame k of a video. Shrunk to
    :data:`USER_IMAGE_MAX_SIDE_PX` on its longer side."""
    from ..errors import InputError

    path, frame = split_frame(name)
    if frame is None:
        try:
            with _open_picture(path) as im:
                return _stretched_grey(_grey_of(im))
        except OSError as exc:  # (a body that does not decode: truncated, corrupt)
            raise InputError(f"{path}: cannot read this picture ({exc})") from None
    cap = cv2.VideoCapture(path)
    try:
        cap.set(cv2.CAP_PROP_POS_FRAMES, frame)
        ok, bgr = cap.read()
    finally:
        cap.release()
    if not ok:
        raise InputError(f"{path}: cannot read frame {frame} of this video")
    # shrunk while 8-bit: a 4K frame as float is 33 MB
    return _stretched_grey(_fit(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)).astype(np.float32) / 255.0)


def checkerboard(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    cell = int(rng.integers(6, 48))
    a = rng.uniform(0.05, 0.45)
    b = rng.uniform(a + 0.25, 0.95)  # always a visible contrast
    yy, xx = np.mgrid[0:h, 0:w]
    ang = rng.uniform(0, np.pi)
    u = (xx * np.cos(ang) + yy * np.sin(ang)) // cell
    v = (-xx * np.sin(ang) + yy * np.cos(ang)) // cell
    img = np.where((u + v) % 2 == 0, a, b).astype(np.float32)
    return cv2.GaussianBlur(img, (0, 0), 0.6)  # anti-alias


def shapes(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    img = np.full((h, w), rng.uniform(0.1, 0.9), np.float32)
    for _ in range(int(rng.integers(8, 40))):
        col = float(rng.uniform(0, 1))
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        r = int(rng.integers(4, max(6, min(h, w) // 5)))
        kind = rng.integers(0, 3)
        if kind == 0:
            cv2.circle(img, (cx, cy), r, col, -1, cv2.LINE_AA)
        elif kind == 1:
            box = cv2.boxPoints(((cx, cy), (r * rng.uniform(0.5, 2), r * rng.uniform(0.5, 2)),
                                 rng.uniform(0, 180)))
            cv2.fillPoly(img, [box.astype(np.int32)], col, cv2.LINE_AA)
        else:
            n = int(rng.integers(3, 8))
            ang = np.sort(rng.uniform(0, 2 * np.pi, n))
            rad = r * rng.uniform(0.4, 1.0, n)
            pts = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], 1).astype(np.int32)
            cv2.fillPoly(img, [pts], col, cv2.LINE_AA)
    return img


def text(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    bg, fg = (217, 20) if rng.random() < 0.6 else (25, 230)
    img = np.full((h, w), bg, np.uint8)  # OpenCV 5 draws text on 8-bit images only
    y = int(rng.integers(10, 30))
    while y < h + 10:
        scale = float(rng.uniform(0.4, 2.0))
        font = _FONTS[int(rng.integers(0, len(_FONTS)))]
        x = int(rng.integers(-20, 20))
        while x < w:
            word = _WORDS[int(rng.integers(0, len(_WORDS)))]
            cv2.putText(img, word, (x, y), font, scale, fg, int(rng.integers(1, 3)), cv2.LINE_AA)
            x += int(cv2.getTextSize(word, font, scale, 1)[0][0] + rng.integers(8, 30))
        y += int(30 * scale + rng.integers(4, 20))
    return img.astype(np.float32) / 255.0


def noise(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Multi-scale (roughly 1/f) noise: octaves of upsampled white noise."""
    img = np.zeros((h, w), np.float32)
    beta = rng.uniform(0.5, 1.2)
    for k in range(1, 7):
        cell = 2 ** k
        small = rng.standard_normal((h // cell + 2, w // cell + 2)).astype(np.float32)
        up = cv2.resize(small, (w + 2 * cell, h + 2 * cell), interpolation=cv2.INTER_CUBIC)
        img += (cell ** beta) * up[cell:cell + h, cell:cell + w]
    img -= img.mean()
    img /= 3 * img.std() + 1e-6
    return np.clip(img + 0.5, 0, 1)


def grating(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(8, 60)
    ang = rng.uniform(0, np.pi)
    ph = (xx * np.cos(ang) + yy * np.sin(ang)) * (2 * np.pi / period)
    g = 0.5 + 0.45 * np.sin(ph)
    if rng.random() < 0.5:  # square wave
        g = np.where(g > 0.5, 0.9, 0.1).astype(np.float32)
        g = cv2.GaussianBlur(g, (0, 0), 0.6)
    return g.astype(np.float32)


_PROCEDURAL_FN = {"checkerboard": checkerboard, "shapes": shapes, "text": text,
                  "noise": noise, "grating": grating}


def make_texture(name: str, rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Texture ``name`` (a NATURAL_IMAGES file, a PROCEDURAL kind, or a user's picture named
    by :func:`user_image_names`) resized to h x w.

    Natural images get a random crop/flip/contrast so that two sequences rarely share
    the exact same background.
    """
    if name in _PROCEDURAL_FN:
        img = _PROCEDURAL_FN[name](rng, h, w)
    else:
        src = natural_image(name) if name in NATURAL_IMAGES else user_image(name)
        sh, sw = src.shape
        # random crop of at least half the picture, keeping the target aspect ratio
        frac = rng.uniform(0.5, 1.0)
        ch = min(sh, int(sh * frac))
        cw = max(1, min(sw, int(ch * w / h)))  # (a very tall target once rounded it to 0)
        ch = min(ch, int(cw * h / w)) or 1
        y0 = int(rng.integers(0, sh - ch + 1))
        x0 = int(rng.integers(0, sw - cw + 1))
        img = cv2.resize(src[y0:y0 + ch, x0:x0 + cw], (w, h), interpolation=cv2.INTER_AREA
                         if cw > w else cv2.INTER_CUBIC)
        if rng.random() < 0.5:
            img = img[:, ::-1]
    # random contrast / brightness in display space
    gamma = float(np.exp(rng.uniform(-0.4, 0.4)))
    img = np.clip(img, 0, 1) ** gamma
    lo, hi = np.sort(rng.uniform([0.0, 0.7], [0.3, 1.0]))
    return np.ascontiguousarray(lo + (hi - lo) * img, dtype=np.float32)


def random_texture_name(rng: np.random.Generator, p_natural: float = 0.6) -> str:
    if rng.random() < p_natural:
        return NATURAL_IMAGES[int(rng.integers(0, len(NATURAL_IMAGES)))]
    return PROCEDURAL[int(rng.integers(0, len(PROCEDURAL)))]


def shape_mask(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A random foreground silhouette (float32 alpha in [0, 1], anti-aliased edges)."""
    m = np.zeros((h, w), np.float32)
    kind = int(rng.integers(0, 5))
    cx, cy = w / 2, h / 2
    if kind == 0:  # ellipse
        cv2.ellipse(m, ((cx, cy), (w * rng.uniform(0.6, 0.98), h * rng.uniform(0.6, 0.98)), 0), 1.0,
                    -1, cv2.LINE_AA)
    elif kind == 1:  # rectangle (full patch or inset)
        ins = rng.uniform(0, 0.15)
        m[int(h * ins):int(h * (1 - ins)) or h, int(w * ins):int(w * (1 - ins)) or w] = 1
    elif kind == 2:  # star / polygon
        n = int(rng.integers(3, 12))
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = rng.uniform(0.5, 1.0, n)
        pts = np.stack([cx + rad * np.cos(ang) * w * 0.48, cy + rad * np.sin(ang) * h * 0.48], 1)
        cv2.fillPoly(m, [pts.astype(np.int32)], 1.0, cv2.LINE_AA)
    elif kind == 3:  # blob: thresholded smooth noise
        small = rng.standard_normal((6, 6)).astype(np.float32)
        up = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        yy, xx = np.mgrid[0:h, 0:w]
        r = np.hypot((xx - cx) / (w / 2), (yy - cy) / (h / 2))
        m = ((up * 0.5 + 1.0 - r * 1.3) > 0).astype(np.float32)
    else:  # big glyphs
        word = _WORDS[int(rng.integers(0, len(_WORDS)))][: int(rng.integers(1, 4))]
        font = _FONTS[int(rng.integers(0, len(_FONTS) - 1))]
        (tw, th), _ = cv2.getTextSize(word, font, 1.0, 1)
        scale = 0.9 * min(w / tw, h / th)
        thick = max(2, int(scale * 3))
        g = np.zeros((h, w), np.uint8)  # OpenCV 5 draws text on 8-bit images only
        cv2.putText(g, word, (int((w - tw * scale) / 2), int((h + th * scale) / 2)), font, scale,
                    255, thick, cv2.LINE_AA)
        m = g.astype(np.float32) / 255.0
    if m.max() <= 0:
        m[h // 4:3 * h // 4, w // 4:3 * w // 4] = 1
    return cv2.GaussianBlur(m, (0, 0), 0.5)
