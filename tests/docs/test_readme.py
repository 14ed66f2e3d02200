"""README.md stays true: the commands and options it shows exist, its Python example runs,
and its key table, tree tour and model table match the code.

README is the user's manual and was rewritten by many hands; an option renamed in the code
(or mistyped in the text) used to survive until a user tried it. The command lines are read
from README's code blocks and inline code spans and checked against the argparse parsers the
programs build -- nothing is run. An option named on its own (`--at`) is checked against the
last command named before it in its paragraph, else against the first command its section
names (the section's subject), as a reader would take it.
"""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from conftest import DAVIS_FILE, REAL_FILES
from readme_checker import PYTHON_SECTION, README, REPO, Parsers, _section, commands_in, readme_problems, snippets



#: the file name README's Python example opens; the test substitutes a real recording
EXAMPLE_INPUT = "recording.aedat4"


@pytest.fixture
def parsers(monkeypatch):
    return Parsers(monkeypatch)


# --------------------------------------------------------------------------- tests
def test_readme_commands_and_options_exist(parsers):
    text = README.read_text(encoding="utf-8")
    problems = readme_problems(text, parsers)
    assert not problems, "README names what the code lacks:\n" + "\n".join(problems)
    # the extraction found what README shows (an extractor that finds nothing passes anything)
    programs = {c.program for s in snippets(text) for c in commands_in(s)}
    assert {"evfocus-live", "evfocus info", "evfocus reconstruct", "evfocus simulate", "evfocus train",
            "evfocus eval", "evfocus bench", "bench/soak.py", "evfocus_live.train.average"} <= programs


@pytest.mark.parametrize("bad, why", [
    ("    evfocus reconstruct rec.aedat4 -o out --no-such-option\n",
     "evfocus reconstruct has no option --no-such-option"),
    ("Run `evfocus-live --headless --fulscreen`.\n", "evfocus-live has no option --fulscreen"),
    ("`evfocus simulate OUT\n--sequences 2 [--psf gaussian|box]`\n", "--psf: box is not one of"),
    ("`python bench/soak.py --minutes 1 --hours 2`\n", "bench/soak.py has no option --hours"),
    ("`python -m evfocus_live.train.average OUT a.pt --ovewrite`\n", "has no option --ovewrite"),
    ("## A\n`evfocus info F`, then `--json` and `--window-ms 33`\n", "evfocus info has no option --window-ms"),
    ("## A\n`evfocus reconstruct F -o O`\n## B\nand `--at`\n", "names no command"),
    ("## A\n`evfocus-live F`\n\nthen `evfocus info F` and `--speed 2`\n", "evfocus info has no option --speed"),
    ("## A\n`evfocus info F`\n\nand `--speed 2`\n", "evfocus info has no option --speed"),
    ("    evfocus train c.toml   # --data DIR, --epochs N\n", "evfocus train has no option --epochs"),
    ("    evfocus recon F -o O\n", "no subcommand 'recon'"),
    ("`torchrun --nproc_per_node 2 $(which evfocus) train c.toml --resum`\n", "evfocus train has no option --resum"),
])
def test_checker_catches_what_the_code_lacks(parsers, bad, why):
    problems = readme_problems(bad, parsers)
    assert any(why in p for p in problems), problems


def test_checker_passes_what_exists(parsers):
    good = ("    evfocus-live --headless --camera sim --video out.mp4 --exit-after 10  # a comment\n"
            "`evfocus reconstruct INPUT... -o OUTDIR [--window-ms X | --at TS.txt]\n[--device auto|cpu|cuda]`, "
            "then `--overwrite`; `pip install evfocus-live[onnx]`; the model `evfocus`\n"
            "`evfocus --version`; `.venv/bin/pip install -e . && .venv/bin/evfocus-live --list-plugins`\n"
            "\n`pip install x`, with `--index-url U`; the viewer's `--speed 2` (first in the section)\n")
    assert readme_problems(good, parsers) == []


