"""A looping replay of an AEDAT4 file with a damaged packet loops its good part; its
``stats.source_errors`` grew by one at every pass (the same damage met again), so the viewer's
count of source errors rose for as long as the loop ran. The damage is counted once."""

from __future__ import annotations

from damage_support import damaged_copy, run


def test_the_damage_is_one_source_error_however_many_passes(tmp_path):
    path, _ = damaged_copy(tmp_path)
    pipe, _, _ = run(path, loop=True, passes=4)
    assert pipe.stats.loops >= 4, (pipe.stats.status, pipe.stats.last_fault)
    assert pipe.stats.source_errors == 1
