"""A training sequence with no events (a flat or static scene: `simulate --images` of a blank
picture, a contrast threshold above every change) trained the model to draw a picture from
empty voxel grids, with no word said. Building the training set now warns, naming them."""

from __future__ import annotations

import logging

import numpy as np

from evfocus_live.train.dataset import Sequence, SequenceDataset


def _seq(name: str, n_events: int) -> Sequence:
    n, h, w = 6, 8, 10
    counts = np.full(n, n_events // n, np.int64)
    vox = np.zeros((n, 5, h, w), np.float16)
    if n_events:
        vox[:, :, 2, 3] = 1
    frames = np.full((n, h, w), 128, np.uint8)
    return Sequence(name, vox, frames, frames, np.zeros((n, h, w), np.float16), np.arange(1, n + 1) * 1000,
                    False, counts)


def test_sequences_without_events_are_named(caplog):
    with caplog.at_level(logging.WARNING):
        SequenceDataset([_seq("seq_00000", 600), _seq("seq_00001", 0), _seq("seq_00002", 0)], seq_len=2)
    said = [r.getMessage() for r in caplog.records if "no events" in r.getMessage()]
    assert len(said) == 1 and "2 of 3" in said[0] and "seq_00001, seq_00002" in said[0], said


def test_sequences_with_events_say_nothing(caplog):
    with caplog.at_level(logging.WARNING):
        SequenceDataset([_seq("seq_00000", 600), _seq("seq_00001", 6)], seq_len=2)
    assert not [r for r in caplog.records if "no events" in r.getMessage()]