def _python_blocks(text: str) -> list[str]:
    blocks, inside = [], False
    for s in snippets(text):
        if s.kind == "heading":
            inside = s.text == PYTHON_SECTION
        elif s.kind == "python" and inside:
            blocks.append(s.text)
    return blocks


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    """The Python section's blocks, run as a user would paste them, on the DAVIS346 recording
    (0.13 s: four 33 ms windows, the last one partial)."""
    blocks = _python_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) == 2, f"expected the pipeline and the model-contract examples, found {len(blocks)}"
    monkeypatch.chdir(tmp_path)
    facts = REAL_FILES["davis346"]
    printed = []
    for code in blocks:
        assert f'"{EXAMPLE_INPUT}"' in code
        exec(compile(code.replace(EXAMPLE_INPUT, str(DAVIS_FILE)), "README.md python block", "exec"),
             {"__name__": "__main__"})
        printed.append(capsys.readouterr().out.splitlines())

    # 1. the pipeline: one line and one PNG per window, at the window ends (the last, partial
    # one cut just after its last event)
    rows = [line.split() for line in printed[0]]
    t_us = [int(r[1]) for r in rows]
    assert [int(r[0]) for r in rows] == [0, 1, 2, 3]
    assert t_us == [facts["t_first_us"] + 33_000 * (k + 1) for k in range(3)] + [facts["t_last_us"] + 1]
    assert sum(int(r[2]) for r in rows) == facts["events"]  # every event went into a window
    assert all(0.0 <= float(r[3]) <= 10.0 for r in rows)  # the defocus readout, px
    pngs = sorted(tmp_path.glob("frame_*.png"))
    assert [p.name for p in pngs] == [f"frame_{k:04d}.png" for k in range(4)]
    for p in pngs:
        img = cv2.imread(str(p), cv2.IMREAD_UNCHANGED)
        assert img.shape == (facts["height"], facts["width"]) and img.dtype == np.uint8
        assert img.std() > 5, f"{p.name} is flat"

    # 2. the model contract by hand: the same windows, the last frame saved (the slicer's own
    # flush keeps the partial window's full length: the pipeline cuts it after the last event)
    last = printed[1][-1]
    assert last.startswith(f"{facts['t_first_us'] + 4 * 33_000} ({facts['height']}, {facts['width']})"), last
    assert "'image'" in last and "'sigma'" in last
    img = cv2.imread(str(tmp_path / "last.png"), cv2.IMREAD_UNCHANGED)
    assert img.shape == (facts["height"], facts["width"]) and img.std() > 5


def test_readme_key_table_matches_the_viewer_shortcuts():
    """Every key the viewer binds (gui/window.py ``_build_shortcuts``) is in README's table,
    and README lists no key the viewer lacks."""
    src = (REPO / "evfocus_live" / "gui" / "window.py").read_text(encoding="utf-8")
    body = src[src.index("def _build_shortcuts"):]
    body = body[:body.index("\n    def ", 1)]
    names = {"Space": "space", "Left": "←", "Right": "→", "Up": "↑", "Down": "↓", "PageUp": "pgup",
             "PageDown": "pgdn", "Escape": "esc", "Period": "."}
    bound = {names.get(k, k.lower()) for k in re.findall(r"Qt\.Key\.Key_(\w+)", body)}
    table = [line for line in _section(README.read_text(encoding="utf-8"), "The viewer").splitlines()
             if line.startswith("| ") and not line.startswith(("| key", "|---"))]
    listed = set()
    for row in table:
        listed |= {k.strip().lower() for k in row.split("|")[1].split("/")}
    assert bound == listed


def test_readme_tree_tour_paths_exist():
    rows = re.findall(r"^\| `([^`]+)` \|", _section(README.read_text(encoding="utf-8"), "Tour of the tree"), re.M)
    assert len(rows) >= 10
    missing = [p for p in rows if not (REPO / p).exists()]
    assert not missing, f"README's tree tour names paths that are not there: {missing}"


def test_readme_model_table_matches_the_cards():
    """Names, parameter counts and weight files of README's model table are the cards'."""
    section = _section(README.read_text(encoding="utf-8"), "Models")
    rows = re.findall(r"^\| `([\w-]+)`[^|]*\|[^|]*\| ([\d,]+) \| `(models/[\w.-]+)`", section, re.M)
    assert {r[0] for r in rows} == {"evfocus", "evfocus-full", "e2vid", "e2vid-full", "e2vid-sharp", "firenet"}
    for name, params, weights in rows:
        assert weights == f"models/{name}.pt" and (REPO / weights).is_file()
        card = (REPO / "models" / f"{name}.md").read_text(encoding="utf-8")
        assert re.search(rf"^- arch `\w+`, {params} parameters", card, re.M), (name, params)
