"""On real recordings a barely trained model's flat, noisy frames (contrast 2, noise 0.7)
scored 7x the shipped model's "sharpness ↑" (variance of Laplacian): a table read for that
column alone ranked noise as detail. The report now says to read it beside contrast and noise."""

from __future__ import annotations

from evfocus_live.train.evaluate import markdown_report


def test_the_real_table_says_noise_raises_sharpness():
    r = {"brisque": 70.0, "niqe": 20.0, "sharpness": 41.3, "contrast": 2.2, "noise": 0.7, "flicker": 0.4,
         "ms_per_window": 10.0}
    md = markdown_report(None, {"rec.raw": {"my": r}}, ["my"])
    assert "noise raises it too" in md and "| rec.raw | my | 70.0 |" in md
