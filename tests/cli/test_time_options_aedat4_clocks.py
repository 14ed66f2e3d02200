"""``evfocus reconstruct --start-s/--end-s`` on an AEDAT4 recording whose camera clock restarted:
as on a RAW file with a reset clock (``test_time_options_two_clocks``), the seconds were counted from
the earliest time (the second clock's first), so ``--start-s 0.1`` reconstructed the whole file.
With the AEDAT4 reader's clocks they are refused the same way, in one line, before any output; the
way out it names fits the format (an AEDAT4 file is not split at a byte)."""

from __future__ import annotations

from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.writers import Aedat4Writer


def test_times_on_an_aedat4_file_with_a_clock_restart_are_refused_in_one_line(tmp_path, tiny_ckpt, capsys):
    path = tmp_path / "restart.aedat4"
    with Aedat4Writer(path, 64, 48, max_packet_events=2000) as w:
        w.write(make_events(5000, 64, 48, t0_us=5_000_000, duration_us=200_000, seed=1))
        w.write(make_events(5000, 64, 48, t0_us=20_000, duration_us=200_000, seed=2))
    out = tmp_path / "out"
    assert main(["reconstruct", str(path), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", "--start-s", "0.1"]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1, err  # (before: exit 0, the whole file's frames)
    assert "--start-s/--end-s cannot be used: its sensor clock was reset at byte" in err[0], err
    assert "2 clocks: 5.000-5.200 s, 0.020-0.220 s" in err[0], err
    assert "write each clock's events to a file of its own" in err[0] and "split it at byte" not in err[0], err
    assert not list(out.glob("*.png"))
