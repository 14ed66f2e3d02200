"""A looping replay of an AEDAT4 file with a packet in the middle that does not decode stopped at
the first pass's damage ("source error"), and the part before it was not seen again: a demo
loop ended for good. It now loops the part read, with one line naming the damage (the byte and
the seconds replayed) kept in ``last_fault`` and handed to the viewer at each pass. Without
the loop (headless reads once) the damage still ends the run."""

from __future__ import annotations

import logging

from damage_support import damaged_copy, run


def test_a_looping_replay_plays_the_part_before_a_bad_packet(tmp_path, caplog):
    path, off = damaged_copy(tmp_path)
    with caplog.at_level(logging.WARNING, logger="evfocus_live.pipeline"):
        pipe, got, said = run(path, loop=True)
    assert sum("damaged at byte" in r.getMessage() for r in caplog.records) == 1  # (logged once)
    st = pipe.stats
    assert st.loops >= 3, (st.status, st.last_fault)
    assert not st.status.startswith("source error"), st.status
    assert st.last_fault.startswith(f"damaged.aedat4 damaged at byte {off:,}: replaying the first "), st.last_fault
    assert "corrupt AEDAT4" in st.last_fault
    assert said and set(said) == {st.last_fault}  # (each pass: it stays on the status bar)
    # every pass shows the same good part: the frames step back to its start at each loop
    t_end = max(f.t_us for f in got)
    assert sum(1 for a, b in zip(got, got[1:]) if b.t_us < a.t_us) >= 2 and t_end > got[0].t_us


def test_without_the_loop_the_damage_still_ends_the_replay(tmp_path):
    path, off = damaged_copy(tmp_path)
    pipe, got, said = run(path, loop=False)
    assert pipe.stats.status.startswith("source error") and f"at byte {off}" in pipe.stats.status
    assert got and pipe.stats.loops == 0
