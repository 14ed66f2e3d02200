"""Pipeline arguments a script gets wrong, or writes as a Path: one clear line, or taken.

Before: ``Pipeline(Path("rec.aedat4"))`` was 'not an event source' (``open_source`` and
``SourceConfig`` take a Path), ``model=Path(...)`` 'PosixPath is not a model'; a dict for
``window`` an AttributeError ('dict' object has no attribute 'roi'), a tuple for ``post``
likewise; a bad ``ring_capacity`` numpy's ValueError; ``seek`` after ``close`` an
AttributeError from inside the AEDAT4 reader.
"""

from __future__ import annotations

import pytest

from conftest import DAVIS_FILE, REPO
from pipeline_support import NO_POST
from evfocus_live.config import WindowConfig
from evfocus_live.errors import ConfigError, InputError
from evfocus_live.pipeline import Pipeline

WINDOW = WindowConfig(mode="duration", window_ms=33)


def test_a_path_source_and_a_path_model_are_taken():
    with Pipeline(DAVIS_FILE, WINDOW, REPO / "models" / "firenet.pt", NO_POST) as pipe:
        assert pipe.source_size == (346, 260)
        assert [fr.index for fr in pipe.frames()] == [0, 1, 2, 3]


@pytest.mark.parametrize("kw, name", [
    (dict(window={"mode": "duration"}), "window"),
    (dict(window="duration"), "window"),
    (dict(post=("unsharp",)), "post"),
    (dict(ring_capacity=-1), "ring_capacity"),
    (dict(ring_capacity="big"), "ring_capacity"),
    (dict(max_backlog_windows="x"), "max_backlog_windows"),
])
def test_an_argument_of_the_wrong_kind_is_a_config_error(kw, name):
    with pytest.raises(ConfigError, match=f"Pipeline's {name} must be"):
        Pipeline(DAVIS_FILE, model="integrator", **kw)


def test_seek_after_close_says_the_source_is_closed():
    pipe = Pipeline(str(DAVIS_FILE), WINDOW, "integrator", NO_POST)
    pipe.close()
    with pytest.raises(InputError, match="closed"):
        pipe.seek(1633953691000000)


def test_set_window_set_post_and_set_model_take_the_same_kinds():
    from pathlib import Path

    from evfocus_live.config import PostConfig

    with Pipeline(DAVIS_FILE, WINDOW, "integrator", NO_POST) as pipe:
        with pytest.raises(ConfigError, match="set_window's window must be a WindowConfig"):
            pipe.set_window({"mode": "duration"})
        with pytest.raises(ConfigError, match="set_post's post must be a PostConfig"):
            pipe.set_post(("unsharp",))
        pipe.set_model(Path(REPO / "models" / "firenet.pt"))  # was 'PosixPath is not a model'
        assert pipe.model_cfg.name.endswith("firenet.pt")
        pipe.set_post(PostConfig(steps=("unsharp",)))
        assert len(list(pipe.frames())) == 4


def test_events_in_memory_are_refused_in_one_line_that_says_what_to_do():
    import numpy as np

    from evfocus_live.events import from_arrays

    ev = from_arrays(np.arange(1000) * 10, np.arange(1000) % 64, np.arange(1000) % 48, np.arange(1000) % 2)
    with pytest.raises(InputError) as err:
        Pipeline(ev)
    text = str(err.value)
    assert "\n" not in text and "np.savez" in text
    assert "array of shape 1000" in text and "(  10," not in text  # described, not the array's repr


def test_start_refuses_an_on_frame_that_is_not_callable():
    with Pipeline(DAVIS_FILE, WINDOW, "integrator", NO_POST) as pipe:
        with pytest.raises(TypeError, match="on_frame must be a function"):
            pipe.start(on_frame=[])
        assert not pipe.running
