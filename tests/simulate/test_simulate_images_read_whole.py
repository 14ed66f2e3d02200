"""`evfocus simulate --images`, pictures the first version read badly: a 16-bit or float grey
picture (a scientific camera's TIFF, a 16-bit PNG) came out white (PIL's convert("L") clips
values above 255), a picture over PIL's 179-Mpx limit was a traceback
(DecompressionBombError is no OSError), and a large picture became float at full size
before it was shrunk (a 50-Mpx photo: 200 MB for a 2048-px texture)."""

from __future__ import annotations

import struct
import tracemalloc
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from evfocus_live.simulate import textures


def _ramp(h: int, w: int, hi: float, dtype) -> np.ndarray:
    return np.tile(np.linspace(0, hi, w).astype(dtype), (h, 1))


@pytest.fixture(autouse=True)
def _fresh_cache():
    textures.user_image.cache_clear()
    yield
    textures.user_image.cache_clear()


@pytest.mark.parametrize("name, write", [
    ("ramp16.png", lambda p: cv2.imwrite(str(p), _ramp(60, 200, 65535, np.uint16))),
    ("ramp16.tif", lambda p: Image.fromarray(_ramp(60, 200, 4095, np.uint16)).save(p)),  # 12-bit sensor
    ("ramp_float.tif", lambda p: Image.fromarray(_ramp(60, 200, 0.2, np.float32)).save(p)),
])
def test_a_grey_picture_of_more_than_8_bits_keeps_its_tones(tmp_path, name, write):
    write(tmp_path / name)
    cv2.imwrite(str(tmp_path / "ramp8.png"), _ramp(60, 200, 255, np.uint8))
    want = textures.user_image(str(tmp_path / "ramp8.png"))
    got = textures.user_image(str(tmp_path / name))
    assert got.shape == want.shape
    assert np.abs(got - want).max() < 0.02, (got.std(), want.std())


def test_a_float_picture_with_nan_gives_finite_texture(tmp_path):
    a = _ramp(40, 100, 1.0, np.float32)
    a[5:9, 10:20] = np.nan
    Image.fromarray(a).save(tmp_path / "nan.tif")
    g = textures.user_image(str(tmp_path / "nan.tif"))
    assert np.isfinite(g).all() and g.std() > 0.2


def _png_header_only(path, w: int, h: int) -> None:
    """A PNG that says it is w x h (PIL reads the size from the header and refuses it there)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 8))
                     + chunk(b"IEND", b""))


def test_a_picture_too_large_to_open_is_one_line(tmp_path, capsys):
    from evfocus_live.cli import main

    _png_header_only(tmp_path / "huge.png", 20_000, 10_000)  # 200 Mpx
    assert main(["simulate", str(tmp_path / "out"), "--sequences", "1", "--duration", "0.05",
                 "--resolution", "48x32", "--no-aedat4", "--no-progress", "--images",
                 str(tmp_path / "huge.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--images" in err[0] and "huge.png: larger than a picture" in err[0], err


def _peak_bytes(path) -> int:
    tracemalloc.start()
    try:
        textures.user_image(str(path))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_picture_is_shrunk_before_it_becomes_float(tmp_path):
    """A 27-Mpx picture takes no more memory to read than one of the texture's own size
    (numpy's allocations, which tracemalloc sees; it took 3.5x as much)."""
    side = textures.USER_IMAGE_MAX_SIDE_PX
    for name, (h, w) in (("own.png", (side * 3 // 4, side)), ("big.png", (4500, 6000))):
        cv2.imwrite(str(tmp_path / name), np.tile(np.arange(w, dtype=np.uint16) % 256, (h, 1)).astype(np.uint8))
    ref = _peak_bytes(tmp_path / "own.png")
    peak = _peak_bytes(tmp_path / "big.png")
    assert max(textures.user_image(str(tmp_path / "big.png")).shape) == side
    assert peak < 1.2 * ref, f"{peak / 1e6:.0f} MB for 27 Mpx, {ref / 1e6:.0f} MB for {side} px"


def test_an_empty_path_is_refused_not_read_as_the_current_folder(tmp_path, monkeypatch):
    """`--images "$PICS"` with PICS unset drew every picture of the current folder."""
    from evfocus_live.errors import InputError

    monkeypatch.chdir(tmp_path)
    cv2.imwrite(str(tmp_path / "here.png"), _ramp(20, 30, 255, np.uint8))
    with pytest.raises(InputError, match=r"--images: empty path \(an unset variable\?\)"):
        textures.user_image_names([str(tmp_path / "here.png"), ""])


@pytest.mark.parametrize("name", ["photo.jpg", "scan.png"])
def test_a_picture_cut_short_is_refused_before_the_run(tmp_path, capsys, name):
    """A picture whose header reads but whose body is cut short (a copy that broke off) was
    found only when a scene drew it, maybe hours into the run; and --resume without it was
    refused, the pictures being part of the run's config."""
    from evfocus_live.cli import main

    rng = np.random.default_rng(1)
    cv2.imwrite(str(tmp_path / name), (rng.random((120, 160)) * 255).astype(np.uint8))
    data = (tmp_path / name).read_bytes()
    (tmp_path / name).write_bytes(data[: len(data) // 2])
    assert main(["simulate", str(tmp_path / "out"), "--sequences", "1", "--duration", "0.05",
                 "--resolution", "48x32", "--no-aedat4", "--no-progress", "--images", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--images {tmp_path / name}: " in err[0], err
    assert not (tmp_path / "out").exists()
