"""Seeded synthetic witnesses: a base text and independently edited variants.

Everything is derived from one integer seed through string sub-seeds
(``random.Random(f"{seed}:base:{words}")`` and so on; Python hashes string seeds with
SHA-512, so the texts are identical on every machine and Python version 3.2+).

* **Vocabulary.** :data:`FUNCTION_WORDS` (the commonest English words) followed by invented
  word forms built from syllables, :data:`VOCABULARY_SIZE` forms in all, drawn with a
  Zipf-Mandelbrot distribution ``1 / (rank + ZIPF_SHIFT) ** ZIPF_EXPONENT``.
* **Base text.** Sentences of 3-45 words (log-normal, median about 16), a comma after about
  7% of the words, ending in ``.`` (88%), ``?`` (7%) or ``!`` (5%); paragraphs of 3-9
  sentences separated by a blank line; lines wrapped at 78 characters. Exactly *words* words
  (commas and end marks are extra tokens).
* **Variants.** Each variant is derived from the base *independently* (its own sub-seed):
  every word is edited with probability :data:`EDIT_RATE` (half substitutions by another
  vocabulary word, a quarter deletions, a quarter insertions of one or two words), then one
  sentence of 8-20 words is moved to a sentence boundary in another paragraph. Witness ``A``
  is the base; ``B``, ``C``, ... are variants 1, 2, ...; a set of *k* witnesses is ``A`` plus
  the first *k* - 1 variants, so the pair is contained in the triple and the triple in the
  five-witness set.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

VOCABULARY_SIZE = 4000
ZIPF_EXPONENT = 1.0
ZIPF_SHIFT = 2.7
EDIT_RATE = 0.05
EDIT_MIX = (("substitute", 0.50), ("delete", 0.25), ("insert", 0.25))
MOVED_WORDS = (8, 20)
LINE_WIDTH = 78



def _split(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = _split(
    "the of and to a in that is was he for it with as his on be at by i this had not are but "
    "from or have an they which one you were her all she there would their we him been has "
    "when who will more no if out so said what up its about into than them can only other new "
    "some could time these two may then do first any my now such like our over man me even "
    "most made after also did many before must through back years where much your way well "
    "down should because each just those people how too little state good very make world "
    "still own see men work long get here between both life being under never day same another "
    "know while last might us great old year off come since against go came right used take "
    "three"
)

_ONSETS = _split("b bl br c ch cr d dr f fl fr g gr h j k l m n p pl pr r s sh st t th tr v w y")
_ONSETS += [""] * 4
_NUCLEI = _split("a e i o u a e i o u ea ee ai ou")
_CODAS = _split("ck d l ll m n nd ng nt r rd rn rt s st t th") + [""] * 16


@dataclass
class Sentence:
    """One sentence: word and comma tokens, and the mark that ends it."""

    tokens: list[str]
    end: str
    #: per token, where it came from in the base: ``(paragraph, sentence, token)``, or None
    #: for an inserted word (a base sentence's own tokens: empty, they are the origin)
    origins: list[tuple[int, int, int] | None] = field(default_factory=list)
    #: ``(paragraph, sentence)`` of the base sentence this one was edited from
    source: tuple[int, int] | None = None


@dataclass
class Text:
    """Paragraphs of sentences."""

    paragraphs: list[list[Sentence]]

    def words(self) -> int:
        """The number of words (tokens other than commas and end marks)."""
        return sum(
            sum(1 for t in s.tokens if t != ",") for p in self.paragraphs for s in p
        )


@dataclass
class EditLog:
    """What a variant's derivation did to the base."""

    substitute: int = 0
    delete: int = 0
    insert: int = 0
    moved: list[str] = field(default_factory=list)

    @property
    def edits(self) -> int:
        """Word edits made (the moved block not counted)."""
        return self.substitute + self.delete + self.insert


class Vocabulary:
    """Word forms ranked by frequency, drawn from a Zipf-Mandelbrot distribution."""

    def __init__(self, seed: int, size: int = VOCABULARY_SIZE) -> None:
        rng = random.Random(f"{seed}:vocabulary")
        forms = list(dict.fromkeys(FUNCTION_WORDS))
        seen = set(forms)
        while len(forms) < size:
            word = "".join(
                rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS)
                for _ in range(rng.choice((1, 1, 2, 2, 2, 3)))
            )
            if len(word) >= 2 and word not in seen:
                seen.add(word)
                forms.append(word)
        self.forms: list[str] = forms
        weights = [1.0 / (rank + ZIPF_SHIFT) ** ZIPF_EXPONENT for rank in range(len(forms))]
        self.cumulative: list[float] = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random, k: int = 1) -> list[str]:
        """*k* word forms drawn by frequency."""
        return rng.choices(self.forms, cum_weights=self.cumulative, k=k)


