"""``evfocus info out.mp4`` (a reconstruction's --video, or a picture) said "unknown event file
format (supported: ...)", which named neither what the file is nor the way on. A video or an image
is named as one, by its name or its first bytes, wherever a recording is opened."""

from __future__ import annotations

import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import detect_format

#: first bytes of each container (the rest is not read)
HEADS = {
    "a video": [b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", b"RIFF\x10\x00\x00\x00AVI LIST", b"\x1a\x45\xdf\xa3\x9f\x42\x86"],
    "an image": [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"\xff\xd8\xff\xe0\x00\x10JFIF"],
}


@pytest.mark.parametrize("name, kind", [("out.mp4", "a video"), ("out.avi", "a video"), ("out.mkv", "a video"),
                                        ("out.MOV", "a video"), ("shot.png", "an image"), ("shot.jpg", "an image")])
def test_named_by_its_name(tmp_path, name, kind):
    path = tmp_path / name
    path.write_bytes(b"\x00\x01 not looked at")
    with pytest.raises(InputError) as err:
        detect_format(path)
    assert str(err.value).startswith(f"{path}: is {kind}, not an event recording: "), err.value
    assert "unknown event file format" not in str(err.value)


@pytest.mark.parametrize("kind, head", [(k, h) for k, hs in HEADS.items() for h in hs])
def test_named_by_its_content(tmp_path, kind, head):
    path = tmp_path / "renamed.bin"
    path.write_bytes(head + bytes(64))
    with pytest.raises(InputError, match=f"is {kind}, not an event recording"):
        detect_format(path)


def test_info_says_it_in_one_line(tmp_path, capsys):
    from evfocus_live.cli import main

    path = tmp_path / "out.mp4"
    path.write_bytes(HEADS["a video"][0] + bytes(64))
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"evfocus info: error: {path}: is a video, not an event recording: give the events it was made "
                   "from (.aedat4, .raw, .h5, .npy, .npz, .txt/.csv); evfocus simulate --images makes scenes of "
                   "pictures and videos"], err
