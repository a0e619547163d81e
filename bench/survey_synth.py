"""A seeded synthetic archive for the survey benchmark, with the truth of what is in it.

``write_archive(folder, documents, seed)`` writes *documents* plain-text files (100-3,000
words, log-normal, median 800) and their truth beside the folder:

* **Vocabulary.** The commonest English words, then invented forms (``synth.Vocabulary``,
  40,000 forms, Zipf-Mandelbrot), plus 400 *topics* of 30 rarer words each: a document has
  one topic and draws 6% of its words from it, so unrelated documents on one topic share
  rare words, as telegrams about one negotiation do.
* **Families** (about 30% of the documents): 2-5 versions of one base text. Each version
  is derived from the base or from an earlier version: word edits at a rate drawn from
  2%, 5%, 10% and 20% (half substitutions, a quarter deletions, a quarter insertions), a
  paragraph moved elsewhere (half of them), a paragraph rewritten with 60% new words (a
  third). A third of the families also get one *translation-like heavy rewrite* of the
  base: every function word redrawn, 35% of the content words replaced by a fixed
  "synonym", 5% dropped, and three sentences in ten with their halves swapped.
* **Reused passages** (one for every twelve documents): 20-200 consecutive words of a
  document outside any family, at most 40% of it, quoted (with 2% substitutions) as a
  paragraph of its own into one or two other such documents, at most 40% of each.
* The rest is unrelated, and the five seeds are dropped in (``seeds/``), with two extra
  documents made from seed 004: Mao's telegram of 15 July 1952 and Kim's reply of 16 July,
  each on its own (lightly re-translated), as an archive would also hold them.

``ARCHIVE.truth.json`` beside the folder: ``families`` (lists of file names, relative to
the folder), ``passages`` (each a list of occurrences ``[file, start, end]``, character
offsets in the file), and ``expected_seed_links`` (the 004 telegram pairs).
"""

from __future__ import annotations

import json
import math
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

# bench/ is not a package; last on the path, so that no bench module (as html.py once did) hides a
# standard one
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parent))
import synth

VOCABULARY = 40_000
TOPICS = 400
TOPIC_WORDS = 30
TOPIC_SHARE = 0.06
FAMILY_SHARE = 0.30
EDIT_RATES = (0.02, 0.05, 0.10, 0.20)
TRANSLATION_SHARE = 1 / 3
PASSAGE_EVERY = 12
SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
FUNCTION = frozenset(synth.FUNCTION_WORDS)

Word = tuple[str, int]  # a form and the planted passage it belongs to (-1: none)
Sentence = tuple[list[Word], str]
Doc = list[list[Sentence]]


@dataclass
class World:
    rng: random.Random
    vocabulary: synth.Vocabulary
    topics: list[list[str]]

    def word(self, topic: int) -> str:
        if self.rng.random() < TOPIC_SHARE:
            return self.rng.choice(self.topics[topic])
        return self.vocabulary.draw(self.rng)[0]

    def synonym(self, form: str) -> str:
        """A fixed other form (the same in every document): a second translator's word."""
        pick = random.Random(f"synonym:{form}")
        return self.vocabulary.forms[pick.randrange(len(FUNCTION), len(self.vocabulary.forms))]


def _length(rng: random.Random) -> int:
    return max(100, min(3000, round(rng.lognormvariate(math.log(800), 0.6))))


def make_doc(world: World, words: int, topic: int) -> Doc:
    rng = world.rng
    doc: Doc = []
    left = words
    while left > 0:
        paragraph: list[Sentence] = []
        for _ in range(rng.randint(2, 7)):
            if left <= 0:
                break
            length = min(left, max(3, min(45, round(rng.lognormvariate(2.8, 0.45)))))
            left -= length
            paragraph.append(([(world.word(topic), -1) for _ in range(length)],
                              rng.choices((".", "?", "!"), (88, 7, 5))[0]))
        doc.append(paragraph)
    return doc


def words_of(doc: Doc) -> int:
    return sum(len(s[0]) for p in doc for s in p)


def edit(world: World, doc: Doc, rate: float, topic: int) -> Doc:
    rng = world.rng
    out: Doc = []
    for paragraph in doc:
        new_paragraph: list[Sentence] = []
        for words, end in paragraph:
            new: list[Word] = []
            for w in words:
                if rng.random() >= rate:
                    new.append(w)
                    continue
                r = rng.random()
                if r < 0.5:
                    new.append((world.word(topic), w[1]))
                elif r < 0.75 and len(words) > 2:
                    continue
                else:
                    new.append(w)
                    new.extend((world.word(topic), w[1]) for _ in range(rng.choice((1, 1, 2))))
            new_paragraph.append((new or words, end))
        out.append(new_paragraph)
    return out


