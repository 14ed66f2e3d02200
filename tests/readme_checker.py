"""README's command lines, options and snippets, parsed, and checked against the parsers the
programs build: the checker the docs tests share."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import os
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from evfocus_live.cli.options import old_names

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"

#: heading of the Python section whose ```python blocks are executed
PYTHON_SECTION = "Use it from Python"


_OPTION = re.compile(r"^--?[A-Za-z][\w-]*")


_SPAN = re.compile(r"`([^`\n]+(?:\n[^`\n]+)*)`")  # an inline code span; never across a blank line


_SEPARATORS = {"&&", "||", ";", "|"}


_WRAPPERS = {"nice", "time", "torchrun", "timeout", "env", "sudo"}


#: other tools README shows: an option named after one of them is that tool's
_FOREIGN = {"pip", "pip3", "bash", "sh", "git", "torchrun", "pytest", "cmake", "make", "conda", "apt", "apt-get"}


@dataclass
class Snippet:
    """A piece of README that may hold a command line."""

    kind: str  # "heading", "block" (one line of a code block), "span" (inline code), "python"
    line: int  # 1-based line in README
    text: str
    comment: str = ""  # a code block line's "# ..." part
    para: int = 0  # paragraph number (blank-line separated; a heading is one)
    section: int = 0  # heading number


def snippets(text: str) -> list[Snippet]:
    """README's headings, code-block lines, inline code spans and ```python blocks, in order."""
    lines = text.splitlines()
    out: list[Snippet] = []
    prose = [""] * len(lines)  # the lines outside code blocks, blank inside them (keeps offsets)
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            lang = line.strip()[3:].strip()
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith("```"):
                j += 1
            body = lines[i + 1:j]
            if lang == "python":
                out.append(Snippet("python", i + 2, "\n".join(body)))
            else:
                out += [_block_line(b, i + 2 + k) for k, b in enumerate(body)]
            i = j + 1
            continue
        indented = line.startswith("    ") and line.strip() and (i == 0 or not lines[i - 1].strip()
                                                                   or (out and out[-1].kind == "block"
                                                                       and out[-1].line == i))
        if indented and not line.lstrip().startswith(("|", "-", "*")):
            out.append(_block_line(line, i + 1))
        else:
            prose[i] = line
            if line.startswith("#"):
                out.append(Snippet("heading", i + 1, line.lstrip("#").strip()))
        i += 1
    joined = "\n".join(prose)
    for m in _SPAN.finditer(joined):
        out.append(Snippet("span", joined.count("\n", 0, m.start()) + 1, " ".join(m.group(1).split())))
    # paragraph and section of each line: a blank line or a heading starts a new paragraph
    para, section, p, sec = [0] * (len(lines) + 2), [0] * (len(lines) + 2), 0, 0
    for n, line in enumerate(lines, start=1):
        if line.startswith("#") and prose[n - 1]:
            sec += 1
            p += 1
        elif line.strip() and (n == 1 or not lines[n - 2].strip() or lines[n - 2].startswith("#")):
            p += 1
        para[n], section[n] = p, sec
    for s in out:
        s.para, s.section = para[s.line], section[s.line]
    # spans were appended after everything else: restore document order (stable: headings first)
    order = {"heading": 0, "block": 1, "python": 1, "span": 2}
    return sorted(out, key=lambda s: (s.line, order[s.kind]))


def _block_line(line: str, lineno: int) -> Snippet:
    code, _, comment = line.partition(" #")
    return Snippet("block", lineno, code.strip(), comment)


@dataclass
class Command:
    """One command line: the program (``evfocus reconstruct``, ``evfocus-live``,
    ``bench/soak.py``, ``evfocus_live.train.average``) and the option tokens it uses."""

    program: str
    line: int
    options: list[tuple[str, str | None]] = field(default_factory=list)  # (option, the word after it)
    #: another tool's command (pip, bash, pytest ...): its options are not ours to check
    foreign: bool = False


