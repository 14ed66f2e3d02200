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


def test_source_aps_times_calls_a_plugins_aps_times_us_as_the_contract_has_it():
    """The check of ``--at aps`` called ``aps_times_us(quiet=True)``: a plugin source's method
    without that argument (it is not in the contract) raised TypeError."""
    import numpy as np

    from evfocus_live.pipeline import source_aps_times

    class PluginSource:
        def aps_times_us(self):
            return [3, 1_000]

    assert np.array_equal(source_aps_times(PluginSource()), [3, 1_000])
    assert source_aps_times(object()) is None
