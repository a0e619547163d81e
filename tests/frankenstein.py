"""A test-only conversion of the Frankenstein Variorum's collation chunks
(``../shared/corpora/frankenstein/Cnn/*.xml``) into marked text, until collatio reads TEI.

The chunks are XML fragments: the Thomas copy (the 1818 edition with Mary Shelley's hand
revisions as ``<add>``/``<del>``) and the 1816 manuscript (``<del>``, ``<mdel>``, and
``<sga-add sID/>``…``<sga-add eID/>`` milestones for insertions, ``<metamark>`` carets,
``<mod>`` around a revision, ``<w ana="start"/>``…``<w ana="end"/>`` around a word broken
across lines). They become text in a convention of two marks (⸢added⸣, ⟦deleted⟧, never in
the texts), paragraphs from the ``<p>``/``tei:p`` milestones; page, line and chunk
milestones vanish. A ``<mod>`` whose added and deleted texts have no space in them, between
two letters, is taken as a revision inside a word (``Cl⟦ai⟧⸢e⸣rval``) when the word it then
makes, as first written or as revised, is a word of the other chunks (the printed texts):
the whitespace the XML puts around it goes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lxml import etree

import collatio
from collatio.apparatus import Apparatus, CollationOptions, collate_witnesses
from collatio.markup.conventions import convention_from_dict
from collatio.normalize import Normalization

CONVENTION = convention_from_dict({
    "name": "variorum-test",
    "description": "Frankenstein Variorum chunks converted for the tests",
    "cross_paragraphs": True,
    "delimiter": [
        {"name": "add", "open": "⸢", "close": "⸣", "kind": "add"},
        {"name": "del", "open": "⟦", "close": "⟧", "kind": "del"},
    ],
})

_BREAK = "\x00"  # a paragraph break, until whitespace is folded


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def to_markup(xml: bytes) -> str:
    """One chunk as marked text (see the module docstring)."""
    root = etree.fromstring(xml)
    out: list[str] = []
    state: dict[str, Any] = {"word": False, "mods": []}

    def text(value: str | None) -> None:
        if not value:
            return
        if state["word"]:  # inside a word broken across lines: no whitespace
            value = re.sub(r"\s+", "", value)
        out.append(value)

    def walk(element: etree._Element) -> None:
        name = _local(element)
        if name in ("metamark", "pb", "lb", "anchor"):
            return
        start = element.get("sID") is not None
        end = element.get("eID") is not None
        paragraph = name == "milestone" and element.get("unit", "").startswith("tei:p")
        if name in ("p", "head") or paragraph:
            out.append(_BREAK)
        elif name == "sga-add" and (start or end):
            out.append("⸢" if start else "⸣")
        elif name == "w" and element.get("ana") in ("start", "end"):
            state["word"] = element.get("ana") == "start"
        elif name == "mod" and start:
            state["mods"].append(len(out))
        elif name == "mod" and end and state["mods"]:
            _join_mod(out, state["mods"].pop())
        if name in ("del", "mdel"):
            out.append("⟦")
        elif name == "add":
            out.append("⸢")
        text(element.text)
        for child in element:
            walk(child)
            text(child.tail)
        if name in ("del", "mdel"):
            out.append("⟧")
        elif name == "add":
            out.append("⸣")
        elif name == "head":
            out.append(_BREAK)

    walk(root)
    joined = "".join(out)
    joined = re.sub(r"[ \t\r\n]+", " ", joined)
    paragraphs = [p.strip() for p in joined.split(_BREAK)]
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def _join_mod(out: list[str], start: int) -> None:
    """Mark a ``<mod>`` that may revise inside a word (module docstring): resolved by
    :func:`_close_up`, which knows the text after it."""
    inside = "".join(out[start:])
    contents = re.findall(r"[⟦⸢]([^⟦⟧⸢⸣]*)[⟧⸣]", inside)
    before = "".join(out[:start]).rstrip()
    if not contents or any(re.search(r"\s", c.strip()) for c in contents):
        return
    if not before or not before[-1].isalpha():
        return
    out[start:] = ["\x01" + re.sub(r"\s+", "", inside) + "\x02"]


_JOIN = re.compile(r"(\w*)(\s*)\x01([^\x02]*)\x02(\s*)(\w*)")


def _close_up(text: str, vocabulary: set[str]) -> str:
    """Resolve the marks of :func:`_join_mod`: the revision joins the word before it (and
    the one after it) when the word that makes, as first written or as revised, is in
    *vocabulary*; else it stands between spaces."""

    def resolve(match: re.Match[str]) -> str:
        head, space_before, inside, space_after, tail = match.groups()
        ante = re.sub(r"⸢[^⸣]*⸣", "", inside).replace("⟦", "").replace("⟧", "")
        post = re.sub(r"⟦[^⟧]*⟧", "", inside).replace("⸢", "").replace("⸣", "")

        def known(before: str, after: str) -> bool:
            # the word of a state that adds or strikes letters must be a known word; of two
            # states that both change something, one is enough
            first = (before + ante + after).casefold() in vocabulary
            last = (before + post + after).casefold() in vocabulary
            if not ante.strip():
                return last
            if not post.strip():
                return first
            return first or last

        if known(head, tail):
            return head + inside + tail
        if known(head, ""):
            return head + inside + (space_after or " ") + tail
        if known("", tail):
            return head + (space_before or " ") + inside + tail
        return head + (space_before or " ") + inside + (space_after or " ") + tail

    return _JOIN.sub(resolve, text)


def vocabulary(paths: Sequence[Path]) -> set[str]:
    """The words of the chunks at *paths*, tags stripped, case folded."""
    found: set[str] = set()
    for path in paths:
        text = etree.fromstring(path.read_bytes()).xpath("string()")
        found.update(word.casefold() for word in re.findall(r"\w+", text))
    return found


def witness_text(path: Path, known: set[str] | None = None) -> str:
    """The chunk at *path* as marked text; *known*: the words that decide revisions inside
    words (default: those of the printed editions of the same chunk)."""
    if known is None:
        known = vocabulary([p for p in sorted(path.parent.glob("18*.xml"))])
    return _close_up(to_markup(path.read_bytes()), known)


def collate_frankenstein(paths: Sequence[Path], sigla: Sequence[str],
                         **options: Any) -> Apparatus:
    """Collate converted chunks, the files named by *sigla*."""
    witnesses = []
    for path, siglum in zip(paths, sigla, strict=True):
        result = collatio.parse_text(witness_text(path), path=siglum, convention=CONVENTION)
        witnesses.extend(result.witnesses)
    normalize = options.pop("normalize", [])
    return collate_witnesses(witnesses, CollationOptions(
        normalization=Normalization.from_names(normalize), **options))
