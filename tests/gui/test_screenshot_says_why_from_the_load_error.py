"""The screenshot script's "did not load" line takes its reason from the session's own record of
the load error (``LiveSession.load_errors``), not from the held log lines picked by the model's
name: an error whose text does not name the model (a device out of memory) came out as "see the
log", with the log held back and never shown."""

from __future__ import annotations

import pytest

from evfocus_live.errors import EvFocusError
from evfocus_live.gui import screenshot
from evfocus_live.pipeline import Pipeline


@pytest.mark.gui
def test_a_compare_error_that_does_not_name_the_model_is_the_line(qapp, tmp_path, capsys, monkeypatch):
    def no_room(self, name):
        raise EvFocusError("not enough memory on the device for a second model")
    monkeypatch.setattr(Pipeline, "set_compare", no_room)
    out = tmp_path / "shot.png"
    assert screenshot.main([str(out), "--compare", "e2vid", "--min-s", "0", "--min-frames", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{screenshot.PROG}: error: --compare 'e2vid' did not load: not enough memory on the "
                   "device for a second model"], err
    assert not out.exists()


@pytest.mark.gui
def test_a_model_error_that_does_not_name_the_model_is_the_line(qapp, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(Pipeline, "__init__", _failing_init(Pipeline.__init__))
    out = tmp_path / "shot.png"
    assert screenshot.main([str(out), "--model", "e2vid", "--min-s", "0", "--min-frames", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{screenshot.PROG}: error: --model 'e2vid' did not load: the weights are for another "
                   "input size"], err


def _failing_init(init):
    """Pipeline.__init__ that fails to load the model named e2vid (given by name, not object)."""
    def wrapped(self, source, window, model, *a, **kw):
        if kw.get("model_obj") is None and model.name == "e2vid":
            raise EvFocusError("the weights are for another input size")
        return init(self, source, window, model, *a, **kw)
    return wrapped