def base_text(words: int, vocabulary: Vocabulary, seed: int) -> Text:
    """The base text: exactly *words* words in sentences and paragraphs."""
    rng = random.Random(f"{seed}:base:{words}")
    pool = iter(vocabulary.draw(rng, words))
    paragraphs: list[list[Sentence]] = []
    left = words
    while left > 0:
        paragraph: list[Sentence] = []
        for _ in range(rng.randint(3, 9)):
            if left <= 0:
                break
            length = min(left, max(3, min(45, round(rng.lognormvariate(2.8, 0.45)))))
            left -= length
            tokens: list[str] = []
            for i in range(length):
                tokens.append(next(pool))
                if i < length - 1 and rng.random() < 0.07:
                    tokens.append(",")
            end = rng.choices((".", "?", "!"), (88, 7, 5))[0]
            paragraph.append(Sentence(tokens, end))
        paragraphs.append(paragraph)
    return Text(paragraphs)


def variant_text(base: Text, vocabulary: Vocabulary, seed: int, words: int, k: int
                 ) -> tuple[Text, EditLog]:
    """Variant *k* (1, 2, ...) of *base*: word edits, then one moved sentence."""
    rng = random.Random(f"{seed}:variant:{words}:{k}")
    log = EditLog()
    ops = [name for name, _ in EDIT_MIX]
    op_weights = [weight for _, weight in EDIT_MIX]
    paragraphs: list[list[Sentence]] = []
    for p, paragraph in enumerate(base.paragraphs):
        edited: list[Sentence] = []
        for s, sentence in enumerate(paragraph):
            out: list[str] = []
            origins: list[tuple[int, int, int] | None] = []
            for t, token in enumerate(sentence.tokens):
                if token == ",":
                    if out and out[-1] != ",":  # no comma left stranded by a deletion
                        out.append(token)
                        origins.append((p, s, t))
                    continue
                if rng.random() >= EDIT_RATE:
                    out.append(token)
                    origins.append((p, s, t))
                    continue
                op = rng.choices(ops, op_weights)[0]
                if op == "substitute":
                    new = token
                    while new == token:
                        new = vocabulary.draw(rng)[0]
                    out.append(new)
                    origins.append((p, s, t))  # a variant reading of the same place
                    log.substitute += 1
                elif op == "delete" and len(sentence.tokens) > 2:
                    log.delete += 1
                else:
                    out.append(token)
                    origins.append((p, s, t))
                    added = vocabulary.draw(rng, rng.choice((1, 1, 2)))
                    out.extend(added)
                    origins.extend([None] * len(added))
                    log.insert += 1
            if out[-1] == ",":
                out.pop()
                origins.pop()
            edited.append(Sentence(out, sentence.end, origins, (p, s)))
        paragraphs.append(edited)
    _move_sentence(paragraphs, rng, log)
    return Text(paragraphs), log


def _move_sentence(paragraphs: list[list[Sentence]], rng: random.Random, log: EditLog) -> None:
    """Move one sentence of 8-20 words to a sentence boundary in another paragraph."""
    low, high = MOVED_WORDS
    candidates = [
        (p, s)
        for p, paragraph in enumerate(paragraphs)
        if len(paragraph) > 1
        for s, sentence in enumerate(paragraph)
        if low <= sum(1 for t in sentence.tokens if t != ",") <= high
    ]
    if not candidates or len(paragraphs) < 2:
        return
    p, s = rng.choice(candidates)
    sentence = paragraphs[p].pop(s)
    target = rng.choice([q for q in range(len(paragraphs)) if q != p])
    paragraphs[target].insert(rng.randint(0, len(paragraphs[target])), sentence)
    log.moved = [t for t in sentence.tokens if t != ","]


