"""The aligner on real texts nobody here wrote: Darwin's *Origin* ch. 1 in six editions.

The chapter comes from CollateX's own demo data (``../shared/corpora/darwin``, see SOURCES.md):
47 paragraphs, each in up to six editions (1859, 1860, 1861, 1866, 1869, 1872). The whole
chapter is collated as six texts (the paragraphs joined), and every paragraph on its own.
"""

from __future__ import annotations

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
#: Word-order inversions of short blocks (adjacent swaps), as an editor would flag them.
SWAPS = ("they will", "well", "hereafter", "directly", "under uniform conditions")


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


@pytest.fixture(scope="module")
def chapter_moves(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    paths = write_editions(tmp_path_factory.mktemp("darwin"), paragraphs())
    return moved_blocks(collatio.collate(paths, convention="plain"))


@pytest.mark.parametrize("phrase", COMMON_PHRASES)
def test_common_phrases_are_no_moves(chapter_moves: list[str], phrase: str) -> None:
    assert phrase not in chapter_moves


@pytest.mark.parametrize("block", REAL_MOVES + SWAPS)
def test_real_moves_are_kept(chapter_moves: list[str], block: str) -> None:
    assert block in chapter_moves


def test_no_lone_punctuation_is_a_swap(chapter_moves: list[str]) -> None:
    assert not {",", ".", ";"} & set(chapter_moves)


def test_paragraph_by_paragraph(tmp_path: Path) -> None:
    moves: list[str] = []
    for k, paragraph in enumerate(paragraphs()):
        directory = tmp_path / f"p{k}"
        directory.mkdir()
        moves.extend(moved_blocks(collatio.collate(write_editions(directory, [paragraph]),
                                                   convention="plain")))
    assert not set(COMMON_PHRASES) & set(moves)
    assert set(REAL_MOVES) <= set(moves)
