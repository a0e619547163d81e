"""The apparatus as a critical edition in LaTeX, for LuaLaTeX and reledmac.

The document has a title, the list of witnesses, the base witness's text with numbered lines
and one ``\\Afootnote`` per variation unit (``lemma] sigla; reading sigla; om. sigla;
lac. sigla``), each document with hand revisions typeset as an editor prints it (insertions
in ⸢half brackets⸣, deletions struck through), and a table of what became of the revisions.
``body_only=True`` gives only the numbered text (``\\beginnumbering ... \\endnumbering``), to
``\\input`` into a document of one's own. Every piece of witness text goes through
:func:`escape`. See ``docs/latex.md`` for the conventions and the preamble the body needs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import jinja2

from collatio._version import __version__
from collatio.apparatus.model import (
    NO_SPACE_AFTER,
    NO_SPACE_BEFORE,
    Apparatus,
    DocumentText,
    Place,
    Reading,
    RevisionFate,
    UnitType,
    VariationUnit,
)
from collatio.render.base import Option, Renderer
from collatio.render.text import genesis_words

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "[": "{[}",
    "]": "{]}",
}
_CONTROLS = {*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)}
_TABLE: dict[int, str] = {ord(c): tex for c, tex in _SPECIAL.items()}
_TABLE.update({code: rf"\textbackslash{{}}x{code:02x}" for code in _CONTROLS})
_TABLE.update({code: "\ufffd" for code in range(0xD800, 0xE000)})
_SPACE = re.compile(r"[ \t\r\n]+")
_PARAGRAPH = re.compile(r"\n[ \t\r]*\n[ \t\r\n]*")
_GAP = "{[}…{]}"

#: Notes for a reading the document's hand added, deleted or partly revised (Place.hand).
HAND_NOTES = {"add": "add. m.", "del": "del. m.", "mixed": "corr. m."}
#: How a mark of a document's text is printed: opening bracket, group opened and closed
#: (closed and reopened around a paragraph break), closing bracket.
MARKS: dict[str, tuple[str, str, str, str]] = {
    "add": ("⸢", "", "", "⸣"),
    "del": ("", r"\strikeThrough{", "}", ""),
    "note": ("{[}", r"\textit{", "}", "{]}"),
    "supplied": ("⟨", "", "", "⟩"),
    "unclear": ("", "", "", "{[}?{]}"),
    "sic": ("", "", "", r" {[}\textit{sic}{]}"),
    "hi": ("", r"\emph{", "}", ""),
    "gap": ("{[}", "", "", "{]}"),
}


def escape(text: str) -> str:
    r"""*text* as inert LaTeX: specials quoted, whitespace folded, controls shown as ``\xNN``.

    ``[`` and ``]`` are braced so that no command before them can take them as an optional
    argument; lone surrogates become U+FFFD.

    >>> escape(r"50% of $x_1 {y} \input{z}")
    '50\\% of \\$x\\_1 \\{y\\} \\textbackslash{}input\\{z\\}'
    >>> escape("[a]\n\n b\x07")
    '{[}a{]} b\\textbackslash{}x07'
    """
    return _SPACE.sub(" ", text).translate(_TABLE)


class TeX(str):
    """A string that is already LaTeX: the template prints it as is and escapes any other."""

    __slots__ = ()


def _finalize(value: object) -> str:
    if isinstance(value, TeX):
        return value
    return escape("" if value is None else str(value))


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("collatio.render", "templates"),
        block_start_string="((*",
        block_end_string="*))",
        variable_start_string="(((",
        variable_end_string=")))",
        comment_start_string="((#",
        comment_end_string="#))",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
    )


def _words(text: str) -> list[str]:
    return text.split()


def abridge(text: str, limit: int) -> str:
    r"""*text* as LaTeX, at most *limit* words: first and last words and the count of all.

    >>> abridge("one two three four five six seven", 4)
    'one two … seven (\\textit{7 words})'
    >>> abridge("a_b c", 4)
    'a\\_b c'
    """
    words = _words(text)
    if limit <= 0 or len(words) <= limit:
        return escape(" ".join(words))
    keep = max(1, limit // 4)
    head, tail = words[: max(1, limit - keep - 1)], words[-keep:]
    return rf"{escape(' '.join(head))} … {escape(' '.join(tail))} (\textit{{{len(words)} words}})"


def _short_lemma(text: str, limit: int) -> str | None:
    """``first … last`` for a lemma of more than *limit* words, else None."""
    words = _words(text)
    if len(words) <= limit:
        return None
    named = [w for w in words if any(c.isalnum() for c in w)] or words
    return f"{escape(named[0])} … {escape(named[-1])}"


def _flag(value: object, default: bool) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return default if value is None else bool(value)


def _siglum(siglum: str, place: Place | None) -> str:
    out = rf"\textit{{{escape(siglum)}}}"
    if place is not None and place.hand in HAND_NOTES:
        out += rf" (\textit{{{HAND_NOTES[place.hand]}}})"
    return out


def _sigla(reading: Reading) -> str:
    places = {place.siglum: place for place in reading.places}
    return " ".join(_siglum(s, places.get(s)) for s in reading.witnesses)


def _position(place: Place) -> str:
    first, last = place.words
    words = f"{first + 1}" if last - first <= 1 else f"{first + 1}–{last}"
    if last == first:
        words = f"post {first}" if first else "0"
    return rf"¶\,{place.paragraph} \textit{{w.}}\,{words}"


@attrs.define
class _Paragraph:
    """The LaTeX of one numbered paragraph, built piece by piece with word spacing."""

    parts: list[str] = attrs.field(factory=list)
    last: str = ""

    def text(self, plain: str, tex: str | None = None) -> None:
        """Visible text (*tex*, or *plain* escaped), spaced like running text."""
        if not plain:
            return
        first = plain[0]
        if self.last and not self.last.isspace() and not first.isspace():
            if first not in NO_SPACE_BEFORE and self.last not in NO_SPACE_AFTER:
                self.parts.append(" ")
        elif first in NO_SPACE_BEFORE:
            self._strip()
        self.parts.append(escape(plain) if tex is None else tex)
        self.last = plain[-1]

    def mark(self, tex: str) -> None:
        """Something with no text (an empty ``\\edtext``), attached to the text before it."""
        stripped = self._strip()
        self.parts.append(tex)
        if stripped:
            self.parts.append(" ")

    def _strip(self) -> bool:
        stripped = False
        while self.parts and self.parts[-1].endswith(" "):
            stripped = True
            self.parts[-1] = self.parts[-1].rstrip(" ")
            if not self.parts[-1]:
                self.parts.pop()
        return stripped

    def tex(self) -> str:
        return "".join(self.parts).strip()


@attrs.frozen
class _Piece:
    """One item of the base text: flow text, a unit, or a paragraph break (both None)."""

    text: str | None = None
    unit: VariationUnit | None = None


def _pieces(apparatus: Apparatus) -> list[_Piece]:
    pieces: list[_Piece] = []
    for index, flow in enumerate(apparatus.flow):
        for n, part in enumerate(_PARAGRAPH.split(flow)):
            if n:
                pieces.append(_Piece())
            if part:
                pieces.append(_Piece(text=part))
        if index < len(apparatus.units):
            pieces.append(_Piece(unit=apparatus.units[index]))
    return pieces


def _base_text(piece: _Piece) -> str | None:
    """The base's words in *piece*; None at a paragraph break."""
    if piece.unit is not None:
        lemma = piece.unit.lemma
        return lemma.text if lemma is not None else ""
    return piece.text