def move_paragraph(world: World, doc: Doc) -> None:
    if len(doc) >= 3:
        paragraph = doc.pop(world.rng.randrange(len(doc)))
        doc.insert(world.rng.randrange(len(doc) + 1), paragraph)


def rewrite_paragraph(world: World, doc: Doc, topic: int) -> None:
    if len(doc) >= 3:
        k = world.rng.randrange(len(doc))
        doc[k] = [([(world.word(topic), -1) if world.rng.random() < 0.6 else w for w in words],
                   end) for words, end in doc[k]]


def translate(world: World, doc: Doc) -> Doc:
    rng = world.rng
    out: Doc = []
    for paragraph in doc:
        new_paragraph: list[Sentence] = []
        for words, end in paragraph:
            new: list[Word] = []
            for form, tag in words:
                if form in FUNCTION:
                    new.append((rng.choice(synth.FUNCTION_WORDS), tag))
                    continue
                r = rng.random()
                if r < 0.35:
                    new.append((world.synonym(form), tag))
                elif r < 0.40:
                    continue
                else:
                    new.append((form, tag))
            if len(new) > 6 and rng.random() < 0.3:
                half = len(new) // 2
                new = new[half:] + new[:half]
            new_paragraph.append((new or words, end))
        out.append(new_paragraph)
    return out


def render(doc: Doc) -> tuple[str, dict[int, tuple[int, int]]]:
    """The document's text, and each planted passage's character range in it."""
    pieces: list[str] = []
    spans: dict[int, tuple[int, int]] = {}
    offset = 0
    for p, paragraph in enumerate(doc):
        if p:
            pieces.append("\n\n")
            offset += 2
        column = 0
        for words, end in paragraph:
            for i, (form, tag) in enumerate(words):
                text = form[:1].upper() + form[1:] if i == 0 else form
                if i == len(words) - 1:
                    text += end
                if column and column + 1 + len(text) > 78:
                    pieces.append("\n")
                    offset += 1
                    column = 0
                elif column:
                    pieces.append(" ")
                    offset += 1
                    column += 1
                if tag >= 0:
                    lo, _ = spans.get(tag, (offset, offset))
                    spans[tag] = (min(lo, offset), offset + len(form))
                pieces.append(text)
                offset += len(text)
                column += len(text)
    pieces.append("\n")
    return "".join(pieces), spans


def _flat(doc: Doc) -> list[tuple[int, int, int]]:
    return [(p, s, w) for p, paragraph in enumerate(doc)
            for s, (words, _) in enumerate(paragraph) for w in range(len(words))]


def plant(world: World, source: Doc, targets: list[Doc], pid: int) -> bool:
    """Quote a stretch of *source* into each of *targets* (tagging it *pid* everywhere)."""
    rng = world.rng
    places = _flat(source)
    limit = min(200, int(0.4 * len(places)),
                *(int(0.4 * words_of(t)) for t in targets))
    if limit < 20:
        return False
    length = rng.randint(20, limit)
    start = rng.randrange(len(places) - length + 1)
    if any(source[p][s][0][w][1] >= 0 for p, s, w in places[start : start + length]):
        return False
    quoted: list[str] = []
    for p, s, w in places[start : start + length]:
        words, _ = source[p][s]
        words[w] = (words[w][0], pid)
        quoted.append(words[w][0])
    for target in targets:
        copy = [(world.vocabulary.draw(rng)[0] if rng.random() < 0.02 else form, pid)
                for form in quoted]
        target.insert(rng.randrange(len(target) + 1), [(copy, ".")])
    return True


