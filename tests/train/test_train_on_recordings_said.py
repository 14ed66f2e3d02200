"""`evfocus train my.toml --data ../shared/data` (the real recordings) was told to run
`evfocus simulate ../shared/data --sequences N`, into the recordings' folder; `--data
seq_00000.aedat4` (the simulator's own recording beside its .h5) failed with h5py's "file
signature not found". Both now say recordings have no ground truth to train on, where the
sequence is when it lies beside, and that recordings are for `evfocus eval`."""

from __future__ import annotations

import pytest

from evfocus_live.errors import InputError
from evfocus_live.train.dataset import list_sequences


def test_a_folder_of_recordings_is_not_simulated_into(tmp_path):
    for name in ("davis.aedat4", "street.raw"):
        (tmp_path / name).write_bytes(b"x")
    with pytest.raises(InputError) as exc:
        list_sequences(tmp_path)
    msg = str(exc.value)
    assert "davis.aedat4" in msg and "no ground-truth frames" in msg and f"simulate {tmp_path}" not in msg


def test_a_recording_beside_its_sequence_names_the_sequence(tmp_path):
    (tmp_path / "seq_00000.aedat4").write_bytes(b"x")
    (tmp_path / "seq_00000.h5").write_bytes(b"x")
    with pytest.raises(InputError) as exc:
        list_sequences(tmp_path / "seq_00000.aedat4")
    assert str(tmp_path / "seq_00000.h5") in str(exc.value)


def test_a_lone_recording_points_to_eval(tmp_path):
    (tmp_path / "spinner.raw").write_bytes(b"x")
    with pytest.raises(InputError, match="evfocus eval"):
        list_sequences(tmp_path / "spinner.raw")