def _tokens(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:  # an unbalanced quote in prose
        return text.split()


def _segments(tokens: list[str]) -> list[list[str]]:
    """Split at shell separators; a ``|`` inside ``[...]`` (a synopsis's alternatives) is not one."""
    segs, cur, depth = [], [], 0
    for tok in tokens:
        if depth == 0 and tok in _SEPARATORS:
            segs.append(cur)
            cur = []
            continue
        depth += tok.count("[") - tok.count("]")
        cur.append(tok)
    segs.append(cur)
    return [s for s in segs if s]


def _program_at(tokens: list[str], k: int) -> tuple[str, int] | None:
    """(program, index of its first argument) when ``tokens[k]`` starts one of our programs."""
    tok = tokens[k]
    base = tok.rsplit("/", 1)[-1]
    if base in ("evfocus", "evfocus-live"):
        return base, k + 1
    if re.fullmatch(r"python[\d.]*", base) and k + 1 < len(tokens):
        nxt = tokens[k + 1]
        if nxt == "-m" and k + 2 < len(tokens) and tokens[k + 2].startswith("evfocus_live"):
            # (the package itself runs `evfocus`: its __main__.py calls evfocus_live.cli.main)
            return ("evfocus" if tokens[k + 2] == "evfocus_live" else tokens[k + 2]), k + 3
        if nxt.startswith("bench/") and nxt.endswith(".py"):
            return nxt, k + 2
        return None
    if tok.startswith("bench/") and tok.endswith(".py"):
        return tok, k + 1
    return None


def _may_lead(tok: str) -> bool:
    """Whether ``tok`` may stand before one of our programs on a command line: a wrapper
    (``nice``, ``torchrun`` ...), an option of it or its value, or ``VAR=value``."""
    return (tok.rsplit("/", 1)[-1] in _WRAPPERS or tok.startswith("-")
            or re.fullmatch(r"\w+=\S*|\d+|N", tok) is not None)


def _foreign(seg: list[str]) -> str | None:
    """The tool a segment runs when it is another one (pip, bash, python -m venv ...)."""
    base = seg[0].rsplit("/", 1)[-1]
    if len(seg) > 1 and base not in _WRAPPERS and (base in _FOREIGN or re.fullmatch(r"python[\d.]*", base)):
        return base
    return None


def commands_in(snippet: Snippet) -> list[Command]:
    """The command lines of one code-block line or span (none in prose like `evfocus`)."""
    text = re.sub(r"\$\(which (\S+?)\)", r"\1", snippet.text)
    found = []
    for seg in _segments(_tokens(text)):
        hit = None
        for k in range(len(seg)):
            if k > 0 and not _may_lead(seg[k - 1]):
                break
            if (hit := _program_at(seg, k)) is not None:
                break
        if hit is None:
            if (tool := _foreign(seg)) is not None:
                found.append(Command(tool, snippet.line, foreign=True))
            continue
        program, first = hit
        args = [a.strip("[](),.;:") if a.startswith("[") or a.endswith(("]", ")", ",", ";")) else a
                for a in seg[first:]]
        args = [a for a in args if a]
        if program != "evfocus":
            found.append(Command(program, snippet.line, _options(args)))
        elif args:  # a bare `evfocus` is the model's name, or the program in prose
            sub = next((i for i, a in enumerate(args) if not a.startswith("-")), None)
            top = args if sub is None else args[:sub]
            if top or sub is None:  # `evfocus --version`, `evfocus -v info ...`
                found.append(Command("evfocus", snippet.line, _options(top)))
            if sub is not None:
                found.append(Command(f"evfocus {args[sub]}", snippet.line, _options(args[sub + 1:])))
    return found


def _options(args: list[str]) -> list[tuple[str, str | None]]:
    out = []
    for i, a in enumerate(args):
        m = _OPTION.match(a)
        if m and m.group(0) == a.split("=", 1)[0]:
            value = a.split("=", 1)[1] if "=" in a else (args[i + 1] if i + 1 < len(args) else None)
            out.append((m.group(0), value))
    return out


def _standalone_options(text: str) -> list[tuple[str, str | None]]:
    """Options in a span that names no program (`--window-ms`, `--speed 0`, `-o`)."""
    toks = [t.strip("[](),;") for t in text.split()]
    if not toks or not _OPTION.match(toks[0]):
        return []
    return _options([t for t in toks if t])


def _comment_options(comment: str) -> list[tuple[str, str | None]]:
    """Long options mentioned in a code line's comment (`# --data DIR ...`): that line's command's."""
    return [(o, v) for o, v in _options(comment.split()) if o.startswith("--")]


# --------------------------------------------------------------------------- the parsers
class _Captured(Exception):
    def __init__(self, parser):
        super().__init__("parser captured")
        self.parser = parser


def _capture_parser(main, monkeypatch) -> argparse.ArgumentParser:
    """The parser a ``main()`` builds: its ``parse_args`` is stopped before anything runs."""

    def stop(self, *a, **k):
        raise _Captured(self)

    with monkeypatch.context() as m:
        m.setattr(argparse.ArgumentParser, "parse_args", stop)
        m.setattr(argparse.ArgumentParser, "parse_known_args", stop)
        try:
            main([]) if inspect.signature(main).parameters else main()
        except _Captured as got:
            return got.parser
    raise AssertionError(f"{main.__module__}.main() returned without parsing arguments")


def _load_script(path: Path):
    """Import a bench script as a module, leaving the process as it was: the scripts set
    thread counts (``OMP_NUM_THREADS``, OpenCV's) and ``sys.path`` for their own runs."""
    env, path_before, cv2_threads = dict(os.environ), list(sys.path), cv2.getNumThreads()
    try:
        spec = importlib.util.spec_from_file_location(f"_s19_readme_{path.stem}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        os.environ.clear()
        os.environ.update(env)
        sys.path[:] = path_before
        cv2.setNumThreads(cv2_threads)


class Parsers:
    """The argparse parser of every program README may name, built as the programs build them."""

    def __init__(self, monkeypatch):
        from evfocus_live.cli import build_parser
        from evfocus_live.gui.app import build_parser as build_live_parser

        self.monkeypatch = monkeypatch
        top = build_parser()
        self.known: dict[str, argparse.ArgumentParser] = {"evfocus": top, "evfocus-live": build_live_parser()}
        for action in top._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    self.known[f"evfocus {name}"] = sub

    def get(self, program: str) -> argparse.ArgumentParser | str:
        """The parser, or why there is none."""
        if program in self.known:
            return self.known[program]
        if program.startswith("evfocus "):
            return f"`evfocus` has no subcommand {program.split()[1]!r}"
        if program.startswith("bench/"):
            path = REPO / program
            if not path.is_file():
                return f"no script {program}"
            mod = _load_script(path)
        else:
            try:
                mod = importlib.import_module(program)
            except ModuleNotFoundError:
                return f"no module {program}"
        if not callable(getattr(mod, "main", None)):
            return f"{program} has no main()"
        self.known[program] = _capture_parser(mod.main, self.monkeypatch)
        return self.known[program]


def _check_option(parser: argparse.ArgumentParser, program: str, opt: str, value: str | None) -> str | None:
    # (a renamed option's old name, taken in full: cli.options.add_old_name)
    action = parser._option_string_actions.get(old_names(parser).get(opt, opt))
    if action is None:
        return f"{program} has no option {opt}"
    if action.choices and value and not value.startswith("-") and not value.isupper():
        bad = [v for v in value.split("|") if v not in action.choices]
        if bad:
            return f"{program} {opt}: {', '.join(bad)} is not one of {', '.join(map(str, action.choices))}"
    return None


def readme_problems(text: str, parsers: Parsers) -> list[str]:
    """Every command, option or option value in ``text`` (README's markdown) that the code lacks.

    An option named on its own belongs to the last command named before it in its
    paragraph, else to the first of our commands its section names (the section's subject)."""
    problems: list[str] = []
    items = [(s, commands_in(s)) for s in snippets(text) if s.kind not in ("heading", "python")]
    subject: dict[int, str] = {}
    for s, cmds in items:
        for c in cmds:
            if not c.foreign:
                subject.setdefault(s.section, c.program)

    def check(program: str, opts, line: int) -> None:
        parser = parsers.get(program)
        if isinstance(parser, str):
            problems.append(f"README.md:{line}: {parser}")
            return
        for opt, value in opts:
            why = _check_option(parser, program, opt, value)
            if why:
                problems.append(f"README.md:{line}: {why}")

    last: tuple[int, Command] | None = None  # (paragraph, the last command named in it)
    for s, cmds in items:
        for c in cmds:
            if not c.foreign:
                check(c.program, c.options, c.line)
        if cmds:
            last = (s.para, cmds[-1])
            if s.comment and not cmds[-1].foreign:
                check(cmds[-1].program, _comment_options(s.comment), s.line)
            continue
        loose = _standalone_options(s.text) if s.kind == "span" else []
        if not loose:
            continue
        if last is not None and last[0] == s.para:
            if not last[1].foreign:
                check(last[1].program, loose, s.line)
        elif s.section in subject:
            check(subject[s.section], loose, s.line)
        else:
            problems.append(f"README.md:{s.line}: `{s.text}` names no command, and its section names none")
    return problems


def _section(text: str, heading: str) -> str:
    m = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^#+ )", text + "\n# end\n", re.S | re.M)
    assert m, f"README has no section {heading!r}"
    return m.group(1)
