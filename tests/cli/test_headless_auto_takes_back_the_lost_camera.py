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
    tries = []

    def open_again(spec, serial=None, **kw):  # away for two tries, back for 0.3 s, and again
        tries.append(spec)
        if len(tries) % 3:
            raise DeviceError("no camera attached")
        return Davis("B", 60)
    rc, said = run(Davis("B", 60), open_again, tiny_ckpt, tmp_path, caplog, monkeypatch, "10")
    assert rc == 2, said[-10:]  # (ended by the limit: --exit-after-s ends with 0)
    assert sum("source reconnected" in m for m in said) >= 1, said[-20:]
    ends = [m for m in said if m.startswith(("the auto camera keeps dropping out: lost ",
                                             "the auto camera has not come back within 1 s"))]
    assert len(ends) == 1, said[-20:]
