"""Every witness file of ``../shared/corpora`` (TEI transcriptions, parallel segmentation,
Word, Markdown, CollateX JSON) read end to end by the command line, as a new user would:
``collatio parse`` and ``collatio collate`` exit 0, every revision state becomes a text of the
collation, and no markup (tags, entities, ids, Markdown marks) leaks into a state, a reading,
the text between units or the documents' runs. Files are collated in the runs an editor would
make: a chunk's texts together, a file holding several witnesses on its own."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collatio.cli import main
from tests.support.shared import shared_dir, shared_path

# What the readers must never let through: tags, character references, the ids and
# milestone attributes of TEI, the marks of Markdown (outside code, where they are text).
_XML = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]\w*);"
                  r"|xml:id|\bsID=|\beID=|\bw:[a-z]")
_MARKDOWN = re.compile(r"\]\(|\{[#.]|^\s*:::|^#{1,6} |^```|^~~~", re.M)

WITNESS_SUFFIXES = (".xml", ".docx", ".md", ".json")
NOT_WITNESSES = ("SOURCES.md", "SOURCE-README.md")  # the corpora's own descriptions


def is_witness(path: Path) -> bool:
    return path.suffix in WITNESS_SUFFIXES and path.name not in NOT_WITNESSES


def corpora() -> Path:
    return shared_path("corpora")


def runs() -> list[tuple[str, list[str]]]:
    """The collations to run, each a list of paths relative to ``corpora/``; none if the
    shared folder is missing (then the coverage test below skips, or fails under CI)."""
    root = shared_dir() / "corpora"

    def names(folder: str) -> list[str]:
        return sorted(str(p.relative_to(root)) for p in (root / folder).glob("*")
                      if is_witness(p))

    out: list[tuple[str, list[str]]] = []
    for chunk in ("C10", "C28"):
        texts = [n for n in names(f"frankenstein/{chunk}") if "collatex" not in n]
        out.append((f"frankenstein-{chunk}", texts))
        out.append((f"frankenstein-{chunk}-collatex", [f"frankenstein/{chunk}/"
                                                       "collatex-reference.xml"]))
    out.append(("frankenstein-variorum", names("frankenstein/variorum-2023")))
    out.append(("hypercollate", names("hypercollate")))
    # one file a run where a file already holds several witnesses or states, or where
    # aligning whole books would be a benchmark, not a test
    for folder in ("frankenstein/novel-prelim", "docx", "vmachine", "darwin"):
        out.extend((name, [name]) for name in names(folder))
    # the pandoc manual: its first and last releases against each other, the middle alone
    manuals = names("markdown")
    if manuals:
        out += [("markdown", manuals[::2]), ("markdown-middle", manuals[1:-1])]
    return out


RUNS = runs()


def test_the_runs_cover_every_witness_file() -> None:
    root = corpora()
    every = sorted(str(p.relative_to(root)) for p in root.rglob("*")
                   if is_witness(p))
    covered = sorted(name for _, files in runs() for name in files)
    assert covered == every
    assert {".xml", ".docx", ".md"} <= {Path(name).suffix for name in every}


def _code_spans(spans: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for span in spans:
        if span["label"] == "code":
            yield span
        yield from _code_spans(span["children"])


def _leaks(text: str, markdown: bool) -> list[str]:
    found = [m.group() for m in _XML.finditer(text)]
    if markdown:
        found += [m.group() for m in _MARKDOWN.finditer(text)]
    return found


def _run(tmp_path: Path, command: str, files: list[Path]) -> dict[str, Any]:
    out = tmp_path / f"{command}.json"
    assert main([command, *map(str, files), "--format", "json", "-o", str(out)]) == 0
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize(("name", "relative"), RUNS, ids=[name for name, _ in RUNS])
def test_parse_and_collate_read_every_witness_with_no_markup(tmp_path: Path, name: str,
                                                             relative: list[str]) -> None:
    files = [corpora() / n for n in relative]
    markdown = files[0].suffix == ".md"

    parsed = _run(tmp_path, "parse", files)
    assert parsed["witnesses"], name
    leaks: list[tuple[str, str, list[str]]] = []
    # code is Markdown's text, marks and all: blanked before looking, the longest piece
    # first so that a short one never cuts a longer
    pieces = sorted({span["text"] for witness in parsed["witnesses"]
                     for span in _code_spans(witness["spans"])}, key=len, reverse=True)

    def leaks_in(text: str) -> list[str]:
        found = _leaks(text, markdown)
        if found and pieces:
            for piece in pieces:
                text = text.replace(piece, " " * len(piece))
            found = _leaks(text, markdown)
        return found

    for witness in parsed["witnesses"]:
        for state, text in witness["states"].items():
            if found := leaks_in(text):
                leaks.append((witness["id"], state, found[:3]))
    assert leaks == [], name

    collated = _run(tmp_path, "collate", files)
    states = sum(len(w["states"]) for w in parsed["witnesses"])
    assert len(collated["witnesses"]) == states, name
    if len(relative) > 1:
        assert collated["apparatus"], name  # different texts, so variation units
    for unit in collated["apparatus"]:
        for reading in unit["readings"]:
            if found := leaks_in(reading["text"]):
                leaks.append((unit["id"], reading["text"], found[:3]))
    for between in collated["flow"]:
        if found := leaks_in(between):
            leaks.append(("flow", between, found[:3]))
    for document in collated["documents"]:
        for run in document["runs"]:
            if found := leaks_in(run["text"]):
                leaks.append((document["witness"], run["text"], found[:3]))
    assert leaks == [], name