def _neighbour(pieces: Sequence[_Piece], index: int) -> str:
    """``\\textit{post} word`` (the base's word before *index*), else ``\\textit{ante} word``."""
    for direction, label in ((-1, "post"), (1, "ante")):
        i = index + direction
        while 0 <= i < len(pieces):
            text = _base_text(pieces[i])
            if text is None:
                break
            words = _words(text)
            if words:
                word = words[-1] if direction < 0 else words[0]
                word = word.strip(NO_SPACE_BEFORE + NO_SPACE_AFTER + "\"'") or word
                return rf"\textit{{{label}}} {escape(word)}"
            i += direction
    return r"\textit{add.}"


class LaTeXRenderer(Renderer):
    """A reledmac edition for LuaLaTeX; ``body_only=True`` gives only the numbered text.

    Options: ``body_only`` (bool), ``max_words`` (readings longer than this are abridged in
    the notes, default 10), ``lemma_words`` (longer lemmata are cited as ``first … last``,
    default 4), ``title`` (default: the base witness's label).
    """

    name = "latex"
    aliases = ("tex", "reledmac")
    filenames = ("*.tex",)
    media_type = "application/x-latex"
    extension = ".tex"
    options_declared = (
        Option("body_only", bool, False, "only the numbered text, for \\input"),
        Option("max_words", int, 10, "readings longer than this are abridged in the notes "
               "(0: never)", minimum=0, maximum=10_000_000),
        Option("lemma_words", int, 4, "longer lemmata are cited as first … last", minimum=1,
               maximum=10_000_000),
        Option("title", str, None, "the title (default: the base witness's label)",
               maximum=10_000),
    )

    def render(self, apparatus: Apparatus) -> str:
        body = self.body(apparatus)
        if _flag(self.options.get("body_only"), False):
            return body
        template = _environment().get_template("edition.tex.j2")
        return template.render(self._context(apparatus, body))

    @property
    def _max_words(self) -> int:
        return int(self.options.get("max_words", 10))

    @property
    def _lemma_words(self) -> int:
        return int(self.options.get("lemma_words", 4))

    # --- the numbered text ---------------------------------------------------------------

    def body(self, apparatus: Apparatus) -> str:
        """The base text as reledmac numbered paragraphs, one ``\\edtext`` per unit."""
        pieces = _pieces(apparatus)
        paragraphs: list[str] = []
        paragraph = _Paragraph()
        in_gap = False
        for index, piece in enumerate(pieces):
            if piece.unit is not None:
                in_gap = self._unit(piece.unit, paragraph, in_gap, pieces, index)
            elif piece.text is not None:
                paragraph.text(piece.text)
                in_gap = in_gap and not piece.text.strip()
            else:
                paragraphs.append(paragraph.tex())
                paragraph, in_gap = _Paragraph(), False
        paragraphs.append(paragraph.tex())
        numbered = [f"\\pstart\n{text}\n\\pend" for text in paragraphs if text]
        lines = [
            f"% collatio {__version__}: base text {escape(apparatus.base)}, "
            f"{len(apparatus.units)} variation units",
            "\\beginnumbering",
            # reledmac stops on an empty numbered section: an empty base text is an empty box.
            "\n\n".join(numbered) if numbered else "\\pstart\n\\mbox{}\n\\pend",
            "\\endnumbering",
        ]
        return "\n".join(lines) + "\n"

    def _unit(self, unit: VariationUnit, paragraph: _Paragraph, in_gap: bool,
              pieces: Sequence[_Piece], index: int) -> bool:
        """Add *unit* to *paragraph*; True if it leaves the text at a gap of the base."""
        note = rf"\Afootnote{{{self.note(unit)}}}"
        lemma = unit.lemma
        if unit.type is UnitType.TRANSPOSITION:
            # a report: the block's words are in the text already, at each of its places
            cited = escape(_short_lemma(lemma.text, 0) or lemma.text) if lemma else ""
            paragraph.mark(rf"\edtext{{}}{{\lemma{{\textit{{transp.}} {cited}}}{note}}}")
            return in_gap
        if lemma is None:
            if in_gap:
                paragraph.mark(rf"\edtext{{}}{{\lemma{{{_GAP}}}{note}}}")
            else:
                paragraph.text("[…]", rf"\edtext{{{_GAP}}}{{{note}}}")
            return True
        if not lemma.text:
            paragraph.mark(rf"\edtext{{}}{{\lemma{{{_neighbour(pieces, index)}}}{note}}}")
            return in_gap
        short = _short_lemma(lemma.text, self._lemma_words)
        cited = rf"\lemma{{{short}}}" if short else ""
        # A long lemma is braced: reledmac scans \edtext's first argument token by token,
        # in quadratic time (600 words: 40 s); a group is one token.
        text = escape(lemma.text)
        if short or len(_words(lemma.text)) > 20:
            text = "{" + text + "}"
        paragraph.text(lemma.text, rf"\edtext{{{text}}}{{{cited}{note}}}")
        return False

    def note(self, unit: VariationUnit) -> str:
        """The apparatus entry of *unit*, after ``lemma]``: readings with their sigla, then
        its sub-units as numbered sub-entries (``4.1 ¶ 4 w. 30–33 …``)."""
        text = self._entries(unit)
        subs = list(self._subentries(unit, unit.id.removeprefix("u")))
        if subs:
            text += r" \textbar\ " + r" \textbar\ ".join(subs)
        return text

    def _entries(self, unit: VariationUnit) -> str:
        entries: list[str] = []
        lacuna = ""
        if unit.lacunose:
            sigla = " ".join(escape(s) for s in unit.lacunose)
            lacuna = rf"\textit{{lac.}} \textit{{{sigla}}}"
            if unit.lemma is None:  # the base's lacuna: said first, then what it lacks
                entries.append(lacuna)
        for reading in unit.readings:
            sigla = _sigla(reading) if not reading.subunits else " ".join(
                rf"\textit{{{escape(s)}}}" for s in reading.witnesses)
            notes = self._genesis(reading)
            if unit.type is UnitType.TRANSPOSITION:
                notes = ""
            if reading is unit.lemma:
                entries.append(sigla + notes)
            elif unit.type is UnitType.TRANSPOSITION:
                entries.extend(self._transposed(unit, reading))
            elif reading.is_empty:
                entries.append(rf"\textit{{om.}} {sigla}")
            else:
                entries.append(f"{abridge(reading.text, self._max_words)} {sigla}{notes}")
        if lacuna and unit.lemma is not None:
            entries.append(lacuna)
        text = "; ".join(entries)
        return text + r" (\textit{minor})" if unit.minor else text

    def _subentries(self, unit: VariationUnit, number: str) -> Iterator[str]:
        """Each sub-unit of *unit* as ``number position lemma] readings``, depth first
        (iteratively: sub-units nest a few levels at most, but no recursion is needed)."""
        stack = [(sub, f"{number}.{k}") for k, sub in enumerate(unit.subunits, 1)][::-1]
        while stack:
            sub, label = stack.pop()
            first = sub.lemma or next((r for r in sub.readings if r.text), sub.readings[0])
            where = _position(first.places[0])
            lemma = ""
            if sub.lemma is not None:
                lemma = (abridge(sub.lemma.text, self._max_words) if sub.lemma.text
                         else r"\textit{om.}") + "] "
            yield rf"\textbf{{{escape(label)}}} {where} {lemma}{self._entries(sub)}"
            stack.extend([(inner, f"{label}.{k}") for k, inner in
                          enumerate(sub.subunits, 1)][::-1])

    def _genesis(self, reading: Reading) -> str:
        """What the hand struck inside the reading, and the moved blocks in it (with the
        transposition unit that reports each), after its sigla."""
        out = []
        for place in reading.places:
            for genesis in place.genesis:
                out.append(rf" (\textit{{{escape(place.siglum)}}}: {escape(genesis.text)} "
                           rf"\textit{{{escape(genesis_words(genesis.kinds))}}})")
            text = reading.text_of(place.siglum)
            for moved in place.moved:
                block = abridge(text[moved.start:moved.end], self._max_words)
                out.append(rf" (\textit{{{escape(place.siglum)}}}: {block} \textit{{transp.}}, "
                           rf"{escape(moved.unit.removeprefix('u'))})")
        return "".join(out)

    def _transposed(self, unit: VariationUnit, reading: Reading) -> Iterator[str]:
        same = unit.lemma is not None and reading.text == unit.lemma.text
        text = "" if same else abridge(reading.text, self._max_words) + " "
        places = {place.siglum: place for place in reading.places}
        for siglum in reading.witnesses:
            place = places.get(siglum)
            where = f" ({_position(place)})" if place is not None else ""
            yield rf"{text}\textit{{transp.}} {_siglum(siglum, place)}{where}"

    # --- the rest of the document ----------------------------------------------------------

    def _context(self, apparatus: Apparatus, body: str) -> dict[str, Any]:
        base = next((w for w in apparatus.witnesses if w.siglum == apparatus.base), None)
        title = self.options.get("title") or (base.label if base else "Collation")
        revised = [d for d in apparatus.documents if _has_revisions(d)]
        return {
            "version": __version__,
            "title": str(title),
            "base": apparatus.base,
            "witnesses": apparatus.witnesses,
            "units": len(apparatus.units),
            "body": TeX(body),
            "hand_notes": HAND_NOTES,
            "documents": [
                {"witness": d.witness, "label": d.label, "text": TeX(document_tex(d))}
                for d in revised
            ],
            "revisions": [
                {"witness": witness, "target": rows[0].target,
                 "rows": [self._revision(f) for f in rows]}
                for witness, rows in _by_witness(apparatus.revisions)
            ],
        }

    def _revision(self, fate: RevisionFate) -> dict[str, object]:
        fate_text = fate.fate.value
        if fate.words and fate.found and fate.found != fate.words:
            fate_text += f" ({fate.found}/{fate.words} words)"
        reached = ""
        if fate.reached and fate.found != fate.words:
            reached = TeX(
                rf"{escape(fate.target)}: {abridge(fate.reached, self._max_words)}"
            )
        return {
            "kind": HAND_NOTES.get(fate.kind.value, fate.kind.value).split()[0],
            "text": TeX(abridge(fate.text, self._max_words)),
            "where": f"{fate.line}:{fate.column}",
            "fate": fate_text,
            "reached": reached,
        }


