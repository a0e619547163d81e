"""How close collatio's alignment table comes to the true one, on synthetic witnesses.

Usage::

    python bench/truth.py --words 100 --witnesses 1000 [--src SRC] [--seed 1950]

:mod:`synth` derives every variant from the base text and records, for each token, the base
token it came from (kept or substituted: the same place; inserted: none). Two tokens of
different witnesses *belong together* when they came from the same base token. Over every
column of the table this prints:

* **recall**: of the pairs that belong together, the share the table puts in one column;
* **precision**: of the pairs the table puts in one column, the share that belong together;
* the time of the collation (``collatio.collate`` in this process).

The moved sentence of each variant belongs with its base place, which no linear table can
give, so recall stays below 1 for every aligner; the figure is for comparing two versions of
collatio (``--src``) on the same witnesses, not an absolute score. A diagnostic, not a test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import synth

ROOT = Path(__file__).resolve().parent.parent

Origin = tuple[int, int, int]


def origins(text: synth.Text, base: bool, moved: bool = True) -> list[Origin | None]:
    """Each token's base origin, in the order collatio tokenizes :func:`synth.render`'s text
    (a sentence's words and commas, then its end mark, which is ``(p, s, -1)``); without
    *moved*, the tokens of a sentence moved to another paragraph count as having none."""
    out: list[Origin | None] = []
    for p, paragraph in enumerate(text.paragraphs):
        for s, sentence in enumerate(paragraph):
            if base:
                out.extend((p, s, t) for t in range(len(sentence.tokens)))
                out.append((p, s, -1))
            elif moved or (sentence.source is not None and sentence.source[0] == p):
                assert sentence.source is not None
                out.extend(sentence.origins)
                out.append((*sentence.source, -1))
            else:
                out.extend([None] * (len(sentence.tokens) + 1))
    return out


def pairs(counts: Counter[Origin]) -> int:
    """How many pairs the counted items make among themselves."""
    return sum(n * (n - 1) // 2 for n in counts.values())


def score(cells: tuple[tuple[int | None, ...], ...], truth: list[list[Origin | None]]
          ) -> tuple[float, float]:
    """(precision, recall) of the table's column pairs against *truth*."""
    together = Counter(o for row in truth for o in row if o is not None)
    wanted = pairs(together)
    found = right = 0
    for column in zip(*cells, strict=True):
        here: Counter[Origin] = Counter()
        size = 0
        for w, t in enumerate(column):
            if t is not None:
                size += 1
                o = truth[w][t]
                if o is not None:
                    here[o] += 1
        found += size * (size - 1) // 2
        right += pairs(here)
    return (right / found if found else 1.0), (right / wanted if wanted else 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=100)
    parser.add_argument("--witnesses", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1950)
    parser.add_argument("--src", default=str(ROOT / "src"), help="collatio's sources")
    args = parser.parse_args()
    sys.path.insert(0, args.src)
    import collatio

    vocabulary = synth.Vocabulary(args.seed)
    base = synth.base_text(args.words, vocabulary, args.seed)
    texts = [base] + [synth.variant_text(base, vocabulary, args.seed, args.words, k)[0]
                      for k in range(1, args.witnesses)]
    truth = [origins(text, k == 0) for k, text in enumerate(texts)]
    unmoved = [origins(text, k == 0, moved=False) for k, text in enumerate(texts)]
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, text in enumerate(texts):
            path = Path(tmp) / f"w{k:04d}.txt"
            path.write_text(synth.render(text), encoding="utf-8")
            paths.append(path)
        start = time.perf_counter()
        apparatus = collatio.collate(paths)
        seconds = time.perf_counter() - start
    table = apparatus.alignment
    if table is None:
        raise SystemExit("the apparatus holds no alignment table")
    by_siglum = {f"w{k:04d}": k for k in range(len(texts))}
    order = [by_siglum[w.siglum] for w in apparatus.witnesses]
    rows = [truth[k] for k in order]
    for row, length in zip(rows, table.lengths, strict=True):
        if len(row) != length:
            raise SystemExit(f"tokens and origins disagree: {length} tokens, {len(row)} origins")
    precision, recall = score(table.cells, rows)
    _, in_place = score(table.cells, [unmoved[k] for k in order])
    print(f"{args.witnesses} witnesses of {args.words} words: precision {precision:.4f}, "
          f"recall {recall:.4f} (moved sentences left out: {in_place:.4f}), "
          f"{len(apparatus.units)} units, {seconds:.2f} s")


if __name__ == "__main__":
    main()
