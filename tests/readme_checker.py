"""README's command lines, options and snippets, parsed: the checker the docs tests share."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field


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
