"""Ctrl-C in the first seconds of a CLI run (imports): a traceback, death by SIGINT (-2) or an
abort (-6) instead of exit 130, or torch's "FakeTensor cache stats" lines after "interrupted".

A real Ctrl-C at a random moment is not a reliable test (signal timing); these raise SIGINT in
the process at the moment each case needs (measured by hand too: see the session report)."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from pathlib import Path

from conftest import make_events

import evfocus_live.cli as cli
from evfocus_live.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def test_torch_loggers_stay_quiet_below_warning_when_its_import_was_cut(monkeypatch):
    """An interrupted ``import torch`` never set its loggers' levels, so they followed ours
    (INFO) and its exit handler logged "FakeTensor cache stats" after "interrupted"."""
    for name, lg in list(logging.root.manager.loggerDict.items()):
        if name.split(".")[0] == "torch" and isinstance(lg, logging.Logger):
            monkeypatch.setattr(lg, "level", logging.NOTSET)  # as a cut import leaves them
    monkeypatch.setattr(logging.root, "level", logging.INFO)  # (basicConfig's, which pytest's handlers skip)
    cli.setup_logging()
    fake_tensor = logging.getLogger("torch._subclasses.fake_tensor")
    assert not fake_tensor.isEnabledFor(logging.INFO) and fake_tensor.isEnabledFor(logging.WARNING)


def test_ctrl_c_while_the_start_up_imports_run_is_one_line_and_130(monkeypatch, capsys):
    """Start-up runs to its end with the Ctrl-C held back, then stops: before, the
    KeyboardInterrupt left main() (a traceback and death by SIGINT)."""
    real, finished = cli.build_parser, []

    def build_parser():
        signal.raise_signal(signal.SIGINT)  # (as a Ctrl-C inside an import)
        parser = real()
        finished.append(True)
        return parser

    monkeypatch.setattr(cli, "build_parser", build_parser)
    assert cli.main(["info", "nothing.npy"]) == 130
    assert finished  # not cut in the middle
    assert capsys.readouterr().err.splitlines() == ["evfocus: interrupted"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_a_ctrl_c_that_came_back_as_an_error_is_still_an_interrupt(monkeypatch, tmp_path, capsys):
    """numba's import turned a Ctrl-C into an ImportError, so a source plugin failed to load and
    the command said "unknown event file format" (exit 2)."""
    import evfocus_live.cli.info as info

    def run(args):
        try:
            signal.raise_signal(signal.SIGINT)
            sum(range(10))  # (the handler runs between bytecodes)
        except KeyboardInterrupt:
            raise InputError(f"{args.input}: unknown event file format (supported: )") from None
        return 0

    monkeypatch.setattr(info, "run", run)
    assert cli.main(["info", str(tmp_path / "x.npy")]) == 130
    assert capsys.readouterr().err.splitlines() == ["evfocus info: interrupted"]


def test_ctrl_c_inside_an_exec_still_exits_130(tmp_path):
    """CPython (3.11-3.13) marks a KeyboardInterrupt that left an ``exec`` of a string (a
    namedtuple or dataclass made while a module is imported) as unhandled, and under ``python -m``
    killed the process with SIGINT at exit (-2) though main() had caught it and returned 130."""
    import numpy as np

    p = tmp_path / "e.npy"
    np.save(p, make_events(100, 64, 48))
    pkg = tmp_path / "cut_in_exec"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "__main__.py").write_text(
        "import sys\n"
        "import evfocus_live.cli as cli, evfocus_live.cli.info as info\n"
        "def run(args):\n"
        "    exec('import os, signal\\nos.kill(os.getpid(), signal.SIGINT)\\nsum(range(10))')\n"
        "info.run = run\n"
        f"sys.exit(cli.main(['info', {str(p)!r}]))\n")
    r = subprocess.run([sys.executable, "-m", "cut_in_exec"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=120, env={"PYTHONPATH": f"{ROOT}:{tmp_path}", "PATH": "/usr/bin:/bin"})
    assert r.returncode == 130, (r.returncode, r.stderr[-2000:])  # before: -2
    assert r.stderr.splitlines() == ["evfocus info: interrupted"], r.stderr


def test_ctrl_c_inside_a_held_import_lets_it_finish(monkeypatch, tmp_path, capsys):
    """torch's import cut by a Ctrl-C aborted the process (pybind11, -6) or left it half-made:
    it now runs to its end, then the command stops with one line and 130; no import ahead of
    need (an early error stays quick)."""
    import evfocus_live.cli.info as info

    pkg = tmp_path / "heavy_stand_in"
    pkg.mkdir()
    done = tmp_path / "finished"
    (pkg / "__init__.py").write_text("import signal\nsignal.raise_signal(signal.SIGINT)\n"
                                     f"x = sum(range(1000))\nopen({str(done)!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "HELD_IMPORTS", ("heavy_stand_in",))
    monkeypatch.delitem(sys.modules, "heavy_stand_in", raising=False)

    def run(args):
        import heavy_stand_in  # noqa: F401
        return 0

    monkeypatch.setattr(info, "run", run)
    assert cli.main(["info", "x.npy"]) == 130
    assert done.exists()  # its last line ran: not cut in the middle
    assert capsys.readouterr().err.splitlines() == ["evfocus info: interrupted"]
    assert not any(isinstance(f, cli._HeldImports) for f in sys.meta_path)  # taken out again
