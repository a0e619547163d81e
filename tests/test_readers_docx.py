"""Word documents: tracked changes as states, checked against pandoc's own readings of the
same fixtures (``--track-changes=accept`` / ``reject``, the ``.native`` files beside them)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import collatio
from collatio.errors import CollatioError, LimitError
from collatio.readers import choose_reader
from collatio.readers.docx import MAX_PART_BYTES, paragraphs
from tests.support.shared import shared_path

# --- a reader of pandoc's native format, enough for its docx fixtures ----------------------------

_TOKEN = re.compile(r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<word>[A-Za-z][\w.]*)'
                    r"|(?P<number>-?\d+(?:\.\d+)?)|(?P<punct>[\[\](),]))", re.S)
_ESCAPE = re.compile(r"\\(\d+|[\\\"'abfnrtv&]|x[0-9a-fA-F]+)")


def _unescape(body: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code.isdigit():
            return chr(int(code))
        if code.startswith("x"):
            return chr(int(code[1:], 16))
        return {"n": "\n", "t": "\t", "&": "", "a": "\a", "b": "\b", "f": "\f", "r": "\r",
                "v": "\v"}.get(code, code)

    return _ESCAPE.sub(one, body)


def native(text: str) -> Any:
    """pandoc native text as nested Python values: a constructor with arguments is a tuple
    ``(name, arg, ...)``, a list a list, a tuple a tuple, a string a str."""
    tokens = [(m.lastgroup, m.group(m.lastgroup)) for m in _TOKEN.finditer(text)
              if m.lastgroup]
    position = 0

    def value() -> Any:
        nonlocal position
        kind, token = tokens[position]
        position += 1
        if kind == "string":
            return _unescape(token[1:-1])
        if kind == "number":
            return float(token)
        if token == "[":
            items: list[Any] = []
            while tokens[position][1] != "]":
                items.append(value())
                if tokens[position][1] == ",":
                    position += 1
            position += 1
            return items
        if token == "(":
            parts = []
            while tokens[position][1] != ")":
                parts.append(value())
                if tokens[position][1] == ",":
                    position += 1
            position += 1
            return tuple(parts) if len(parts) != 1 else parts[0]
        # a constructor: its arguments follow until a separator
        args = [token]
        while position < len(tokens) and tokens[position][1] not in (",", "]", ")"):
            args.append(value())
        return tuple(args)

    return value()


def inline_text(inlines: list[Any], state: str) -> str:
    """The text of pandoc inlines in *state* (``accept``, ``reject`` or ``as is``): a
    deletion is text in ``reject``, an insertion in ``accept``, comments are set aside."""
    out: list[str] = []
    for item in inlines:
        name = item[0] if isinstance(item, tuple) else item
        if name == "Str":
            out.append(item[1])
        elif name in ("Space", "SoftBreak"):
            out.append(" ")
        elif name == "LineBreak":
            out.append("\n")
        elif name == "Span":
            (_, classes, _attrs), content = item[1], item[2]
            if "comment-start" in classes or "comment-end" in classes:
                continue
            if "insertion" in classes and state == "reject":
                continue
            if "deletion" in classes and state == "accept":
                continue
            out.append(inline_text(content, state))
        elif isinstance(item, tuple) and item and isinstance(item[-1], list):
            out.append(inline_text(item[-1], state))
    return "".join(out)


def native_paragraphs(text: str, state: str = "as is") -> list[str]:
    blocks = native(text)
    found = [" ".join(inline_text(block[1], state).split()) for block in blocks
             if block[0] in ("Para", "Plain")]
    return [p for p in found if p]


def test_the_native_reader() -> None:
    sample = '[Para [Str "a\\233",Space,Span ("",["deletion"],[]) [Str "b"],Str "c"]]'
    assert native_paragraphs(sample, "accept") == ["aé c"]
    assert native_paragraphs(sample, "reject") == ["aé bc"]


# --- the fixtures ----------------------------------------------------------------------------


def docx_dir() -> Path:
    return shared_path("corpora", "docx")


CASES = ["track_changes_deletion", "track_changes_insertion", "track_changes_move",
         "track_changes_scrubbed_metadata"]


def expected(name: str, state: str) -> list[str]:
    folder = docx_dir()
    own = folder / f"{name}_{state}.native"
    if own.exists():
        return native_paragraphs(own.read_text(encoding="utf-8"))
    every = folder / f"{name}.native"
    if not every.exists():
        every = folder / f"{name}_all.native"
    return native_paragraphs(every.read_text(encoding="utf-8"), state)


@pytest.mark.parametrize("name", CASES)
def test_states_equal_pandocs_accept_and_reject(name: str) -> None:
    (witness,) = collatio.parse([docx_dir() / f"{name}.docx"]).witnesses
    assert witness.states[0].id == "ante" and witness.states[-1].id == "post"
    assert list(paragraphs(witness.states[0].text)) == expected(name, "reject")
    assert list(paragraphs(witness.states[-1].text)) == expected(name, "accept")


def test_comments_are_set_aside_as_notes() -> None:
    folder = docx_dir()
    result = collatio.parse([folder / "comments.docx"])
    (witness,) = result.witnesses
    (state,) = witness.states
    assert list(paragraphs(state.text)) == native_paragraphs(
        (folder / "comments_no_comments.native").read_text(encoding="utf-8"))
    notes = [(span.text, span.hand) for span, _ in witness.spans() if span.kind.value == "note"]
    assert ("I left a comment.", "Jesse Rosenthal") in notes
    assert len(notes) == 5
    assert len(state.markers) == 5  # each comment stands where its range starts


def test_changes_keep_their_authors_and_metadata() -> None:
    (witness,) = collatio.parse([docx_dir() / "track_changes_deletion.docx"]).witnesses
    (change,) = [span for span, _ in witness.spans() if span.kind.value == "del"]
    assert change.hand == "eng-dept" and change.text == "n excessively modified"
    assert witness.metadata.date == "2014-06-25"
    assert ("creator", "eng-dept") in witness.metadata.extra


def test_each_author_is_a_layer(tmp_path: Path) -> None:
    path = tmp_path / "two.docx"
    path.write_bytes(make_docx(
        '<w:p><w:r><w:t xml:space="preserve">The </w:t></w:r>'
        '<w:del w:author="B" w:date="2020-02-01T00:00:00Z"><w:r><w:delText>old</w:delText>'
        '</w:r></w:del><w:ins w:author="B" w:date="2020-02-01T00:00:00Z"><w:r><w:t>new'
        '</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> cat </w:t></w:r>'
        '<w:ins w:author="A" w:date="2020-01-01T00:00:00Z"><w:r><w:t>sat</w:t></w:r></w:ins>'
        '</w:p><w:p><w:pPr><w:rPr><w:del w:author="A" w:date="2020-01-01T00:00:00Z"/></w:rPr>'
        '</w:pPr><w:r><w:t>here.</w:t></w:r></w:p><w:p><w:r><w:t>Next.</w:t></w:r></w:p>'))
    (witness,) = collatio.parse([path]).witnesses
    assert [(s.id, s.hands, s.text) for s in witness.states] == [
        ("ante", (), "The old cat\n\nhere.\n\nNext."),
        ("c1", ("A",), "The old cat sat\n\nhere.Next."),
        ("post", ("B",), "The new cat sat\n\nhere.Next."),
    ]
    # positions: line N is paragraph N
    new = next(span for span, _ in witness.spans() if span.text == "new")
    assert witness.line_index().position(new.start) == (1, 8)  # after "The old"
    # and a change says where it stands, in its paragraph, as its text does
    assert {(span.text, span.line, span.column) for span, _ in witness.spans()} >= {
        ("old", 1, 5), ("new", 1, 8), ("sat", 1, 16)}
    next_word = witness.source.index("Next")
    assert witness.line_index().position(next_word) == (3, 1)


def make_docx(body: str, extra: dict[str, bytes] | None = None) -> bytes:
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document '
                'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f"<w:body>{body}</w:body></w:document>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_chosen_by_content(tmp_path: Path) -> None:
    data = make_docx("<w:p><w:r><w:t>x</w:t></w:r></w:p>")
    assert choose_reader(data[:65536], "draft.txt").reader.name == "docx"
    path = tmp_path / "draft.txt"
    path.write_bytes(data)
    assert collatio.parse([path]).witnesses[0].state("text").text == "x"


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(make_docx("<w:p/>", {"word/comments.xml": b"<" + b" " * (MAX_PART_BYTES + 1)}))
    with pytest.raises(LimitError, match="zip bomb"):
        collatio.parse([path])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not really", "not a Word document"),
        (None, "has no word/document.xml"),
        (b"", "malformed word/document.xml"),
    ],
)
def test_bad_packages_are_located_errors(tmp_path: Path, data: bytes | None, message: str) -> None:
    path = tmp_path / "bad.docx"
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("other.xml", "<x/>")
        data = buffer.getvalue()
    elif data == b"":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document><broken")
        data = buffer.getvalue()
    path.write_bytes(data)
    with pytest.raises(CollatioError) as info:
        collatio.parse([path])
    assert message in str(info.value) and str(info.value).startswith(str(path))


@given(st.lists(st.sampled_from([
    '<w:r><w:t xml:space="preserve">one </w:t></w:r>',
    '<w:ins w:author="A"><w:r><w:t>two </w:t></w:r></w:ins>',
    '<w:del w:author="B"><w:r><w:delText>three </w:delText></w:r></w:del>',
    '<w:r><w:tab/></w:r>', "</w:p><w:p>",
]), max_size=12))
@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_tracked_document_gives_states_that_map_back(tmp_path: Path, parts: list[str]) -> None:
    path = tmp_path / "p.docx"
    path.write_bytes(make_docx("<w:p>" + "".join(parts) + "</w:p>"))
    (witness,) = collatio.parse([path]).witnesses
    for state in witness.states:
        for piece in state.pieces:
            assert state.text[piece.start : piece.end] == witness.source[
                piece.source_start : piece.source_start + piece.length]
    words = " ".join(parts)
    assert ("two" in witness.states[-1].text) == ("two" in words)
    assert "three" not in witness.states[-1].text
