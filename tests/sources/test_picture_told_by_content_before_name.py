"""Pictures are told by their first bytes before their name: a HEIC or AVIF photo (an ISO-BMFF
``ftyp`` box, as MP4's) was called "a video", and a text event list named ``.png`` with a note,
a column-names line or no ``W H`` above its rows was called "an image". Real pictures are
refused as before, naming what they are."""

from __future__ import annotations

import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import detect_format, open_file

ROWS = "".join(f"{i * 10} 12 34 1\n" for i in range(1, 40))


@pytest.mark.parametrize("brand", [b"heic", b"mif1", b"avif"])
@pytest.mark.parametrize("name", ["photo.heic", "photo.avif", "photo.bin"])
def test_heic_and_avif_are_images(tmp_path, name, brand):
    path = tmp_path / name
    path.write_bytes(b"\x00\x00\x00\x1cftyp" + brand + b"\x00\x00\x00\x00mif1miaf" + bytes(64))
    with pytest.raises(InputError, match="is an image, not an event recording"):
        detect_format(path)


def test_an_mp4_is_still_a_video(tmp_path):
    path = tmp_path / "clip.bin"
    path.write_bytes(b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00isomiso2mp41" + bytes(64))
    with pytest.raises(InputError, match="is a video, not an event recording"):
        detect_format(path)


def test_a_png_named_mp4_is_an_image(tmp_path):
    path = tmp_path / "out.mp4"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    with pytest.raises(InputError, match="is an image, not an event recording"):
        detect_format(path)


def test_events_under_a_note_named_png_are_read(tmp_path):
    path = tmp_path / "events.png"
    path.write_text("# exported by a tool\n346 260\n" + ROWS)
    assert detect_format(path)[0] == "text"
    assert open_file(path).read()["t"][:2].tolist() == [10, 20]


@pytest.mark.parametrize("text, said", [(ROWS, "it is an event row: add the size as line 1"),
                                        ("t,x,y,p\n" + ROWS.replace(" ", ","), "it names columns")])
def test_events_without_the_size_named_png_say_what_to_add(tmp_path, text, said):
    path = tmp_path / "events.png"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        open_file(path)
    assert said in str(err.value) and "image" not in str(err.value)


@pytest.mark.parametrize("name", ["notes.png", "notes.log"])
def test_other_text_is_not_taken_for_events(tmp_path, name):
    path = tmp_path / name
    path.write_text("Recorded on Monday\nlens at f/1.4\n")
    with pytest.raises(InputError) as err:
        detect_format(path)
    assert ("is an image" in str(err.value)) == name.endswith(".png")
