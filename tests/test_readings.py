"""Every reading of the apparatus is a contiguous stretch of its witness's text (issue 10).

A block the aligner reports as moved must not take its words out of the reading around it:
the reading at each place is what the witness reads there, from the place's first token to
its last, every word included. Checked as a property and on Darwin's chapter 1 in six
editions, and its 47 paragraphs one by one.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import attrs
from hypothesis import given, settings

import collatio
from collatio.apparatus.model import Apparatus, Place
from collatio.normalize import typography
from tests.strategies import edited_versions
from tests.test_align_real import paragraphs, write_editions


def folded(text: str) -> str:
    """*text* as the comparison always sees it (NFKC, typography), without whitespace."""
    return "".join(typography(unicodedata.normalize("NFKC", text)).split())


def losses(apparatus: Apparatus) -> list[tuple[str, str, str, str]]:
    """``(unit, siglum, reading, source)`` wherever a reading differs, beyond spacing, from its
    witness's text over the reading's token range."""
    assert apparatus.tokens is not None
    tokens = {w.siglum: t for w, t in zip(apparatus.witnesses, apparatus.tokens, strict=True)}
    found = []
    for unit in apparatus.all_units():
        for reading in unit.readings:
            for place in reading.places:
                t = tokens[place.siglum]
                source = "".join(t.surfaces[i] for i in range(*place.tokens))
                own = reading.text_of(place.siglum)  # its minor variants in place
                # texts that differ only in typographic or compatibility forms share a
                # reading, in its first text's forms (the comparison's always-on folding)
                if folded(source) != folded(own):
                    found.append((unit.id, place.siglum, own, source))
    return found


def test_losses_sees_a_reading_that_lost_words() -> None:
    """The check itself: a reading whose text leaves out words of its range is caught."""
    apparatus = collatio.collate_texts({"A": "one two three\n", "B": "one four three\n"})
    assert losses(apparatus) == []
    unit = apparatus.units[0]
    place = unit.readings[0].places[0]
    wider = Place(  # the reading "two" given the range "two three"
        place.siglum, (place.tokens[0], place.tokens[1] + 1), place.words, place.paragraph,
        place.line, place.column, place.start, place.end)
    reading = attrs.evolve(unit.readings[0], places=(wider,))
    broken = attrs.evolve(apparatus, units=(attrs.evolve(unit, readings=(
        reading, *unit.readings[1:])),))
    assert [(u, s, r) for u, s, r, _ in losses(broken)] == [(unit.id, "A", "two")]


@given(edited_versions())
@settings(max_examples=60, deadline=None)
def test_every_reading_is_a_contiguous_stretch_of_its_witness(texts: dict[str, str]) -> None:
    assert losses(collatio.collate_texts(texts, convention="plain")) == []


def test_no_reading_of_darwins_chapter_loses_words(tmp_path: Path) -> None:
    apparatus = collatio.collate(write_editions(tmp_path, paragraphs()), convention="plain")
    assert losses(apparatus) == []


def test_no_reading_of_darwins_paragraphs_loses_words(tmp_path: Path) -> None:
    lost = []
    for k, paragraph in enumerate(paragraphs()):
        directory = tmp_path / f"p{k}"
        directory.mkdir()
        apparatus = collatio.collate(write_editions(directory, [paragraph]), convention="plain")
        lost.extend((k + 1, *loss) for loss in losses(apparatus))
    assert lost == []
