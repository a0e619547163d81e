r"""Run every code block of the README and ``docs/*.md`` and check it shows the truth.

Each Markdown file is one session, in a fresh temporary directory that holds copies of the
repository's ``seeds/`` and ``examples/`` (so the examples' relative paths work as they do in
a checkout, and no example can change the repository), with the repository on
``PYTHONPATH`` (``python -m tests.support.tei_schema`` works). The blocks run in the order
they appear:

* ``python`` blocks run in one Python process per file, statement by statement, as a user
  would run them (their imports and registrations never reach the test process). A bare
  expression whose comment is a Python literal (``draft.metadata.date  # '1950-10-04'``, or
  a comment line just after it) must evaluate to that literal; comment lines just after a
  statement that printed something are that output (``...`` elides, as below).
* ``bash`` (``sh``, ``shell``, ``console``) blocks: every command must succeed. A line that
  is one ``collatio ...`` command (optionally ``> FILE``) runs in this process through
  :func:`collatio.cli.main`; any other line runs in ``bash``, with the environment's
  ``collatio`` and ``python`` first on ``PATH``. ``pip install`` lines are not run: the test
  environment is what they make. A line that runs ``pytest`` (the suite cannot run itself)
  or starts a process in the background (``&``) is an error: such a block is not-run.
* ``toml`` and ``json`` blocks must parse; so must ``xml`` (as a fragment).

HTML comments just before a block (blank lines between are fine) say more:

``<!-- file: NAME -->``
    the block is the file NAME in the session directory, written before anything runs;
``<!-- setup: SCRIPT -->``
    run SCRIPT (bash, over several lines if need be: heredocs, loops) before the block;
``<!-- check: SCRIPT -->``
    run SCRIPT (bash) where the block stands, which must succeed: what shows that a ``file``
    is right (``collatio parse --manifest it.toml``, ``lualatex it.tex``);
``<!-- output -->``
    the block is what the block before it printed (standard output, then standard error);
``<!-- output of: COMMANDS -->``
    the block is what COMMANDS print;
``<!-- exit: N -->``
    the commands of the block (or of its ``output of``) end with status N, not 0;
``<!-- compare: MODE -->``
    how an output is compared: ``lines`` (the default: line by line from the first to the
    last, trailing spaces ignored); ``unindented`` (the same, leading spaces and blank lines
    ignored too); ``excerpt`` (as ``unindented``, but the lines may stand anywhere in the
    output); ``wrapped`` (whitespace folded: the shown text lies in the output, its pieces
    between ``...`` in order); ``json`` (the shown JSON is part of the output's: every key
    shown has the value shown, a list's items match later and later items, a space in a
    string any whitespace);
``<!-- paths -->``
    every line starts with a path that exists in the repository;
``<!-- synopsis -->``
    every option shown for a ``collatio COMMAND`` is in that command's ``--help``;
``<!-- not-run: REASON -->``
    the block is not run, for REASON (which must be given). Used sparingly.

In an output, a line ``...`` (or ``…``) stands for any number of lines, and ``...`` inside
a line for any text on it (in ``json``: a string ``"..."`` is any value, a key ``"..."``
any further keys, a list item ``"..."`` any further items). A block in no language with no
comment saying what it is is an error: every block must be accounted for.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tokenize
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import lxml.etree

from tests.support import tools

ROOT = Path(__file__).resolve().parents[2]
#: What each session directory holds a copy of (``tests`` is importable: PYTHONPATH).
COPIED = ("seeds", "examples")
KEYS = ("file", "setup", "check", "output of", "output", "exit", "compare", "paths",
        "synopsis", "not-run")
MODES = ("lines", "unindented", "excerpt", "wrapped", "json")
PYTHON = ("python", "py", "python3")
SHELL = ("bash", "sh", "shell", "console")
TIMEOUT = 600
ELLIPSES = ("...", "…")

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)(?P<info>[^`]*)$")
_COMMENT = re.compile(r"<!--\s*(?P<body>.*?)\s*-->", re.S)


@attrs.frozen
class Block:
    """One fenced code block: where it is, its language, its text, what its comments say."""

    path: Path
    line: int
    info: str
    text: str
    directives: dict[str, str]

    @property
    def where(self) -> str:
        try:
            name = self.path.relative_to(ROOT)
        except ValueError:
            name = self.path
        return f"{name}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of the Markdown file *path*, with the directives before each."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    pending: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        opening = _FENCE.match(line)
        if opening:
            indent, fence = len(opening["indent"]), opening["fence"]
            body: list[str] = []
            j = i + 1
            while j < len(lines) and not re.match(rf"^ {{0,{indent + 3}}}{fence}\s*$",
                                                  lines[j]):
                body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
                j += 1
            found.append(Block(path, i + 1, opening["info"].strip().split(" ")[0].lower(),
                               "\n".join(body) + "\n" if body else "", pending))
            pending = {}
            i = j + 1
            continue
        if line.lstrip().startswith("<!--"):
            j = i
            while "-->" not in lines[j] and j + 1 < len(lines):
                j += 1
            comment = _COMMENT.search("\n".join(lines[i : j + 1]))
            if comment:
                key, value = _directive(comment["body"])
                if key:
                    pending = {**pending, key: value}
            i = j + 1
            continue
        if line.strip():
            pending = {}  # prose between a comment and a block: the comment is not its own
        i += 1
    return found


def _directive(body: str) -> tuple[str | None, str]:
    for key in KEYS:  # "output of" before "output"
        if body == key or body.startswith(key + ":"):
            return key, body[len(key) + 1 :].strip()
    return None, ""


# --- matching what a block shows ---------------------------------------------------------------


def _line_pattern(line: str) -> str:
    pieces = re.split(r"\.\.\.|…", line)
    return "[^\n]*".join(re.escape(piece) for piece in pieces)


def compare(shown: str, produced: str, mode: str = "lines") -> str | None:
    """None if *produced* is what *shown* shows (under *mode*), else what differs."""
    if mode == "json":
        return _compare_json(shown, produced)
    if mode == "wrapped":
        flat = " ".join(produced.split())
        position = 0
        for piece in re.split(r"\.\.\.|…", " ".join(shown.split())):
            piece = piece.strip()
            found = flat.find(piece, position)
            if found < 0:
                return f"not in the output (whitespace folded): {piece!r}"
            position = found + len(piece)
        return None
    strip = str.rstrip if mode == "lines" else str.strip
    want = [strip(line) for line in shown.strip("\n").splitlines()]
    have = [strip(line) for line in produced.strip("\n").splitlines()]
    if mode != "lines":
        want, have = [w for w in want if w], [h for h in have if h]
    if mode == "excerpt":
        want = ["...", *want, "..."]
    text = "".join(line + "\n" for line in have)

    def pattern(lines: Sequence[str]) -> str:
        return "".join(r"(?:[^\n]*\n)*?" if line.strip() in ELLIPSES
                       else _line_pattern(line) + "\n" for line in lines)

    if re.fullmatch(pattern(want), text):
        return None
    for k in range(1, len(want) + 1):  # the first shown line that cannot be matched
        if not re.match(pattern(want[:k]), text):
            before = next((w for w in reversed(want[: k - 1]) if w.strip() not in ELLIPSES),
                          None)
            near = ""
            if before is not None:
                hits = [n for n, h in enumerate(have) if re.fullmatch(_line_pattern(before), h)]
                if hits:
                    near = "; the output goes on: " + " | ".join(have[hits[0] + 1 : hits[0] + 4])
            return f"shown line {k} is not in the output there: {want[k - 1]!r}{near}"
    return f"the output goes on after the last line shown: {have[len(want):][:3]!r}"


def _compare_json(shown: str, produced: str) -> str | None:
    try:
        expected = json.loads(shown)
    except ValueError as error:
        return f"the block is not JSON: {error}"
    try:
        actual = json.loads(produced)
    except ValueError as error:
        return f"the output is not JSON: {error}"
    return _json_part(expected, actual, "$")


def _json_part(expected: Any, actual: Any, where: str) -> str | None:
    if isinstance(expected, str) and expected in ELLIPSES:
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}: an object is shown, the output has {type(actual).__name__}"
        for key, value in expected.items():
            if key in ELLIPSES:
                continue
            if key not in actual:
                return f"{where}: no key {key!r} in the output (it has {sorted(actual)})"
            if (problem := _json_part(value, actual[key], f"{where}.{key}")) is not None:
                return problem
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{where}: a list is shown, the output has {type(actual).__name__}"
        position = 0
        for n, item in enumerate(expected):
            if isinstance(item, str) and item in ELLIPSES:
                continue
            while position < len(actual) and _json_part(item, actual[position], where):
                position += 1
            if position == len(actual):
                # the nearest miss: the item that matched deepest before it differed
                misses = [_json_part(item, got, f"{where}[{i}]") or "" for i, got in
                          enumerate(actual)]
                nearest = max(misses, key=lambda miss: len(miss.split(": ")[0]),
                              default="it is empty")
                return f"{where}: shown item {n} matches no later item of the output ({nearest})"
            position += 1
        return None
    if isinstance(expected, str) and isinstance(actual, str):
        # "..." is any text; a space shown is any run of whitespace (a text's line breaks)
        pieces = [r"\s+".join(map(re.escape, piece.split(" ")))
                  for piece in re.split(r"\s*(?:\.\.\.|…)\s*", expected)]
        if re.fullmatch(r"\s*(?:.*?)\s*".join(pieces), actual, re.S):
            return None
        return f"{where}: {expected!r} is shown, the output has {actual[:80]!r}"
    if expected != actual or type(expected) is not type(actual):
        return f"{where}: {expected!r} is shown, the output has {actual!r}"
    return None


# --- running ---------------------------------------------------------------------------------


@attrs.define
class Ran:
    """What a block's commands printed, and how they ended."""

    output: str = ""
    status: int = 0
    #: the command that failed, if one did
    failed: str = ""


