"""report.md's "The models ran in fp32 on cuda:0 (as `evfocus reconstruct` does ...)": on a GPU
reconstruct (and the viewer) run fp16 by default, so the line told a student comparing frames
with the scores the opposite of what ran; on a GPU it names the fp16 default and the fp32 option."""

from __future__ import annotations

from evfocus_live.train.evaluate import markdown_report


def test_on_a_gpu_the_line_does_not_say_reconstruct_runs_fp32():
    line = markdown_report(None, None, ["evfocus"], device="cuda:0").splitlines()[2]
    assert "fp32 on cuda:0" in line
    assert "as `evfocus reconstruct` does" not in line
    assert "fp16" in line and "--precision fp32" in line


def test_on_a_cpu_it_is_as_before():
    line = markdown_report(None, None, ["evfocus"], device="cpu").splitlines()[2]
    assert "fp32 on cpu (as `evfocus reconstruct` does;" in line
