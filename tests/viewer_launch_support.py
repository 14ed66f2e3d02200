"""What ``evfocus-live ARGV`` opens its window with, the window itself not built: for tests of
what a launch reads from the viewer's remembered settings (``gui.app.run_window``)."""

from __future__ import annotations


def launched_with(monkeypatch, *argv: str):
    """The :class:`~evfocus_live.gui.window.ViewerOptions` ``evfocus-live ARGV`` builds its window
    from, through ``app.run_window`` as the command runs it (its QApplication made, if none)."""
    from evfocus_live.gui import app

    seen = {}

    def show(_app, _args, opts, _early, _main_window):
        seen["opts"] = opts
        return 0, None

    monkeypatch.setattr(app, "_show_window", show)
    args = app.build_parser().parse_args(list(argv))
    spec, window, model, post = app._configs(args)
    assert app.run_window(args, spec, window, model, post) == 0
    return seen["opts"]
