"""An old report (no ``gt_data``) keeps the shipped test set's recipe line only when its 12
sequences fall three to a split as that set's do: 12 sequences over the same four folder
names in other numbers are someone's own data, which the card must not call seeds 100-402."""
from evfocus_live.train.card import SHIPPED_TEST_SET_TEXT, _test_set_text


def _report(counts):
    labels = [f"test_{split}/seq_{i:05d}.h5" for split, n in counts.items() for i in range(n)]
    return {"ground_truth": {"sequences": [{"sequence": lab} for lab in labels]}}


def test_three_a_split_is_the_shipped_set():
    assert _test_set_text(_report(dict(mild=3, moderate=3, severe=3, sweep=3))) == SHIPPED_TEST_SET_TEXT


def test_other_counts_over_the_same_folders_are_not():
    text = _test_set_text(_report(dict(mild=2, moderate=2, severe=6, sweep=2)))
    assert "seeds 100-102" not in text and text.startswith("12 sequences of the report")