def render(text: Text, width: int = LINE_WIDTH) -> str:
    """The text as plain lines: wrapped paragraphs separated by one blank line."""
    blocks = []
    for paragraph in text.paragraphs:
        pieces: list[str] = []
        for sentence in paragraph:
            tokens = sentence.tokens
            first = True
            for token in tokens:
                if token == ",":
                    pieces[-1] += ","
                elif first:
                    pieces.append(token[:1].upper() + token[1:])
                    first = False
                else:
                    pieces.append(token)
            pieces[-1] += sentence.end
        blocks.append(_wrap(pieces, width))
    return "\n\n".join(blocks) + "\n"


def _wrap(pieces: Sequence[str], width: int) -> str:
    lines: list[str] = []
    line: list[str] = []
    used = 0
    for piece in pieces:
        if line and used + 1 + len(piece) > width:
            lines.append(" ".join(line))
            line, used = [], 0
        used += len(piece) + (1 if line else 0)
        line.append(piece)
    if line:
        lines.append(" ".join(line))
    return "\n".join(lines)


@dataclass
class WitnessSet:
    """The witness files written for one size."""

    words: int
    paths: list[Path]
    logs: list[EditLog]

    def files(self, witnesses: int) -> list[Path]:
        """The first *witnesses* files: the base and *witnesses* - 1 variants."""
        return self.paths[:witnesses]

    def edits(self, witnesses: int) -> int:
        """Word edits made in the variants of the first *witnesses* files."""
        return sum(log.edits for log in self.logs[: witnesses - 1])


def write_witnesses(directory: Path, words: int, witnesses: int, seed: int,
                    vocabulary: Vocabulary | None = None) -> WitnessSet:
    """Write ``A.txt`` (the base) and *witnesses* - 1 variants into *directory*."""
    vocabulary = vocabulary or Vocabulary(seed)
    directory.mkdir(parents=True, exist_ok=True)
    base = base_text(words, vocabulary, seed)
    paths = [directory / "A.txt"]
    paths[0].write_text(render(base), encoding="utf-8")
    logs = []
    for k in range(1, witnesses):
        text, log = variant_text(base, vocabulary, seed, words, k)
        path = directory / f"{chr(ord('A') + k)}.txt"
        path.write_text(render(text), encoding="utf-8")
        paths.append(path)
        logs.append(log)
    return WitnessSet(words, paths, logs)


# --------------------------------------------------------------------------- adversarial sets

SEED_TEXT = Path(__file__).resolve().parent.parent / "seeds" / "002_82ee7afc6dc33c74.txt"
"""The repository's seed 002 (Stalin's letters to Mao, October 1950), the repetitive text."""
REPLACED = 0.2
"""Share of the words replaced in the shuffled rewrite."""


def _seed_paragraphs() -> list[list[str]]:
    """Seed 002's prose paragraphs (25 words or more, no title lines), as words."""
    text = SEED_TEXT.read_text(encoding="utf-8")
    return [p.split() for p in text.split("\n\n")
            if len(p.split()) >= 25 and "Message from" not in p]


def repetitive_pair(words: int, seed: int) -> tuple[str, str]:
    """Seed 002's prose repeated to *words* words, and a rewrite of it: the paragraphs
    shuffled and a fifth of the words replaced by words of the same text (an archive of
    formularies, refrains or registers: nothing is unique, everything recurs)."""
    rng = random.Random(f"{seed}:repetitive:{words}")
    source = _seed_paragraphs()
    paragraphs: list[list[str]] = []
    total = 0
    while total < words:
        for paragraph in source:
            if total >= words:
                break
            piece = paragraph[: words - total]
            paragraphs.append(piece)
            total += len(piece)
    vocabulary = [w for p in source for w in p]
    shuffled = paragraphs[:]
    rng.shuffle(shuffled)
    rewritten = [[rng.choice(vocabulary) if rng.random() < REPLACED else w for w in p]
                 for p in shuffled]
    return (_plain(paragraphs), _plain(rewritten))


def disjoint_pair(words: int, seed: int, vocabulary: Vocabulary) -> tuple[str, str]:
    """Two texts of *words* words with no word in common (the second's word forms are all
    prefixed), sharing only their punctuation."""
    first = base_text(words, vocabulary, seed)
    second = base_text(words, vocabulary, seed + 1)
    for paragraph in second.paragraphs:
        for sentence in paragraph:
            sentence.tokens = [t if t == "," else "zy" + t for t in sentence.tokens]
    return render(first), render(second)


def _plain(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(_wrap(p, LINE_WIDTH) for p in paragraphs) + "\n"