def _seed_telegrams(folder: Path, rng: random.Random) -> list[list[str]]:
    """Mao's 15 July and Kim's 16 July telegrams from seed 004, each as its own document."""
    text = (SEEDS / "004_0e53a1df6a5d7bb4.txt").read_text(encoding="utf-8")
    made = []
    cuts = (("“To Comrade KIM IL SUNG.", "15.7.52”",
             "Telegram from Mao Zedong to Kim Il Sung, 15 July 1952"),
            ("“To Comrade MAO ZEDONG!", "”",
             "Telegram from Kim Il Sung to Mao Zedong, 16 July 1952"))
    for start, end, title in cuts:
        lo = text.index(start)
        hi = text.index(end, lo + len(start)) + len(end)
        words = text[lo + 1 : hi - 1].split(" ")
        # a second translation: a few words put otherwise
        words = [w if rng.random() >= 0.03 else rng.choice(synth.FUNCTION_WORDS) for w in words]
        name = f"seeds/extra-{len(made) + 1}.txt"
        (folder / name).write_text(f"{title}\n\n{' '.join(words)}\n", encoding="utf-8")
        made.append([name, "seeds/004_0e53a1df6a5d7bb4.txt"])
    return made


def truth_file(folder: Path) -> Path:
    """Where the truth of the archive in *folder* is written: beside it, not in it (a JSON
    file in the archive would be read as a document)."""
    return folder.with_name(folder.name + ".truth.json")


def write_archive(folder: Path, documents: int, seed: int = 1950,
                  seeds: bool = True) -> dict[str, object]:
    """Write the archive into *folder* and its truth beside it; returns the truth."""
    rng = random.Random(f"{seed}:archive:{documents}")
    vocabulary = synth.Vocabulary(seed, VOCABULARY)
    content = vocabulary.forms[len(FUNCTION):]
    topics = [rng.sample(content[2000:], TOPIC_WORDS) for _ in range(TOPICS)]
    world = World(rng, vocabulary, topics)
    docs: list[Doc] = []
    family_of: list[int] = []
    families: list[list[int]] = []
    in_families = round(FAMILY_SHARE * documents)
    while sum(map(len, families)) < in_families:
        size = min(rng.randint(2, 5), max(2, in_families - sum(map(len, families))))
        topic = rng.randrange(TOPICS)
        base = make_doc(world, _length(rng), topic)
        members = [base]
        translation = rng.random() < TRANSLATION_SHARE and size >= 2
        for k in range(1, size):
            if translation and k == size - 1:
                members.append(translate(world, base))
                break
            parent = rng.choice(members[: max(1, k)])
            version = edit(world, parent, rng.choice(EDIT_RATES), topic)
            if rng.random() < 0.5:
                move_paragraph(world, version)
            if rng.random() < 1 / 3:
                rewrite_paragraph(world, version, topic)
            members.append(version)
        families.append(list(range(len(docs), len(docs) + len(members))))
        for member in members:
            docs.append(member)
            family_of.append(len(families) - 1)
    singles = list(range(len(docs), documents))
    for _ in singles:
        docs.append(make_doc(world, _length(rng), rng.randrange(TOPICS)))
        family_of.append(-1)
    passages = 0
    for _ in range(documents // PASSAGE_EVERY):
        if len(singles) < 3:
            break
        source, *targets = rng.sample(singles, 3 if rng.random() < 0.3 else 2)
        if plant(world, docs[source], [docs[t] for t in targets], passages):
            passages += 1
    order = list(range(documents))
    rng.shuffle(order)  # family members are not neighbours in the archive
    names = {doc: f"docs/{position // 1000:02d}/doc-{position:06d}.txt"
             for position, doc in enumerate(order)}
    occurrences: dict[int, list[list[object]]] = {}
    if folder.exists():
        shutil.rmtree(folder)
    for doc, name in names.items():
        text, spans = render(docs[doc])
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        for pid, (lo, hi) in spans.items():
            occurrences.setdefault(pid, []).append([name, lo, hi])
    truth: dict[str, object] = {
        "documents": documents,
        "families": [sorted(names[m] for m in family) for family in families],
        "passages": [occurrences[p] for p in sorted(occurrences) if len(occurrences[p]) > 1],
        "words": sum(words_of(d) for d in docs),
    }
    if seeds:
        (folder / "seeds").mkdir(parents=True, exist_ok=True)
        for seed_file in sorted(SEEDS.glob("*.txt")):
            shutil.copy(seed_file, folder / "seeds" / seed_file.name)
        truth["expected_seed_links"] = _seed_telegrams(folder, rng)
        truth["seed_families"] = [["seeds/002_82ee7afc6dc33c74.txt#F",
                                   "seeds/002_82ee7afc6dc33c74.txt#D"]]
    truth_file(folder).write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return truth


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1950)
    args = parser.parse_args()
    made = write_archive(args.folder, args.documents, args.seed)
    print(f"wrote {made['documents']} documents ({made['words']:,} words) into {args.folder}")
