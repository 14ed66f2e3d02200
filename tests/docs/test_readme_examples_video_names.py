"""README's "Using it" block, run line by line as a new user does: the viewer's headless example
writes ``--video out.mp4``, and the reconstruct example two lines on wrote ``--video out.mp4`` too,
which reconstruct now refuses unless ``--overwrite`` (an existing video is another run's): the
second example failed with "already exists"."""

from __future__ import annotations

import shlex
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_no_reconstruct_example_writes_a_video_an_earlier_example_wrote():
    block = README.read_text().split("## Using it", 1)[1].split("\n## ", 1)[0]
    written: dict[str, str] = {}
    for line in block.splitlines():
        if not line.startswith("    evfocus"):
            continue
        argv = shlex.split(line.split("#", 1)[0])
        video = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--video"), None)
        if video is None:
            continue
        if argv[:2] == ["evfocus", "reconstruct"] and "--overwrite" not in argv:
            assert video not in written, f"{line.strip()!r}: {video} was written by {written[video]!r}"
        written.setdefault(video, line.strip())
    assert written, "no example with --video found"
