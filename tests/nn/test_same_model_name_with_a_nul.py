"""``same_model`` compares the viewer's remembered "vs" pick (read from its ini, which a user
may edit by hand) with the main model: a name holding a NUL character raised ValueError from
``os.path.samefile`` (only OSError was caught), a traceback at launch. Such a name is simply
not the same model."""

from evfocus_live.nn.registry import same_model


def test_a_name_with_a_nul_is_not_the_same_model():
    assert same_model("evfocus", "evfocus\x00.pt") is False
    assert same_model("e2vid", "e2vid") is True
