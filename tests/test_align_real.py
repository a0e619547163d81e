"""The aligner on real texts nobody here wrote: Darwin's *Origin* ch. 1 in six editions.

The chapter comes from CollateX's own demo data (``../shared/corpora/darwin``, see SOURCES.md):
47 paragraphs, each in up to six editions (1859, 1860, 1861, 1866, 1869, 1872). The whole
chapter is collated as six texts (the paragraphs joined), and every paragraph on its own.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

import collatio
from collatio.apparatus.model import Apparatus
from tests.support.shared import shared_path

#: Phrases that recur throughout the chapter: found in a deleted and in an added passage,
#: they are no evidence that anything moved.
COMMON_PHRASES = (
    "the conditions of life", "of the same species", ", &c.", "Mr. Blyth,", ", as far as",
)
#: Blocks the later editions really moved within their sentence.
REAL_MOVES = (
    "the varieties kept by savages", "be allowed to breed", "but how much we do not know",
    "the descendants of aboriginally distinct species", "works of high antiquity",
)
#: Word-order inversions of short blocks (adjacent swaps), as an editor would flag them; the
#: aligner keeps one of the two blocks in place and reports the other as moved.
SWAPS = (("they will", "as yet"), ("well", "knowing"), ("hereafter", "be"),
         ("directly", "by acting"), ("under uniform conditions", "on the same tree"))


def paragraphs() -> list[dict[str, Any]]:
    path = shared_path("corpora", "darwin", "origin-ch1-paragraphs.json")
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write_editions(directory: Path, paras: list[dict[str, Any]]) -> list[str]:
    """One plain-text file per edition, its paragraphs separated by blank lines."""
    editions: dict[str, list[str]] = {}
    for paragraph in paras:
        for witness in paragraph["witnesses"]:
            editions.setdefault(witness["id"], []).append(witness["content"])
    paths = []
    for siglum, texts in editions.items():
        path = directory / f"{siglum}.txt"
        path.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
        paths.append(str(path))
    return paths


def moved_blocks(apparatus: Apparatus) -> list[str]:
    """The text of every block the aligner reports as moved (as the first witness has it)."""
    assert apparatus.alignment is not None and apparatus.tokens is not None
    found = []
    for t in apparatus.alignment.transpositions:
        tokens = apparatus.tokens[t.witness_a]
        text = "".join(tokens.surfaces[i] + tokens.spaces[i] for i in range(t.a_start, t.a_end))
        found.append(" ".join(text.split()))
    return found


def reported(phrase: str, moves: list[str]) -> bool:
    """Whether *phrase* is one of *moves*, give or take a mark of punctuation at its ends."""
    return any(phrase in move and len(move) <= len(phrase) + 2 for move in moves)


@pytest.fixture(scope="module")
def chapter(tmp_path_factory: pytest.TempPathFactory) -> Apparatus:
    paths = write_editions(tmp_path_factory.mktemp("darwin"), paragraphs())
    return collatio.collate(paths, convention="plain")


@pytest.fixture(scope="module")
def chapter_moves(chapter: Apparatus) -> list[str]:
    return moved_blocks(chapter)


@pytest.mark.parametrize("phrase", COMMON_PHRASES)
def test_common_phrases_are_no_moves(chapter_moves: list[str], phrase: str) -> None:
    assert not reported(phrase, chapter_moves)


@pytest.mark.parametrize("block", REAL_MOVES)
def test_real_moves_are_kept(chapter_moves: list[str], block: str) -> None:
    assert reported(block, chapter_moves)


@pytest.mark.parametrize("swap", SWAPS, ids=" / ".join)
def test_word_order_inversions_are_swaps(chapter_moves: list[str], swap: tuple[str, str]
                                         ) -> None:
    assert any(reported(block, chapter_moves) for block in swap)


def test_no_lone_punctuation_is_swapped(chapter_moves: list[str]) -> None:
    # "within a dozen or , at most" / "within a dozen , or at most": a comma moved
    assert not {",", ".", ";", '"', "or"} & set(chapter_moves)


def test_paragraph_by_paragraph(tmp_path: Path) -> None:
    moves: list[str] = []
    for k, paragraph in enumerate(paragraphs()):
        directory = tmp_path / f"p{k}"
        directory.mkdir()
        moves.extend(moved_blocks(collatio.collate(write_editions(directory, [paragraph]),
                                                   convention="plain")))
    assert not any(reported(phrase, moves) for phrase in COMMON_PHRASES)
    assert all(reported(block, moves) for block in REAL_MOVES)


def split_readings(table: list[list[Any]]) -> list[tuple[int, int, int]]:
    """(x, y, column) wherever two rows of a CollateX table read the same words between two
    columns where they agree, but not in the same columns."""
    found = []
    width = len(table[0]) if table else 0

    def key(cell: Any) -> Any:
        return None if cell is None else " ".join(token["n"] for token in cell)

    for x, y in itertools.combinations(range(len(table)), 2):
        agree = [c for c in range(width)
                 if table[x][c] is not None and key(table[x][c]) == key(table[y][c])]
        for lo, hi in itertools.pairwise([-1, *agree, width]):
            cols_x = [c for c in range(lo + 1, hi) if table[x][c] is not None]
            cols_y = [c for c in range(lo + 1, hi) if table[y][c] is not None]
            if cols_x and [key(table[x][c]) for c in cols_x] == [
                key(table[y][c]) for c in cols_y
            ]:
                found.append((x, y, cols_x[0]))
    return found


def test_collatex_table_keeps_identical_readings_in_one_column(tmp_path: Path) -> None:
    """In 1869 and 1872, "the fact of this system" (paragraph 4) and ", and structure" once
    stood in other columns than the same words of the other editions."""
    for k, paragraph in enumerate(paragraphs()):
        directory = tmp_path / f"p{k}"
        directory.mkdir()
        apparatus = collatio.collate(write_editions(directory, [paragraph]), convention="plain")
        table = json.loads(collatio.render(apparatus, "collatex"))["table"]
        assert split_readings(table) == [], f"paragraph {k + 1}"


def test_collatex_table_of_the_chapter_keeps_identical_readings_together(
    chapter: Apparatus,
) -> None:
    table = json.loads(collatio.render(chapter, "collatex"))["table"]
    assert split_readings(table) == []
