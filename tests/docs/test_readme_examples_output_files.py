"""README's command examples, pasted one after another as a newcomer does, never write a
`--video` or `--record` file an earlier example wrote: both `evfocus-live` and `evfocus
reconstruct` refuse an existing one without `--overwrite`. "Using it" and "The viewer" both
wrote `out.mp4` from `evfocus-live --headless`, so the second stopped with "already exists".
(test_readme_examples_video_names.py checks reconstruct's `--video` in "Using it" only.)"""

from __future__ import annotations

from readme_checker import README, commands_in, snippets

WRITERS = {"evfocus-live": ("--video", "--record"), "evfocus reconstruct": ("--video",)}


def clashes(text: str) -> list[str]:
    """Each code-block example that writes a file an earlier example wrote, as ``line: why``."""
    written: dict[str, int] = {}
    out = []
    for s in snippets(text):
        if s.kind != "block":
            continue
        for cmd in commands_in(s):
            opts = dict(cmd.options)
            for opt in WRITERS.get(cmd.program, ()):
                path = opts.get(opt)
                if not path or path.isupper():  # a placeholder (OUT.mp4)
                    continue
                if path in written and "--overwrite" not in opts:
                    out.append(f"README.md:{s.line}: {opt} {path} was written by the example at line {written[path]}")
                written.setdefault(path, s.line)
    return out


def test_no_example_writes_a_file_an_earlier_one_wrote():
    problems = clashes(README.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_the_check_sees_a_clash():
    text = ("    evfocus-live --headless --camera sim --video out.mp4 --exit-after-s 10\n\n"
            "    evfocus-live --headless rec.raw --video out.mp4 --record out.aedat4\n"
            "    evfocus-live --headless rec.raw --record out.aedat4 --overwrite\n")
    assert clashes(text) == ["README.md:3: --video out.mp4 was written by the example at line 1"]
