"""What the fuzzers check, shared by the atheris targets and the regression tests.

Each check takes raw bytes and either passes or raises AssertionError (a broken guarantee)
or an exception that is not a CollatioError (a crash). A CollatioError is a clear, located
refusal, which is allowed. ``parse`` and ``collate`` make texts of the bytes; ``read``,
``manifest`` and ``convention`` hand the bytes themselves to every reader and loader
(invalid UTF-8, lone surrogate escapes and all); ``write`` drives the command line's write
paths. :data:`TARGETS` names them all.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator

import collatio
from collatio.cli import main
from collatio.cli import output as output_module
from collatio.errors import CollatioError
from collatio.listing import parse_json, parse_outline
from collatio.markup import PRESETS, get_convention, leaves, parse_markup
from collatio.markup.conventions import load_convention
from collatio.readers import readers
from collatio.readers.base import HEAD_BYTES, Product, ReadOptions, choose_reader
from collatio.sources import load_manifest
from collatio.terminal import UNSAFE
from collatio.tokens import tokenize
from collatio.witness import Piece, State, StateName, states_for


def _tokens(text: str) -> list[str]:
    """The text's tokens as collatio cuts them (spacing between units is approximate)."""
    state = State(StateName.TEXT, text, (Piece(0, 0, len(text)),) if text else ())
    return list(tokenize(state, "W").surfaces)


