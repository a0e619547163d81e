"""The apparatus as plain text for people, optionally coloured for a terminal.

Each unit shows where it stands in the base text (paragraph, words, source line), its type,
then the lemma (``lemma ] sigla``) and every other reading with its sigla; ``om.`` marks an
omission, and readings the document's hand added or deleted say so. A reading shared by
witnesses that differ only inside it (a draft's two states, texts that differ in case)
is shown once, abridged, with its sub-units indented under it; what the hand struck inside
a reading, and a moved block inside it, follow the reading. The report of what became of
the draft's hand revisions follows.

Nothing from the apparatus reaches a terminal raw: every value passes through
:func:`collatio.terminal.printable`, and the finished text once more, so that the only
control sequences in it are the renderer's own colours (:data:`COLOURS`).
"""

from __future__ import annotations

import re
import textwrap

from collatio.apparatus.model import (
    HAND_LABELS,
    Apparatus,
    Place,
    Reading,
    UnitType,
    VariationUnit,
)
from collatio.apparatus.revisions import revision_report
from collatio.normalize import minor_form
from collatio.render.base import Option, Renderer
from collatio.terminal import printable

#: The SGR codes the renderer itself writes (reset, bold, yellow, cyan): the only escape
#: sequences its coloured output holds. A new colour is added here.
COLOURS = ("0", "1", "31", "32", "33", "36")
_OWN_SEQUENCE = re.compile("(" + "|".join(re.escape(f"\x1b[{c}m") for c in COLOURS) + ")")


def inert(text: str, *, colour: bool = False) -> str:
    """*text* as :func:`~collatio.terminal.printable` shows it, lines kept; with *colour*,
    the renderer's own colour sequences are kept too."""
    if not colour:
        return printable(text, newlines=True)
    parts = _OWN_SEQUENCE.split(text)
    parts[::2] = [printable(part, newlines=True) for part in parts[::2]]
    return "".join(parts)


class TextRenderer(Renderer):
    """A readable apparatus; ``color=True`` adds ANSI colours (the CLI does so on a tty)."""

    name = "text"
    aliases = ("txt", "terminal")
    filenames = ("*.txt",)
    media_type = "text/plain"
    extension = ".txt"
    terminal_safe = True
    options_declared = (
        Option("color", bool, False, "ANSI colours (default: on a terminal; see --color)"),
        Option("width", int, 100, "the line width (default: the terminal's, else 100)",
               minimum=20, maximum=10_000),
        Option("max_words", int, 60, "elide readings longer than this many words (0: never)",
               minimum=0, maximum=10_000_000),
    )

    def _c(self, text: str, code: str) -> str:
        text = printable(text)
        return f"\x1b[{code}m{text}\x1b[0m" if self.options.get("color") else text

    def render(self, apparatus: Apparatus) -> str:
        width = int(self.options.get("width", 100))
        out: list[str] = []
        counts: dict[str, int] = {}
        for unit in apparatus.units:
            counts[unit.type.value] = counts.get(unit.type.value, 0) + 1
        summary = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no differences"
        unrelated = any(d.code == "unrelated-texts" for d in apparatus.diagnostics)
        out.append(
            f"{len(apparatus.witnesses)} texts, {len(apparatus.units)} variation units "
            f"({summary}); base text (lemma): {apparatus.base}"
            + ("; the texts look unrelated (see the diagnostics)" if unrelated else "")
        )
        out.append("")
        out.append(self._c("Witnesses", "1"))
        pad = max([7, *(len(printable(w.siglum)) + 2 for w in apparatus.witnesses)])
        for w in apparatus.witnesses:
            date = f", {w.date}" if w.date else ""
            siglum = self._c(f"{printable(w.siglum):<{pad}}", "36")
            out.append(f"  {siglum}{printable(w.label)}{printable(date)}  [{printable(w.path)}]")
        out.append("")
        out.append(self._c("Apparatus", "1"))
        if not apparatus.units:
            out.append("  The texts agree: no variation units.")
        for unit in apparatus.units:
            out.extend(self._unit(unit, apparatus.base, width))
        if apparatus.revisions:
            out.append("")
            out.append(self._c("Hand revisions", "1"))
            out.extend("  " + line if line else line
                       for line in revision_report(apparatus.revisions).splitlines())
        if apparatus.diagnostics:
            out.append("")
            out.append(self._c("Diagnostics", "1"))
            for d in apparatus.diagnostics:  # warnings and errors in yellow
                line = printable(str(d))
                out.append(f"  {line if d.severity.value == 'info' else self._c(line, '33')}")
        return inert("\n".join(out) + "\n", colour=bool(self.options.get("color")))

    def _unit(self, unit: VariationUnit, base: str, width: int, depth: int = 0) -> list[str]:
        first = unit.lemma or next((r for r in unit.readings if r.text), unit.readings[0])
        anchor = first.places[0]
        where = _where(anchor)
        flags = unit.type.value + (" (minor)" if unit.minor else "")
        if unit.lacunose:
            counts = "; ".join(f"{p.siglum}: {p.words[1] - p.words[0]} words"
                               for r in unit.readings for p in r.places)
            flags = f"lacuna in {' '.join(unit.lacunose)}" + (f" ({counts})" if counts else "")
        margin = "  " + "    " * depth
        label = f"{unit.id:<{5 + 2 * depth}}"
        lines = [f"{margin}{self._c(label, '1')}{where}  {self._c(flags, '33')}"]
        indent = " " * (len(margin) + 5)
        limit = int(self.options.get("max_words", 60))
        for reading in unit.readings:
            shown = _abridge(reading.text) if reading.subunits else _elide(reading.text, limit)
            # line breaks and tabs are spaces (as wrapping makes them, and colours are laid on
            # the unwrapped text); every other control is shown as an escape
            text = printable(shown, newlines=True).replace(
                "\n", " ").replace("\t", " ") if reading.text else "om."
            by_hand = {place.hand for place in reading.places} - {None}
            sigla = " ".join(printable(siglum) for siglum in reading.witnesses)
            hands = "" if reading.subunits else _hand_note(reading)
            if _minor_variant(reading, unit):
                hands += " (minor)"
            between = " ] " if reading is unit.lemma else "  "
            body = f"{text}{between}{sigla}{hands}"
            # colours are laid on after wrapping, so that they take no width
            spans = [(len(text) + len(between), len(text) + len(between) + len(sigla), "36")]
            if (reading.text and not reading.subunits and by_hand <= {"add", "del"}
                    and len(by_hand) == 1):
                spans.append((0, len(text), "32" if by_hand == {"add"} else "31"))
            wrapped = textwrap.wrap(body, width=width, initial_indent=indent,
                                    subsequent_indent=indent + "  ", break_on_hyphens=False)
            lines.extend(self._paint(body, wrapped, spans) if self.options.get("color")
                         else wrapped or [indent])
            for note in _inside(reading, unit):
                lines.extend(textwrap.wrap(printable(note, newlines=True), width=width,
                                           initial_indent=indent + "  ",
                                           subsequent_indent=indent + "    ",
                                           break_on_hyphens=False))
            for sub in reading.subunits:
                lines.extend(self._unit(sub, base, width, depth + 1))
        return lines

    def _paint(self, body: str, wrapped: list[str], spans: list[tuple[int, int, str]]
               ) -> list[str]:
        """*wrapped* (lines of *body*) with the parts of *body* in *spans* coloured."""
        painted, at = [], 0
        for line in wrapped:
            content = line.lstrip(" ")
            start = body.find(content, at)
            end = start + len(content)
            at = end
            marks = sorted((max(a, start), min(b, end), code) for a, b, code in spans
                           if a < end and b > start)
            out, cursor = [], start
            for a, b, code in marks:
                out.append(body[cursor:a])
                out.append(self._c(body[a:b], code))
                cursor = b
            out.append(body[cursor:end])
            painted.append(line[: len(line) - len(content)] + "".join(out))
        return painted


