"""README's "Use it from Python" names what a Python user gets from a compare model (the
viewer's --compare): ``ModelConfig(compare=...)``, ``pipe.set_compare`` and ``FrameResult.compare``;
the section listed every other field of a frame, and not this one."""

from __future__ import annotations

from pathlib import Path

from evfocus_live.pipeline import FrameResult

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_python_section_names_the_compare_model():
    text = README.read_text(encoding="utf-8")
    start = text.index("## Use it from Python")
    section = text[start:text.index("\n## ", start + 1)]
    for name in ('ModelConfig(compare="e2vid")', "pipe.set_compare(", "`compare` holds its", "compare_ms"):
        assert name in section, name
    assert "compare:" in FrameResult.__doc__
