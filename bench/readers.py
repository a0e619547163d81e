"""Readers' speed: how fast each input format is read, on the real corpora and on synthetic
transcriptions of growing size (so that a reader's cost is seen to stay linear).

    python bench/readers.py                  # corpora + synthetic 10k,100k,1M words; stdout
    python bench/readers.py --sizes 10k --repeats 1          # a quick look (under a minute)
    python bench/readers.py --out docs/readers-performance.md   # keep the report

Each row is the best of ``--repeats`` runs of :func:`collatio.parse` on the files (reading,
sniffing, the reader, states), in this process, after one warm-up read that imports the
reader. The corpora are ``../shared/corpora`` (``$COLLATIO_SHARED`` elsewhere); a missing
folder is reported, not fatal. Synthetic inputs are TEI transcriptions, Word documents and
Markdown files of N words with a revision every 20 words, made here from a fixed seed.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from run import shown_options  # noqa: E402

import collatio  # noqa: E402

SHARED = Path(os.environ.get("COLLATIO_SHARED") or ROOT.parent / "shared")

#: (row name, glob patterns under corpora/)
CORPORA: list[tuple[str, list[str]]] = [
    ("TEI, Frankenstein chunk C28 (5 files)", ["frankenstein/C28/[!c]*.xml"]),
    ("TEI, Frankenstein novel (4 files)", ["frankenstein/novel-prelim/*.xml"]),
    ("TEI, HyperCollate samples", ["hypercollate/*.xml"]),
    ("TEI parallel, Versioning Machine (12 files)", ["vmachine/*.xml"]),
    ("CollateX XML apparatus (C10, C28)", ["frankenstein/C*/collatex-reference.xml"]),
    ("Word, pandoc fixtures", ["docx/*.docx"]),
    ("Markdown, pandoc manual (3 releases)", ["markdown/*.md"]),
    ("CollateX JSON, Darwin ch. 1", ["darwin/origin-ch1-paragraphs.json"]),
]

_WORDS = ("the", "letter", "and", "a", "portrait", "of", "old", "minister", "we", "read",
          "was", "sent", "to", "printer", "with", "three", "chapters", "in", "ink", "pencil")


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def _words(n: int, rng: random.Random) -> list[str]:
    return [rng.choice(_WORDS) for _ in range(n)]


def synthetic_tei(n: int, rng: random.Random) -> bytes:
    out = ['<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
           "<title>Synthetic</title></titleStmt></fileDesc></teiHeader>"
           '<text><body><pb n="1"/><p>']
    words = _words(n, rng)
    for i in range(0, n, 20):
        chunk = words[i:i + 20]
        out.append(" ".join(chunk[:-2]))
        out.append(f' <del hand="#a">{chunk[-2] if len(chunk) > 1 else "x"}</del>'
                   f' <add hand="#a">{chunk[-1]}</add>')
        out.append("</p>\n<p>" if i % 200 == 180 else '\n<lb/>')
        if i % 2000 == 1980:
            out.append(f'<pb n="{i // 2000 + 2}"/>')
    out.append("</p></body></text></TEI>\n")
    return "".join(out).encode()


def synthetic_docx(n: int, rng: random.Random) -> bytes:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = ["<w:p>"]
    words = _words(n, rng)
    for i in range(0, n, 20):
        chunk = words[i:i + 20]
        body.append(f'<w:r><w:t xml:space="preserve">{" ".join(chunk[:-2])} </w:t></w:r>'
                    f'<w:del w:author="A" w:date="2020-01-01T00:00:00Z"><w:r><w:delText>'
                    f'{chunk[-2] if len(chunk) > 1 else "x"}</w:delText></w:r></w:del>'
                    f'<w:ins w:author="A" w:date="2020-01-01T00:00:00Z"><w:r><w:t>'
                    f'{chunk[-1]} </w:t></w:r></w:ins>')
        if i % 200 == 180:
            body.append("</w:p><w:p>")
    body.append("</w:p>")
    document = f"<w:document {w}><w:body>{''.join(body)}</w:body></w:document>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def synthetic_markdown(n: int, rng: random.Random) -> bytes:
    out = ["---\ntitle: Synthetic\nconvention: hand-revision\n---\n\n# A heading\n\n"]
    words = _words(n, rng)
    for i in range(0, n, 20):
        chunk = words[i:i + 20]
        out.append(f"{' '.join(chunk[:-4])} [{chunk[-4] if len(chunk) > 3 else 'x'}]"
                   f"(https://example.org/{i}) *{chunk[-3] if len(chunk) > 2 else 'y'}* "
                   f"~~{chunk[-2] if len(chunk) > 1 else 'z'}~~ {chunk[-1]}\n")
        if i % 200 == 180:
            out.append("\n")
    return "".join(out).encode()


SYNTHETIC: list[tuple[str, str, Callable[[int, random.Random], bytes]]] = [
    ("TEI transcription", "x.xml", synthetic_tei),
    ("Word with tracked changes", "x.docx", synthetic_docx),
    ("Markdown, declared revisions", "x.md", synthetic_markdown),
]


def best_of(repeats: int, files: Sequence[Path]) -> tuple[float, float, int, int]:
    """The best wall-clock and CPU times of *repeats* parses of *files* (witnesses and
    states made), with the witnesses and states counted."""
    collatio.parse(list(files))  # warm-up: imports the reader, fills caches
    wall = cpu = float("inf")
    witnesses = states = 0
    for _ in range(repeats):
        started, used = time.perf_counter(), time.process_time()
        result = collatio.parse(list(files))
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - used)
        witnesses = len(result.witnesses)
        states = sum(len(w.states) for w in result.witnesses)
    return wall, cpu, witnesses, states


def _row(name: str, files: Sequence[Path], repeats: int, words: str = "") -> str:
    size = sum(f.stat().st_size for f in files)
    wall, cpu, witnesses, states = best_of(repeats, files)
    rate = size / cpu / 1e6 if cpu else float("inf")
    return (f"| {name} | {words or len(files)} | {size / 1e3:,.0f} kB | {witnesses} | "
            f"{states} | {wall:.3f} s | {cpu:.3f} s | {rate:.2f} MB/s |")


def report(sizes: Sequence[int], repeats: int, corpora: bool) -> str:
    command = " ".join(["python bench/readers.py", *shown_options(sys.argv[1:])])
    lines = ["# Readers: speed", "", f"`{command}`",
             f"on {platform.python_implementation()} {platform.python_version()}, "
             f"{os.cpu_count()} cores; best of {repeats}.", ""]
    header = ["| input | files / words | size | witnesses | states | wall | CPU | rate (CPU) |",
              "|---|---|---|---|---|---|---|---|"]
    if corpora:
        root = SHARED / "corpora"
        lines += ["## The corpora", ""]
        if not root.is_dir():
            lines += [f"(no corpora at {root}: set COLLATIO_SHARED)", ""]
        else:
            lines += header
            for name, patterns in CORPORA:
                files = sorted(f for p in patterns for f in root.glob(p))
                if files:
                    lines.append(_row(name, files, repeats))
                    print(lines[-1], file=sys.stderr, flush=True)
            lines.append("")
    if sizes:
        lines += ["## Synthetic transcriptions (a revision every 20 words)", "", *header]
        rng = random.Random(1950)
        with tempfile.TemporaryDirectory(prefix="collatio-bench-readers-") as temp:
            for name, filename, make in SYNTHETIC:
                for n in sizes:
                    path = Path(temp) / filename
                    path.write_bytes(make(n, rng))
                    lines.append(_row(name, [path], repeats, f"{n:,} words"))
                    print(lines[-1], file=sys.stderr, flush=True)
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1M",
                        help="synthetic sizes in words, comma-separated (default 10k,100k,1M;"
                        " 0: none)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-corpora", action="store_true", help="synthetic inputs only")
    parser.add_argument("--out", help="write the Markdown report here (default: stdout)")
    args = parser.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",") if parse_size(s) > 0]
    text = report(sizes, max(1, args.repeats), not args.no_corpora)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