def _logical_lines(text: str) -> list[str]:
    out: list[str] = []
    current = ""
    for raw in text.splitlines():
        current += raw
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        if current.strip():
            out.append(current.strip())
        current = ""
    if current.strip():
        out.append(current.strip())
    return out


def _in_process(line: str) -> tuple[list[str], str | None] | None:
    """``(argv, redirect)`` when *line* is one plain ``collatio`` command, else None."""
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        words = list(lexer)
    except ValueError:
        return None
    if not words or words[0] != "collatio":
        return None
    redirect = None
    if len(words) >= 3 and words[-2] == ">":
        redirect, words = words[-1], words[:-2]
    if any(set(word) <= set("|&;<>()") for word in words):
        return None
    return words[1:], redirect


class Session:
    """One Markdown file's run: its directory, its Python process, the last output."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        for name in COPIED:  # copies: no command of a doc can change the repository
            shutil.copytree(ROOT / name, directory / name)
        bin_dir = str(Path(sys.executable).parent)
        self.env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
                    "NO_COLOR": "1", "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
        self.env.pop("FORCE_COLOR", None)
        self.python: subprocess.Popen[str] | None = None

    # commands

    def commands(self, text: str) -> Ran:
        """Run a bash block's lines in order; stop at the first that fails."""
        ran = Ran()
        for line in _logical_lines(text):
            if line.startswith("#") or re.match(r"pip3? install\b", line):
                continue
            one = self._one(line)
            ran.output += one.output
            ran.status = one.status
            if one.status:
                ran.failed = f"{line!r}: {one.output[-600:]}"
                break
        return ran

    def script(self, text: str) -> Ran:
        """Run *text* as one bash script (a setup: heredocs and loops allowed)."""
        _require_tools(text.split())
        return self._bash(["-e", "-o", "pipefail", "-c", text])

    def _bash(self, args: list[str]) -> Ran:
        """bash with *args* in the session directory, in a process group of its own, so that
        on a timeout nothing it started is left running."""
        process = subprocess.Popen(["bash", *args], cwd=self.directory, env=self.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, text=True, start_new_session=True)
        try:
            output, _ = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            output, _ = process.communicate()
            return Ran(output + f"\n(killed after {TIMEOUT} s)\n", 124)
        return Ran(output, process.returncode)

    def _one(self, line: str) -> Ran:
        plain = _in_process(line)
        _require_tools(line.split()[:1])
        if plain is None:
            if re.search(r"\bpytest\b", line):
                return Ran(f"{line!r} runs the test suite, which cannot run itself: mark the "
                           "block <!-- not-run: ... -->\n", 125)
            if re.search(r"(?<![&|])&\s*(#.*)?$", line):
                return Ran(f"{line!r} starts a process in the background: mark the block "
                           "<!-- not-run: ... -->\n", 125)
            return self._bash(["-o", "pipefail", "-c", line])
        from collatio.cli import main

        argv, redirect = plain
        out, err = io.StringIO(), io.StringIO()
        with _cwd(self.directory), _environment(NO_COLOR="1", FORCE_COLOR=None):
            status = main(argv, stdout=out, stderr=err)
        if redirect is not None:
            (self.directory / redirect).write_text(out.getvalue(), encoding="utf-8")
            return Ran(err.getvalue(), status)
        return Ran(out.getvalue() + err.getvalue(), status)

    # python

    def run_python(self, source: str, where: str) -> tuple[str, list[str]]:
        """Run *source* in this file's Python process: what it printed, what it got wrong."""
        if self.python is None:
            self.python = subprocess.Popen(
                [sys.executable, "-c", "from tests.support.docblocks import serve; serve()"],
                cwd=self.directory, env=self.env, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True,
            )
        assert self.python.stdin is not None and self.python.stdout is not None
        self.python.stdin.write(json.dumps({"source": source, "where": where}) + "\n")
        self.python.stdin.flush()
        reply = self.python.stdout.readline()
        if not reply:
            return "", [f"{where}: the Python process died"]
        answer = json.loads(reply)
        return answer["output"], answer["problems"]

    def close(self) -> None:
        if self.python is not None:
            with contextlib.suppress(OSError):
                assert self.python.stdin is not None
                self.python.stdin.close()
            try:
                self.python.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.python.kill()
                self.python.wait()
            if self.python.stdout is not None:
                self.python.stdout.close()


