"""``evaluate()`` from Python with one model name or one data path alone (not in a list).

Before, a bare string was iterated letter by letter: "model e given twice", then
"unknown model 'f'" for ``"firenet"``, and "data path not found: t" for a path.
"""

from __future__ import annotations

from conftest import DAVIS_FILE
from evfocus_live.train.evaluate import evaluate


def test_one_model_and_one_path_alone_are_taken():
    rep = evaluate("firenet", DAVIS_FILE, None, warmup=0, max_windows=2, progress=False)
    assert rep["models"] == ["firenet"]
    assert DAVIS_FILE.name in rep["markdown"]


def test_one_data_path_as_a_string():
    rep = evaluate(["firenet"], str(DAVIS_FILE), None, warmup=0, max_windows=2, progress=False)
    assert rep["models"] == ["firenet"]
