"""README and the model cards stay true to the code, the weights and each other.

tests/docs/test_readme.py checks README's options, Python examples, key table, tree tour and
model table. This adds what still drifted in silence: the names README's command lines give
(a camera, model or post-processor a reader copies), the files the docs point at, the
Python section's prose (the attributes and defaults it names), the cards' facts that come from
the weights (parameters, file size, storage, stages), and the numbers README, the cards and
models/EVALUATION.md each repeat.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from readme_checker import PYTHON_SECTION, commands_in, snippets

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
MODELS = REPO / "models"
SHIPPED = ("evfocus", "evfocus-full", "e2vid", "e2vid-full", "e2vid-sharp", "firenet")
SPLITS = ("mild", "moderate", "severe", "focus sweep", "all")


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    m = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^## )", text + "\n## end\n", re.S | re.M)
    assert m, f"no section {heading!r}"
    return m.group(1)


def _rows(text: str, bold: bool = False) -> list[list[str]]:
    """The cells of every Markdown table row in ``text`` (bold marks dropped unless ``bold``)."""
    return [[c.strip() if bold else c.strip().strip("*") for c in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("| ") and not line.startswith("|---")]


# --------------------------------------------------------------------------- names and paths
def _known_names() -> dict[str, set[str]]:
    """The names each option takes: the registered ones and those of the example plugins in
    plugins/ (README tells how to install them; CI does)."""
    import configparser

    from evfocus_live.plugins import MODELS as MODEL_GROUP
    from evfocus_live.plugins import POSTPROCESSORS, SOURCES, Registry

    names = {g: set(Registry(g).names()) for g in (SOURCES, MODEL_GROUP, POSTPROCESSORS)}
    for cfg in REPO.glob("plugins/*/setup.cfg"):
        parser = configparser.ConfigParser()
        parser.read(cfg, encoding="utf-8")
        for group, value in parser["options.entry_points"].items():
            if group in names:
                names[group] |= {line.split("=")[0].strip() for line in value.splitlines() if "=" in line}
    files = {n for n in Registry(SOURCES).names() if not getattr(Registry(SOURCES).load(n), "is_live", False)}
    return {"--camera": (names[SOURCES] - files) | {"auto"}, "--model": names[MODEL_GROUP],
            "--models": names[MODEL_GROUP], "--post": names[POSTPROCESSORS] | {"none"}}


def named_things_missing(text: str, known: dict[str, set[str]]) -> list[str]:
    """Values of --camera/--model/--models/--post in ``text``'s command lines that name nothing:
    a reader copies ``--camera labcam`` as it is. Placeholders (NAME, PATH) and checkpoint
    paths (``*.pt``) are not names."""
    bad = []
    for s in snippets(text):
        if s.kind not in ("block", "span"):
            continue
        for cmd in commands_in(s):
            if cmd.foreign:
                continue
            for opt, value in cmd.options:
                if opt not in known or not value or value.startswith("-"):
                    continue
                names = re.split(r"[|,]", value)
                if opt == "--post":  # median:ksize=5: options after the name
                    names = [n.partition(":")[0] for n in names]
                if opt == "--models":  # nargs="+": every word up to the next option
                    after = s.text.split("--models", 1)[1].split()
                    names = [w.strip("`[]") for w in after[:next((i for i, w in enumerate(after)
                                                                 if w.startswith("-")), len(after))]]
                for name in names:
                    if name and not name.isupper() and not name.endswith(".pt") and "/" not in name \
                            and name not in known[opt]:
                        bad.append(f"README.md:{s.line}: {cmd.program} {opt} {name}: no such name")
    return bad


def test_readme_commands_name_cameras_models_and_filters_that_exist():
    """``evfocus-live --camera labcam`` (the plugin section's made-up example) failed for a
    reader who copied it; the shipped example source is ``pattern``. CI installs the example
    plugins, so their names count."""
    problems = named_things_missing(_readme(), _known_names())
    assert not problems, "\n".join(problems)


def test_name_checker_catches_a_made_up_name():
    known = _known_names()
    bad = ("    evfocus-live --camera labcam --model integrator --post median\n"
           "`evfocus eval --models evfocus e2vid-tiny --data d`\n")
    problems = named_things_missing(bad, known)
    assert any("--camera labcam" in p for p in problems) and any("e2vid-tiny" in p for p in problems)
    good = "    evfocus-live --camera NAME --model runs/x/final.pt --post auto_hdr,unsharp|none\n"
    assert named_things_missing(good, known) == []


#: a path inside the repository, as the docs write it in backticks
_REPO_PATH = re.compile(r"`((?:models|bench|evfocus_live|docs|plugins|tests|\.ci)/[\w./{},-]*)`")


def _expand(path: str) -> list[str]:
    """``models/configs/{firenet,e2vid-sharp}-stage2.toml`` -> both paths."""
    m = re.search(r"\{([^{}]*)\}", path)
    if not m:
        return [path]
    return [p for alt in m.group(1).split(",") for p in _expand(path[:m.start()] + alt + path[m.end():])]


@pytest.mark.parametrize("doc", ["README.md", *sorted(p.relative_to(REPO).as_posix() for p in MODELS.glob("*.md"))])
def test_every_repository_path_the_docs_name_exists(doc):
    """README, the cards and EVALUATION.md point at configs, scripts and modules by path; a
    renamed or dropped file left them pointing at nothing."""
    text = (REPO / doc).read_text(encoding="utf-8")
    named = {p for m in _REPO_PATH.finditer(text) for p in _expand(m.group(1).rstrip("."))}
    assert named, f"{doc} names no path (the pattern is broken?)"
    missing = sorted(p for p in named if not (REPO / p).exists() and not (REPO / p.rstrip("/")).exists()
                     and not p.startswith("evfocus_live/_models")  # made by a non-editable install
                     and not re.search(r"/(NAME|OUT|RUN|DIR|FILE)(\.\w+)?$", p))  # a placeholder: models/NAME.pt
    assert not missing, f"{doc} names paths that are not there: {missing}"


# --------------------------------------------------------------------------- the Python section
def test_readme_python_prose_names_what_the_api_has():
    """The prose around the Python examples names FrameResult's fields, the Pipeline's
    attributes and the configs' defaults; each must be what the code has."""
    from evfocus_live import config, pipeline

    section = _section(_readme(), PYTHON_SECTION)
    prose = re.sub(r"```.*?```", "", section, flags=re.S)
    fields = {f.name for f in dataclasses.fields(pipeline.FrameResult)}
    # "a `FrameResult` also holds ... `aps_t_us`": every bare name in that sentence is a field
    holds = re.search(r"`FrameResult` also holds(.*?)`WindowConfig\(", prose, re.S)
    assert holds, "README no longer lists FrameResult's fields"
    listed = set(re.findall(r"`([a-z_]+)`", holds.group(1)))
    assert {"t_start_us", "sigma", "event_image", "infer_ms", "aps", "aps_t_us"} <= listed
    assert listed <= fields, listed - fields
    assert {"t_us", "defocus_px"} <= fields
    # pipe.X: a method or an attribute every Pipeline sets
    src = Path(pipeline.__file__).read_text(encoding="utf-8")
    for name in set(re.findall(r"pipe\.(\w+)", section)):
        assert hasattr(pipeline.Pipeline, name) or f"self.{name} =" in src, f"Pipeline has no {name}"
    # `XConfig`'s default `field="value"`
    defaults = re.findall(r"`(\w+Config)`'s default `(\w+)=\"(\w+)\"`", prose)
    assert defaults
    for cls, name, value in defaults:
        assert getattr(getattr(config, cls)(), name) == value, (cls, name)
    # the configs README builds in prose are valid
    x, y, w, h, n = 0, 0, 346, 260, 2
    for call in re.findall(r"`((?:Window|Model|Source|Post)Config\([^`]*\))`", prose):
        if "..." in call or "{...}" in call:
            call = call.replace("{...}", "{}")
        eval(call, {**vars(config), "x": x, "y": y, "w": w, "h": h, "n": n})  # raises if a field is wrong


# --------------------------------------------------------------------------- cards and weights
def _card(name: str) -> str:
    return (MODELS / f"{name}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SHIPPED)
def test_card_facts_are_the_weights(name):
    """What `python -m evfocus_live.train.card` writes from the checkpoint (parameter count,
    file size and storage, config, every stage's steps, time and hardware, the total, what was
    averaged or grafted, the sha256) is what the card says. A card edited by hand may add a
    note in parentheses after a generated line, no more."""
    from evfocus_live.nn.registry import read_checkpoint
    from evfocus_live.train import card as card_mod

    text = _card(name)
    lines = text.splitlines()
    m = re.search(r"^- config: `models/configs/([\w.-]+\.toml)`", text, re.M)
    assert m, f"{name}.md names no training config"
    pt = MODELS / f"{name}.pt"
    generated = card_mod._card_text(name, pt, pt, read_checkpoint(pt), MODELS / "configs" / m.group(1),
                                    None, name, "")
    bullets = [b for b in generated.splitlines() if b.startswith("- ")]
    assert any("parameters, file" in b for b in bullets) and any(b.startswith("- sha256:") for b in bullets)
    missing = []
    for b in bullets:
        cut = b.rsplit(" (", 1)[0] if b.endswith(")") else b
        if b not in lines and not any(line.startswith(cut) for line in lines):
            missing.append(b)
    assert not missing, f"{name}.md disagrees with {name}.pt:\n" + "\n".join(missing)


def _card_test_rows(name: str) -> dict[str, list[str]]:
    return {r[0]: r for r in _rows(_card(name)) if len(r) == 6 and r[1] == name and r[0] in SPLITS}


def _card_real_rows(name: str) -> list[list[str]]:
    return [[r[0], name, *r[1:]] for r in _rows(_card(name)) if len(r) == 8 and r[0].endswith((".aedat4", ".raw"))]


@pytest.mark.parametrize("name", SHIPPED)
def test_cards_and_evaluation_md_give_the_same_numbers(name):
    """models/EVALUATION.md's current tables (the held-out test set at the top, "Real
    recordings") hold each shipped model's rows exactly as its card does: the full models'
    real-recording rows there were still those of their fp16 weights before int8."""
    ev = (MODELS / "EVALUATION.md").read_text(encoding="utf-8")
    top = _rows(_section(ev, "Held-out synthetic test set (12 sequences, 346x260)"))
    real = _rows(_section(ev, "Real recordings (no reference)"))
    rows = _card_test_rows(name)
    assert set(rows) == set(SPLITS)
    for split, row in rows.items():
        assert row in top, f"EVALUATION.md's test table lacks {name}'s card row {row}"
    card_real = _card_real_rows(name)
    assert len(card_real) == 3
    for row in card_real:
        assert row in real, f"EVALUATION.md's real-recording table lacks {name}'s card row {row}"
    # one row per model and recording there: no stale second row for the same pair
    assert sum(1 for r in real if r[1] == name) == 3


def _near(printed: str, value: float) -> bool:
    """``printed`` is ``value`` rounded to the digits it shows."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(float(printed) - value) <= 0.5 * 10 ** -decimals + 1e-9


def _gt_row(split: str) -> list[str]:
    return next(r for r in _rows(_card("evfocus")) if r[:2] == [split, "defocused GT"])


def test_readme_test_table_is_the_cards():
    """README's held-out table (SSIM / MSE) rounds the cards' numbers, and its bold marks
    exactly the results above the defocused GT frame."""
    section = _section(_readme(), "Models")
    header = next(r for r in _rows(section) if r[:2] == ["split", "defocused GT frame"])
    assert header[2:] == ["evfocus", "e2vid", "evfocus-full", "e2vid-full", "e2vid-sharp", "firenet"]
    table = [r for r in _rows(section, bold=True) if r and r[0] in SPLITS]
    assert [r[0] for r in table] == list(SPLITS)
    for row in table:
        split = row[0]
        for name, cell in zip(header[1:], row[1:]):
            ref = _gt_row(split) if name == "defocused GT frame" else _card_test_rows(name)[split]
            ssim, mse = (c.strip().strip("*") for c in cell.split("/"))
            assert _near(ssim, float(ref[2])) and _near(mse, float(ref[3])), (split, name, cell, ref[2:4])
            if name != "defocused GT frame":
                above = float(ref[2]) > float(_gt_row(split)[2])
                assert cell.startswith("**") == above, (split, name, cell)


def test_readme_model_table_file_sizes_and_storage():
    """The model table's "(0.7 MB)", "(12.3 MB, int8)": the file's size, and how it is stored."""
    from evfocus_live.nn.registry import read_checkpoint

    section = _section(_readme(), "Models")
    found = re.findall(r"`models/([\w-]+)\.pt` \(([\d.]+) MB(?:, (\w+))?\)", section)
    assert {f[0] for f in found} == set(SHIPPED)
    for name, mb, storage in found:
        pt = MODELS / f"{name}.pt"
        assert _near(mb, pt.stat().st_size / 1e6), (name, mb, pt.stat().st_size)
        ck = read_checkpoint(pt)
        dtypes = {str(v.dtype) for v in ck["state_dict"].values() if v.is_floating_point()}
        kind = "int8" if ck.get("int8_scales") else "fp16" if dtypes == {"torch.float16"} else "fp32"
        assert (storage or "fp32") == kind, (name, storage, kind)


def test_reconstruct_overwrite_help_names_every_file_it_removes():
    """`evfocus reconstruct --overwrite` removes frames, blur maps and APS frames (README
    says so); its --help named only the first two."""
    import argparse

    from evfocus_live.cli import build_parser, reconstruct

    subs = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    help_text = subs.choices["reconstruct"]._option_string_actions["--overwrite"].help
    prefixes = re.search(r"\(([\w|]+)\)_", reconstruct._OUR_OUTPUT.pattern).group(1).split("|")
    assert set(prefixes) == {"frame", "blur", "aps"}
    for prefix in prefixes:
        assert f"{prefix}_*" in help_text, (prefix, help_text)
    assert "timestamps.txt" in help_text


def test_readme_reconstruct_examples_write_to_distinct_folders():
    """A reader pastes README's command list line by line: two `evfocus reconstruct` lines
    writing into one folder stopped at the second ("already holds reconstructed frames")."""
    outdirs: dict[str, int] = {}
    for s in snippets(_readme()):
        if s.kind != "block":
            continue
        for cmd in commands_in(s):
            if cmd.program == "evfocus reconstruct":
                out = dict(cmd.options).get("-o") or dict(cmd.options).get("--output")
                if out and not out.isupper() and "--overwrite" not in dict(cmd.options):
                    out = out.rstrip("/")
                    assert out not in outdirs, f"README.md:{s.line} and {outdirs[out]} both reconstruct into {out}/"
                    outdirs[out] = s.line
    assert len(outdirs) >= 2


#: a reference to a section by its title: see "Performance", ("Sixth session"), EVALUATION.md, "Twelfth session"
_SECTION_REF = re.compile(r'(?:see |\(|; |EVALUATION\.md, )"([A-Z][^"*]{3,})"')


@pytest.mark.parametrize("doc", ["README.md", *sorted(p.relative_to(REPO).as_posix() for p in MODELS.glob("*.md"))])
def test_sections_the_docs_refer_to_exist(doc):
    """`see "Performance"`, `("Sixth session")`: each names the start of a heading in README or
    models/EVALUATION.md; a renamed section left readers looking for it."""
    headings = [re.sub(r"^#+\s*", "", line) for p in (README, MODELS / "EVALUATION.md")
                for line in p.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    text = " ".join((REPO / doc).read_text(encoding="utf-8").split())  # a title may break across lines
    refs = set(_SECTION_REF.findall(text))
    missing = sorted(r for r in refs if not any(h.lower().startswith(r.lower()) for h in headings))
    assert not missing, f"{doc} refers to sections that do not exist: {missing}"