def _require_tools(words: Sequence[str]) -> None:
    """Skip the test (fail it under CI) if a word names a missing real tool's executable."""
    for key, tool in tools.TOOLS.items():
        if any(word in tool.executables and shutil.which(word) is None for word in words):
            tools.require(key)


@contextlib.contextmanager
def _cwd(directory: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _environment(**values: str | None) -> Iterator[None]:
    before = {key: os.environ.get(key) for key in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# --- the Python side ---------------------------------------------------------------------------


def serve() -> None:
    """The per-file Python process: each line of standard input is a block to run in one
    shared namespace; each reply one line of JSON (what it printed, what was wrong)."""
    protocol = sys.stdout
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for request in sys.stdin:
        block = json.loads(request)
        output, problems = _run_block(block["source"], block["where"], namespace)
        protocol.write(json.dumps({"output": output, "problems": problems}) + "\n")
        protocol.flush()


def _comments(source: str) -> dict[int, str]:
    """Line number -> the text of the comment that ends that line (``#`` dropped)."""
    found: dict[int, str] = {}
    with contextlib.suppress(tokenize.TokenError, SyntaxError):
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                found[token.start[0]] = token.string[1:].strip()
    return found


def _run_block(source: str, where: str, namespace: dict[str, Any]) -> tuple[str, list[str]]:
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return "", [f"{where}: not Python: {error}"]
    lines = source.splitlines()
    comments = _comments(source)
    everything = io.StringIO()
    problems: list[str] = []
    for n, statement in enumerate(tree.body):
        end = statement.end_lineno or statement.lineno
        following = []  # comment lines right after the statement
        nxt = tree.body[n + 1].lineno if n + 1 < len(tree.body) else len(lines) + 1
        for number in range(end + 1, nxt):
            text = lines[number - 1].strip()
            if not text.startswith("#"):
                break
            following.append(text[1:].strip())
        printed = io.StringIO()
        value: Any = None
        try:
            with contextlib.redirect_stdout(printed):
                if isinstance(statement, ast.Expr):
                    code = compile(ast.Expression(statement.value), where, "eval")
                    value = eval(code, namespace)
                else:
                    module = ast.Module(body=[statement], type_ignores=[])
                    exec(compile(module, where, "exec"), namespace)
        except Exception as error:
            problems.append(f"{where} (block line {statement.lineno}): "
                            f"{type(error).__name__}: {error}")
            everything.write(printed.getvalue())
            break
        everything.write(printed.getvalue())
        line = f"{where} (block line {statement.lineno})"
        if printed.getvalue() and following:
            if (problem := compare("\n".join(following), printed.getvalue())) is not None:
                problems.append(f"{line}: the comments after it are not what it printed: "
                                f"{problem}")
        elif isinstance(statement, ast.Expr):
            for shown in (comments.get(end), " ".join(following) if following else None):
                if shown is None:
                    continue
                try:
                    literal = ast.literal_eval(shown)
                except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    continue  # a comment in words, not a value
                if literal != value:
                    problems.append(f"{line}: shows {shown}, but it is {value!r}")
    return everything.getvalue(), problems


# --- a file's session ------------------------------------------------------------------------


def check_file(path: Path) -> list[str]:
    """Every problem with the code blocks of the Markdown file *path* (none: all true)."""
    found = blocks(path)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="collatio-docs-") as temp:
        session = Session(Path(temp))
        try:
            for block in found:
                if "file" in block.directives:
                    target = Path(temp) / block.directives["file"]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(block.text, encoding="utf-8")
            last = Ran()
            for block in found:
                last = _check_block(block, session, last, problems)
        finally:
            session.close()
    return problems


def _check_block(block: Block, session: Session, last: Ran, problems: list[str]) -> Ran:
    said = block.directives
    if "not-run" in said:
        if not said["not-run"]:
            problems.append(f"{block.where}: not-run needs a reason")
        return last
    if "setup" in said:
        ran = session.script(said["setup"])
        if ran.status:
            problems.append(f"{block.where}: its setup failed ({ran.status}): {ran.output}")
            return last
    expected_status = int(said.get("exit", "0"))
    mode = said.get("compare", "lines")
    if mode not in MODES:
        problems.append(f"{block.where}: unknown compare mode {mode!r} ({', '.join(MODES)})")
        return last
    if "output of" in said or "output" in said:
        ran = session.commands(said["output of"]) if "output of" in said else last
        if "output of" in said and ran.status != expected_status:
            problems.append(f"{block.where}: {said['output of']!r} ended with status "
                            f"{ran.status}, not {expected_status}: "
                            f"{ran.failed or ran.output[-600:]}")
        elif (problem := compare(block.text, ran.output, mode)) is not None:
            problems.append(f"{block.where}: {problem}")
        return ran
    if "paths" in said:
        for line in block.text.splitlines():
            if line.strip() and not (ROOT / line.split()[0]).exists():
                problems.append(f"{block.where}: {line.split()[0]} is not in the repository")
        return last
    if "synopsis" in said:
        problems.extend(_check_synopsis(block))
        return last
    if "file" in said or "check" in said:
        # a file was written before the session ran; its check (or what reads it) runs it
        if "check" in said:
            ran = session.script(said["check"])
            if ran.status:
                problems.append(f"{block.where}: its check failed ({ran.status}): "
                                f"{ran.output[-600:]}")
        if "file" not in said:
            problems.extend(_check_data(block))
        return last
    if block.info in PYTHON:
        output, wrong = session.run_python(block.text, block.where)
        problems.extend(wrong)
        return Ran(output)
    if block.info in SHELL:
        ran = session.commands(block.text)
        if ran.status != expected_status:
            problems.append(f"{block.where}: ended with status {ran.status}, not "
                            f"{expected_status}: {ran.failed or ran.output[-600:]}")
        return ran
    problems.extend(_check_data(block))
    return last


def _check_data(block: Block) -> list[str]:
    try:
        if block.info == "toml":
            tomllib.loads(block.text)
        elif block.info == "json":
            json.loads(block.text)
        elif block.info == "xml":
            lxml.etree.fromstring(f"<fragment>{block.text}</fragment>".encode())
        else:
            return [f"{block.where}: a block in {block.info or 'no language'}: say what it is "
                    f"(<!-- output -->, <!-- output of: ... -->, <!-- not-run: why -->, ...)"]
    except (ValueError, lxml.etree.XMLSyntaxError) as error:
        return [f"{block.where}: not {block.info}: {error}"]
    return []


def _check_synopsis(block: Block) -> list[str]:
    from collatio.cli import main

    problems = []
    commands: dict[str, list[str]] = {}
    current = None
    for line in block.text.splitlines():
        words = line.split("#")[0].split()
        if words[:1] == ["collatio"] and len(words) > 1:
            current = words[1]
            commands.setdefault(current, [])
            words = words[2:]
        if current is not None:
            commands[current].extend(words)
    for command, words in commands.items():
        out, err = io.StringIO(), io.StringIO()
        status = main([command, "--help"], stdout=out, stderr=err)
        if status != 0:
            problems.append(f"{block.where}: there is no command 'collatio {command}'")
            continue
        helped = out.getvalue()
        for option in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", " ".join(words)):
            if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", helped):
                problems.append(f"{block.where}: 'collatio {command}' has no option {option}")
    return problems


def markdown_files() -> list[Path]:
    """The files whose blocks the tests run: the README and every ``docs/*.md``."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

