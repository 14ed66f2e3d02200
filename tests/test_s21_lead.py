"""Twenty-first session, lead's fixes."""
from __future__ import annotations

import pytest

from evfocus_live.cli import main
from evfocus_live.cli.options import glue_dash_values
from evfocus_live.gui.app import main as viewer_main


def test_glue_dash_values_only_touches_a_dash_value_after_roi():
    assert glue_dash_values(["a.raw", "--roi", "-1,0,100,100", "-o", "x"]) == \
        ["a.raw", "--roi=-1,0,100,100", "-o", "x"]
    assert glue_dash_values(["--roi", "0,0,16,16", "-v"]) == ["--roi", "0,0,16,16", "-v"]
    assert glue_dash_values(["--roi", "-v"]) == ["--roi", "-v"]  # an option, not a value


@pytest.mark.parametrize("entry", ["evfocus", "evfocus-live"])
def test_negative_roi_is_the_roi_message_not_argparse_usage(entry, capsys, tmp_path):
    """``--roi -1,0,100,100`` gave argparse's "expected one argument" and the usage text."""
    try:
        if entry == "evfocus":
            rc = main(["reconstruct", str(tmp_path / "none.aedat4"), "-o", str(tmp_path / "o"),
                       "--roi", "-1,0,100,100"])
        else:
            rc = viewer_main(["--roi", "-1,0,100,100", "--headless", "--exit-after", "0.1"])
    except SystemExit as ex:  # argparse's own exit
        rc = ex.code
    err = capsys.readouterr().err
    assert rc == 2
    assert "not X,Y,W,H" in err and "expected one argument" not in err and "usage:" not in err, err



def test_at_aps_check_calls_a_plugins_aps_times_us_as_the_contract_has_it(monkeypatch):
    """The check of ``--at aps`` called ``aps_times_us(quiet=True)``: a plugin source's method
    without that argument (it is not in the contract) raised TypeError."""
    import evfocus_live.sources as sources
    from evfocus_live.cli.reconstruct import _check_aps

    class PluginSource:
        format, width, height, has_aps = "plugin", 64, 48, True

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def aps_times_us(self):
            return [3, 1_000]

        def time_range_us(self):
            return 0, 2_000

    monkeypatch.setattr(sources, "open_file", lambda path: PluginSource())
    _check_aps("rec.plugin")  # (raises on no frame in range)
