"""Two signal holds (the trainer's optimiser step, the CLI's start-up imports) and two reader
log filters (``info``'s "may be nanoseconds" hint, ``readers_quiet``) were written twice; one
helper each now, with options: :func:`evfocus_live.cli.signals.held_signals` (which signals,
what a second one does) and ``readers_quiet(drop)`` (which reader records)."""

from __future__ import annotations

import logging
import signal

import pytest

from evfocus_live.cli.signals import held_signals
from evfocus_live.sources.base import readers_quiet


def test_a_second_ctrl_c_is_held_too_by_default_and_delivered_once():
    reached, said = [], []
    with pytest.raises(KeyboardInterrupt):
        with held_signals(on_held=said.append):
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)  # (the same Ctrl-C: "hold")
            reached.append("end of block")
    assert reached == ["end of block"] and said == [signal.SIGINT]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_second_deliver_lets_the_second_one_go_at_once():
    reached = []
    with pytest.raises(KeyboardInterrupt):
        with held_signals((signal.SIGINT, signal.SIGTERM), second="deliver"):
            signal.raise_signal(signal.SIGINT)
            reached.append("held")
            signal.raise_signal(signal.SIGINT)
            reached.append("went on")
    assert reached == ["held"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_only_the_signals_named_are_held_and_nested_holds_deliver_once():
    got = []
    prev = signal.signal(signal.SIGUSR1, lambda signum, frame: got.append(signum))
    try:
        with held_signals((signal.SIGUSR1,)):
            with held_signals((signal.SIGUSR1,)):
                signal.raise_signal(signal.SIGUSR1)
            assert got == []  # (the inner block gave it to the outer one, which holds it)
        assert got == [signal.SIGUSR1]
    finally:
        signal.signal(signal.SIGUSR1, prev)
    with pytest.raises(ValueError):
        with held_signals(second="twice"):
            pass


def test_readers_quiet_drops_only_the_records_its_test_picks(caplog):
    reader = logging.getLogger("evfocus_live.sources.test_reader")
    caplog.set_level(logging.INFO)
    with readers_quiet(lambda record: "hint" in record.getMessage()):
        reader.warning("a hint the caller says itself")
        reader.warning("damage at byte 10")
    with readers_quiet():
        reader.warning("quiet")
        reader.error("an error is said")
    assert [r.getMessage() for r in caplog.records] == ["damage at byte 10", "an error is said"]