def _by_witness(fates: Sequence[RevisionFate]) -> list[tuple[str, list[RevisionFate]]]:
    groups: dict[str, list[RevisionFate]] = {}
    for fate in fates:
        groups.setdefault(fate.witness, []).append(fate)
    return list(groups.items())


def _has_revisions(document: DocumentText) -> bool:
    return any(kind in ("add", "del") for run in document.runs for kind in run.kinds)


def document_tex(document: DocumentText) -> str:
    """A document's text as an editor prints it: marks as in :data:`MARKS`, gaps as ``[…]``."""
    out: list[str] = []
    stack: list[str] = []

    def close(kinds: Sequence[str]) -> None:
        for kind in reversed(kinds):
            _, _, group_close, bracket_close = MARKS.get(kind, ("", "", "", ""))
            out.append(group_close + bracket_close)

    def open_(kinds: Sequence[str]) -> None:
        for kind in kinds:
            bracket_open, group_open, _, _ = MARKS.get(kind, ("", "", "", ""))
            out.append(bracket_open + group_open)

    for run in document.runs:
        common = 0
        while common < min(len(stack), len(run.kinds)) and stack[common] == run.kinds[common]:
            common += 1
        close(stack[common:])
        open_(run.kinds[common:])
        stack = list(run.kinds)
        if "gap" in run.kinds:
            out.append("…" if run.kinds[-1] == "gap" else "")
            continue
        for n, part in enumerate(_PARAGRAPH.split(run.text)):
            if n:
                groups = [k for k in stack if MARKS.get(k, ("", "", "", ""))[1]]
                for kind in reversed(groups):
                    out.append(MARKS[kind][2])
                out.append("\n\n")
                for kind in groups:
                    out.append(MARKS[kind][1])
            out.append(escape(part))
    close(stack)
    return "".join(out).strip() + "\n"