def _texts(data: bytes, count: int) -> list[str]:
    text = data.decode("utf-8", errors="replace")
    size = max(1, len(text) // count)
    return [text[i * size : (i + 1) * size] for i in range(count)]


def check_parse(data: bytes) -> None:
    """Parsing is lossless for every convention; states and tokens map back to the source."""
    (text,) = _texts(data, 1)
    for name in PRESETS:
        markup = parse_markup(text, get_convention(name))
        assert "".join(leaf.text for leaf in leaves(markup.nodes)) == text
        for state in states_for(markup.nodes):
            for piece in state.pieces:
                assert state.text[piece.start : piece.end] == text[
                    piece.source_start : piece.source_start + piece.length
                ]
            assert tokenize(state, "W").rebuild() == state.text
    with contextlib.suppress(CollatioError):
        collatio.parse_text(text, path="fuzz.txt")


def check_collate(data: bytes) -> None:
    """Any two texts collate into a positive apparatus that every format renders, and each
    text is rebuilt from the apparatus."""
    a, b = _texts(data, 2)
    try:
        witnesses = [
            w
            for text, name in ((a, "A"), (b, "B"))
            for w in collatio.parse_text(text, path=name, convention="hand-revision").witnesses
        ]
        apparatus = collatio.collate_witnesses(witnesses)
    except CollatioError:
        return
    for unit in apparatus.units:
        assert sorted(unit.witnesses) == sorted(apparatus.sigla), unit
    moved = any(u.type is collatio.UnitType.TRANSPOSITION for u in apparatus.units)
    for token_list in apparatus.tokens or ():
        rebuilt = _tokens(apparatus.witness_text(token_list.siglum))
        original = _tokens(token_list.text)
        if moved:  # a moved block stands at the base's place: the same words, in another order
            assert sorted(rebuilt) == sorted(original), token_list.siglum
        else:
            assert rebuilt == original, token_list.siglum
    for name in collatio.renderer_names():
        assert collatio.render(apparatus, name)


# --- byte-level targets: every reader, the files beside the texts, the write paths -----------



_RAW = re.compile(f"[{UNSAFE}]")
_SCRATCH = tempfile.mkdtemp(prefix="collatio-fuzz-")


def _scratch(name: str, data: bytes) -> str:
    path = os.path.join(_SCRATCH, name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def _check_witnesses(result: collatio.ParseResult) -> None:
    """What every reader promises: each state maps back to its source, character by
    character; tokens rebuild each state; the outline for a terminal holds nothing raw."""
    for witness in result.witnesses:
        for state in witness.states:
            for piece in state.pieces:
                assert state.text[piece.start : piece.end] == witness.source[
                    piece.source_start : piece.source_start + piece.length
                ], (witness.siglum, state.id, piece)
            assert tokenize(state, "W").rebuild() == state.text
    assert not _RAW.search(parse_outline(result))
    parse_json(result)


def check_read(data: bytes) -> None:
    """Bytes, as a file, through the reader its first byte picks (every registered reader,
    those that land later included) and through the registry's own choice: a result that
    keeps the readers' promises, or a CollatioError; the sniffers never fail."""
    choices = readers()
    pick, payload = (data[0], data[1:]) if data else (0, b"")
    reader = choices[pick % len(choices)]()
    chosen = choose_reader(payload[:HEAD_BYTES], "fuzz.in").reader  # must not raise
    for candidate in (reader, chosen):
        options = ReadOptions()
        try:
            if candidate.product is Product.APPARATUS:
                apparatus = candidate.read_apparatus(payload, "fuzz.in", options)  # type: ignore[attr-defined]
                for name in collatio.renderer_names():
                    assert collatio.render(apparatus, name)
            _check_witnesses(candidate.read(payload, "fuzz.in", options))
        except CollatioError:
            pass


def check_manifest(data: bytes) -> None:
    """Any bytes as a manifest: a manifest or a CollatioError naming it."""
    path = _scratch("manifest.toml", data)
    try:
        load_manifest(path)
    except CollatioError as error:
        assert error.path == path, error


_SAMPLE = "Dear [comrade] *very* [...] glad (gloss) [PM-trans.] **bold** [a [b] c] d ] e [f"


def check_convention(data: bytes) -> None:
    """Any bytes as a convention file: refused naming the file, or a convention that parses
    a sample losslessly, within its time budget."""
    path = _scratch("convention.toml", data)
    try:
        convention = load_convention(path)
    except CollatioError as error:
        assert error.path == path, error
        return
    markup = parse_markup(_SAMPLE, convention)
    assert "".join(leaf.text for leaf in leaves(markup.nodes)) == _SAMPLE


_FORMATS = ("text", "json", "tei", "html", "latex", "collatex")


class _Broken(Exception):
    pass


def check_write(data: bytes) -> None:
    """The command line's write paths: a file is written whole or not at all (an error in
    any piece leaves the old file and no temporary file), in pieces of any size; standard
    output gets exactly the text, however a stream splits what it takes; ``-o`` gives the
    bytes the renderer makes."""
    if len(data) < 3:
        return
    fail_at, size, fmt = data[0], data[1] % 9 + 1, _FORMATS[data[2] % len(_FORMATS)]
    text = data[3:].decode("utf-8", "replace")
    pieces = [text[i : i + 1 + (fail_at % 5)] for i in range(0, len(text), 1 + (fail_at % 5))]
    old = b"the old file\n"
    target = _scratch("target.txt", old)
    chunk, output_module.CHUNK = output_module.CHUNK, size  # pieces cut small
    try:
        failing = fail_at % 3 == 0 and pieces

        def made() -> Iterator[str]:
            for i, piece in enumerate(pieces):
                if failing and i == fail_at % len(pieces):
                    raise _Broken
                yield piece

        try:
            output_module.write(made(), target, io.StringIO())
        except _Broken:
            assert failing
            with open(target, "rb") as raw:
                assert raw.read() == old
        else:
            with open(target, encoding="utf-8", newline="") as written:
                assert written.read() == "".join(pieces)
        assert [n for n in os.listdir(_SCRATCH) if n.endswith(".part")] == []

        class Grudging(io.StringIO):
            def write(self, piece: str) -> int:
                return super().write(piece[: 1 + len(piece) // 2])

        stream = Grudging()
        output_module.write_stream(stream, pieces)
        assert stream.getvalue() == "".join(pieces)
    finally:
        output_module.CHUNK = chunk
    a, b = _texts(data[3:], 2)
    first, second = _scratch("a.txt", a.encode("utf-8")), _scratch("b.txt", b.encode("utf-8"))
    result = _scratch("result.out", b"")
    code = main(["collate", first, second, "--format", fmt, "-o", result],
                stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert code in (0, 1), err.getvalue()
    if code == 0:
        expected = collatio.render(collatio.collate([first, second]), fmt)
        with open(result, encoding="utf-8", newline="") as handle:
            assert handle.read() == expected


#: Every target, by the name ``fuzz/fuzz.py`` and the regression files use.
TARGETS: dict[str, Callable[[bytes], None]] = {
    "parse": check_parse,
    "collate": check_collate,
    "read": check_read,
    "manifest": check_manifest,
    "convention": check_convention,
    "write": check_write,
}
