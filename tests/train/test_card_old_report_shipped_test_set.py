"""A card regenerated from a report written before ``evfocus eval`` recorded its data
(``gt_data``) keeps the shipped test set's recipe when the report scored that set, and says
it cannot tell otherwise."""
from evfocus_live.train.card import SHIPPED_TEST_SET_TEXT, _test_set_text


def _report(labels):
    return {"ground_truth": {"sequences": [{"sequence": lab, "split": "severe"} for lab in labels]}}


def test_an_old_report_of_the_shipped_test_set_keeps_its_recipe():
    labels = [f"test_{s}/seq_{i:05d}.h5" for s in ("mild", "moderate", "severe", "sweep") for i in range(3)]
    assert _test_set_text(_report(labels)) == SHIPPED_TEST_SET_TEXT
    assert "seeds 100-102" in SHIPPED_TEST_SET_TEXT


def test_an_old_report_of_other_data_does_not_claim_the_recipe():
    labels = [f"mine/seq_{i:05d}.h5" for i in range(12)]
    text = _test_set_text(_report(labels))
    assert "seeds 100-102" not in text and text.startswith("12 sequences of the report")
    fewer = [f"test_{s}/seq_{i:05d}.h5" for s in ("mild", "moderate", "severe", "sweep") for i in range(2)]
    assert "seeds 100-102" not in _test_set_text(_report(fewer))


def test_a_report_with_gt_data_describes_it():
    report = {"gt_data": [{"folder": "data_sim/val", "sequences": 4, "resolution": "346x260", "duration_s": 1.5,
                           "seeds": [500, 501, 502, 503], "sigma_range": [4, 7]}]}
    text = _test_set_text(report)
    assert "`data_sim/val`: 4 sequences at 346x260" in text and "seeds 500-503" in text
