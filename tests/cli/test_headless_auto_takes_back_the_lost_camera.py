"""A headless ``--camera auto`` run takes back the camera it lost, not the first one found:
with two attached, ``auto`` again opened the other one, refused it as not the lost camera, and
never took back a lost one that was not found first (it is opened now by its serial). And a
camera that keeps coming back and failing started the reconnect limit again at each return: it
was retried forever; its lost time now counts across the drops, and the run ends in one line."""

from __future__ import annotations

import pytest
from reconnect_support import Davis, run

from evfocus_live.errors import DeviceError

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_auto_takes_back_a_lost_camera_that_is_not_found_first(tiny_ckpt, tmp_path, caplog, monkeypatch):
    lost, asked = Davis("B", 30), []

    def open_again(spec, serial=None, **kw):  # camera A is found first; B only by its serial
        asked.append((spec, serial))
        return Davis("B", 10**6) if serial == "B" else Davis("A", 10**6)
    rc, said = run(lost, open_again, tiny_ckpt, tmp_path, caplog, monkeypatch, "3")
    assert rc == 0, said[-10:]
    assert asked[0] == ("auto", "B") and any("source reconnected" in m for m in said), said[-10:]


def test_a_camera_that_keeps_failing_is_given_up_across_its_drops(tiny_ckpt, tmp_path, caplog, monkeypatch):
    # Each drop is away for three tries (the back-off's 0.05+0.1+0.2+0.4 s: 0.75 s at least, a
    # loaded machine only makes it longer) and back for 0.3 s of wall time (a count of reads ran
    # it for 1 s and more under load: its pay-back then beat its lost time, and the run went on).
    # Each cycle adds 0.75 - 0.5 * 0.3 = 0.6 s at least: over the 2.5 s limit by the 4th drop,
    # while one drop alone stays far under it (the rule across drops, not one long drop).
    tries = []

    def open_again(spec, serial=None, **kw):
        tries.append(spec)
        if len(tries) % 4:
            raise DeviceError("no camera attached")
        return Davis("B", for_s=0.3)
    rc, said = run(Davis("B", for_s=0.3), open_again, tiny_ckpt, tmp_path, caplog, monkeypatch, "40",
                   reconnect_s=2.5)
    assert rc == 2, said[-10:]  # (ended by the limit: --exit-after-s ends with 0)
    assert sum("source reconnected" in m for m in said) >= 1, said[-20:]  # (said once: the same fault again is not)
    ends = [m for m in said if m.startswith(("the auto camera keeps dropping out: lost ",
                                             "the auto camera has not come back within"))]
    assert len(ends) == 1 and "keeps dropping out" in ends[0], said[-20:]