def genesis_words(kinds: tuple[str, ...]) -> str:
    """What the hand did, in words: ``("add", "del")`` -> ``struck inside an insertion``.

    >>> genesis_words(("del", "add"))
    'added inside a deletion'
    """
    hand = [k for k in kinds if k in ("add", "del")]
    if not hand:
        return "left out here"
    verb = {"add": "added", "del": "struck"}[hand[-1]]
    if len(hand) == 1:
        return f"{verb} here"
    return f"{verb} inside {'an insertion' if hand[-2] == 'add' else 'a deletion'}"


def _minor_variant(reading: Reading, unit: VariationUnit) -> bool:
    """Whether *reading* differs from the lemma only in case, accents or punctuation."""
    lemma = unit.lemma
    return (lemma is not None and reading is not lemma and not unit.minor
            and bool(reading.text) and reading.text != lemma.text
            and minor_form(reading.text) == minor_form(lemma.text))


def _abridge(text: str, head: int = 6, tail: int = 4) -> str:
    """A long shared reading as its first and last words and its length."""
    words = text.split()
    if len(words) <= head + tail + 2:
        return text
    return f"{' '.join(words[:head])} … {' '.join(words[-tail:])} ({len(words)} words)"


def _inside(reading: Reading, unit: VariationUnit) -> list[str]:
    """What the hand struck inside the reading, and the moved blocks in it, one line each."""
    notes: list[str] = []
    for place in reading.places:
        for genesis in place.genesis:
            notes.append(f"{place.siglum}: {genesis.text!r} {genesis_words(genesis.kinds)} "
                         f"({genesis.line}:{genesis.column})")
        if unit.type is not UnitType.TRANSPOSITION:
            text = reading.text_of(place.siglum)
            for moved in place.moved:
                block = text[moved.start:moved.end]
                notes.append(f"{place.siglum}: {_elide(block, 12)!r} is a moved block, see "
                             f"{moved.unit}")
    return notes


def _elide(text: str, limit: int) -> str:
    """At most *limit* words: the beginning and the end, with the count of those left out."""
    words = text.split()
    if limit <= 0 or len(words) <= limit:
        return text
    head, tail = words[: limit * 2 // 3], words[-(limit // 3) :]
    left_out = len(words) - len(head) - len(tail)
    return f"{' '.join(head)} [… {left_out} words …] {' '.join(tail)}"


def _where(place: Place) -> str:
    first, last = place.words
    words = f"w{first + 1}" if last - first <= 1 else f"w{first + 1}-{last}"
    if last == first:
        words = f"after w{first}" if first else "at start"
    return f"{place.siglum} ¶{place.paragraph} {words} ({place.line}:{place.column})"


def _hand_note(reading: Reading) -> str:
    notes = [f"{place.siglum} {HAND_LABELS[place.hand]}" for place in reading.places
             if place.hand in HAND_LABELS]
    return f" ({'; '.join(notes)})" if notes else ""
