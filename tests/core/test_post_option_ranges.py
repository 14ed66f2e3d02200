"""Post-processor options outside their range, and empty ``--post`` steps, are one line.

``--post unsharp:amount=-1`` was accepted and blurred instead of sharpening;
``--post auto_hdr,,median`` skipped the empty step in silence."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.cli.options import post_options, post_steps
from evfocus_live.core.postprocess import AutoHdr, HotPixelMask, NoiseFilter, UnsharpMask
from evfocus_live.errors import ConfigError


@pytest.mark.parametrize("cls, kw, line", [
    (UnsharpMask, dict(amount=-1), "unsharp: amount must be a finite number >= 0, got -1"),
    (UnsharpMask, dict(sigma=0), "unsharp: sigma must be a finite number > 0, got 0"),
    (AutoHdr, dict(low_pct=-5), "auto_hdr: low_pct must be a finite number >= 0 and <= 100, got -5"),
    (AutoHdr, dict(high_pct=150), "auto_hdr: high_pct must be a finite number >= 0 and <= 100, got 150"),
    (AutoHdr, dict(low_pct=50, high_pct=10), "auto_hdr: need low_pct < high_pct (0..100), got low_pct=50, "
                                             "high_pct=10"),
    (HotPixelMask, dict(learn_s=-1), "hot_pixels: learn_s must be a finite number >= 0, got -1"),
    (HotPixelMask, dict(factor=0.5), "hot_pixels: factor must be a finite number >= 1, got 0.5"),
    (HotPixelMask, dict(min_count=-3), "hot_pixels: min_count must be a whole number >= 0, got -3"),
    (HotPixelMask, dict(min_count=2.5), "hot_pixels: min_count must be a whole number >= 0, got 2.5"),
    (NoiseFilter, dict(duration_us=0), "noise_filter: duration_us must be a whole number >= 1, got 0"),
    (NoiseFilter, dict(duration_us=float("nan")), "noise_filter: duration_us must be a whole number >= 1, got nan"),
])
def test_an_option_out_of_range_names_option_value_and_range(cls, kw, line):
    with pytest.raises(ConfigError) as exc:
        cls(**kw)
    assert str(exc.value) == line


def test_a_value_that_is_no_number_is_a_type_error_naming_the_option():
    """(build_postprocessors then names what the step takes, as for an unknown option)"""
    from evfocus_live.core.postprocess import build_postprocessors

    with pytest.raises(TypeError, match="unsharp: amount must be a number, not str"):
        UnsharpMask(amount="abc")
    with pytest.raises(ConfigError, match=r"post-processor 'unsharp': bad options amount='abc' \(unsharp: amount "
                                          r"must be a number, not str\); it takes amount=0.3, sigma=1.0"):
        build_postprocessors(["unsharp"], {"unsharp": {"amount": "abc"}})


def test_values_in_range_still_work():
    """The edges of each range stay accepted: amount 0 (no sharpening), no learning."""
    assert UnsharpMask(amount=0).amount == 0
    assert AutoHdr(low_pct=0, high_pct=100).high_pct == 100
    assert HotPixelMask(learn_s=0, factor=1, min_count=0, width=4, height=4).learn_us == 0
    assert NoiseFilter(duration_us=1, width=4, height=4).duration_us == 1


def test_a_negative_amount_no_longer_blurs():
    frame = np.zeros((16, 16), np.uint8)
    frame[:, 8:] = 200
    with pytest.raises(ConfigError, match="amount"):
        UnsharpMask(amount=-1)(frame, 0)


@pytest.mark.parametrize("text, why", [("auto_hdr,,median", "an empty step"), ("auto_hdr,", "an empty step"),
                                       (",unsharp", "an empty step"), ("auto_hdr, ,unsharp", "an empty step"),
                                       ("auto_hdr,:amount=1", "a step without a name")])
def test_an_empty_post_step_is_refused(text, why):
    for parse in (post_steps, post_options):
        with pytest.raises(ConfigError) as exc:
            parse(text)
        assert str(exc.value) == f"--post {text!r}: {why} (steps are NAME[:KEY=VALUE...] between commas)"
    assert post_steps("none") == () and post_steps("") == ()


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("post, says", [("unsharp:amount=-1", "unsharp: amount must be a finite number >= 0, got -1"),
                                        ("auto_hdr,,unsharp", "--post 'auto_hdr,,unsharp': an empty step")])
def test_both_tools_exit_2_with_one_line(tmp_path, tiny_ckpt, capsys, post, says):
    from conftest import make_events

    from evfocus_live.cli import main as cli_main
    from evfocus_live.gui.app import main as live_main

    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(5_000, width=64, height=48, duration_us=100_000))
    rc = cli_main(["reconstruct", str(rec), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt), "--device", "cpu",
                   "--no-progress", "--post", post])
    err = capsys.readouterr().err
    assert rc == 2
    errors = [ln for ln in err.splitlines() if ": error: " in ln]
    assert len(errors) == 1 and errors[0].startswith(f"evfocus reconstruct: error: {says}"), err
    assert "Traceback" not in err
    rc = live_main(["--headless", str(rec), "--model", str(tiny_ckpt), "--device", "cpu", "--speed", "0",
                    "--exit-after", "20", "--post", post])
    err = capsys.readouterr().err
    assert rc == 2
    assert "Traceback" not in err and f"evfocus-live: error: {says}" in err
