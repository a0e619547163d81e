"""Reading an archive: the files under the given folders, each document in them, as the
compact text the survey compares.

This is the survey's only contact with collatio's readers: each file is read by the reader
the registry chooses for it (:func:`collatio.readers.choose_reader`: by content, then by
name), so every input format collatio reads is surveyed, a file holding a final and a draft
gives two documents, and a draft's hand revisions are read. Each document is kept as a
:class:`SurveyText`: the words of one state (the revised state of a draft, else its text)
as codes, with where each sits in its source.

Cost: one read of each file (plain text: about 250,000 words a second on one core here) and a
few numpy arrays per document (about 24 bytes a word).
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import zlib
from collections.abc import Iterable, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from collatio.errors import CollatioError, InputError
from collatio.normalize import Normalization
from collatio.readers import HEAD_BYTES, Product, ReadOptions, choose_reader, readers
from collatio.sources import read_bytes
from collatio.survey.model import Extent, Skipped
from collatio.textpos import LineIndex
from collatio.tokens import TokenKind, tokenize
from collatio.witness import StateName, Witness

#: How words are compared in a survey: case, accents and punctuation do not count.
NORMALIZATION = ("unicode", "typography", "case", "accents", "punctuation")

_KEPT = (TokenKind.WORD, TokenKind.NUMBER, TokenKind.GAP)

Codes = npt.NDArray[np.uint64]
Offsets = npt.NDArray[np.int32]


@attrs.frozen(slots=True, eq=False)
class SurveyText:
    """One document as the survey sees it: its compared tokens (words, numbers, and a gap
    token where an editor marked an omission), in order.

    Invariants: ``codes``, ``starts``, ``ends``, ``source_starts``, ``source_ends`` have one
    entry per token; ``text[starts[i]:ends[i]]`` is token *i*'s surface (empty for a gap);
    ``codes[i]`` is a 64-bit hash of the token's comparison form, 0 for a gap (the same word
    gives the same code in every process: the hash is CRC-32 based, not Python's salted
    ``hash``). The forms themselves are not kept: codes are all the survey compares.
    """

    key: str  # path#siglum, unique in an archive
    path: str
    siglum: str
    label: str
    date: str | None
    states: tuple[str, ...]
    state: str
    text: str = attrs.field(repr=False)
    codes: Codes = attrs.field(repr=False)
    starts: Offsets = attrs.field(repr=False)
    ends: Offsets = attrs.field(repr=False)
    source_starts: Offsets = attrs.field(repr=False)
    source_ends: Offsets = attrs.field(repr=False)
    lines: LineIndex = attrs.field(repr=False)
    digest: str

    @property
    def words(self) -> int:
        """Tokens other than gaps."""
        return int(np.count_nonzero(self.codes))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a source offset."""
        return self.lines.position(offset)

    def extent(self, document: str, lo: int, hi: int) -> Extent:
        """Tokens ``lo:hi`` (``lo < hi``) as an :class:`Extent` of the document *document*."""
        line, column = self.position(int(self.source_starts[lo]))
        end_line, end_column = self.position(int(self.source_ends[hi - 1]))
        text = self.text[int(self.starts[lo]) : int(self.ends[hi - 1])]
        words = int(np.count_nonzero(self.codes[lo:hi]))
        return Extent(document, line, column, end_line, end_column, words, text)


#: Codes already computed in this process (cleared when it grows past a million forms).
_CODES: dict[str, int] = {}


def word_code(form: str) -> int:
    """A stable 64-bit code of a comparison form (two CRC-32s), never 0.

    >>> word_code("war") == word_code("war") != word_code("peace")
    True
    """
    code = _CODES.get(form)
    if code is None:
        if len(_CODES) > 1_000_000:
            _CODES.clear()
        data = form.encode("utf-8", "surrogatepass")
        code = _CODES[form] = ((zlib.crc32(data) << 32) | zlib.crc32(data, 0x5BD1E995)) or 1
    return code


class _Remembering(Normalization):
    """The survey's normalization, remembering every form it has normalized in this process
    (an archive's documents share most of their words; the tokenizer normalizes each
    distinct form once a document). Forgets all past a million forms."""

    __slots__ = ()

    def __call__(self, text: str) -> str:
        form = _NORMS.get(text)
        if form is None:
            if len(_NORMS) > 1_000_000:
                _NORMS.clear()
            form = _NORMS[text] = Normalization.__call__(self, text)
        return form


_NORMS: dict[str, str] = {}


def normalization() -> Normalization:
    """How the survey normalizes words (:data:`NORMALIZATION`), remembering its forms."""
    plain = Normalization.from_names(NORMALIZATION)
    return _Remembering(plain.names, plain.equivalents)


def patterns() -> tuple[str, ...]:
    """The file names the survey reads: those some reader of documents claims (``*.txt``,
    ``*.json`` ...); other files under the folders are left alone."""
    found: list[str] = []
    for reader in readers():
        if reader.product is Product.WITNESSES:
            found.extend(p for p in reader.filenames if p not in found)
    return tuple(found)


def discover(roots: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Every file under *roots* (folders, or files named directly) whose name a reader
    claims (:func:`patterns`), sorted, hidden files and folders left out, and the folders
    *exclude* (the survey's own output, which holds apparatus files, when it lies inside an
    input folder); a root that does not exist is an :class:`InputError`."""
    skip = {os.path.realpath(path) for path in exclude}
    wanted = patterns()
    found: list[str] = []
    for root in roots:
        if os.path.isfile(root):
            found.append(root)
            continue
        if not os.path.isdir(root):
            raise InputError("no such file or folder", path=root)
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(
                d for d in subfolders
                if not d.startswith(".") and os.path.realpath(os.path.join(folder, d)) not in skip
            )
            found.extend(
                os.path.join(folder, name)
                for name in sorted(files)
                if not name.startswith(".")
                and any(fnmatch.fnmatch(name.lower(), pattern) for pattern in wanted)
            )
    return list(dict.fromkeys(found))


def _read(path: str) -> tuple[tuple[Witness, ...], str]:
    """The witnesses of one file, read by the reader chosen for it, and the file's digest."""
    data = read_bytes(path)
    choice = choose_reader(data[:HEAD_BYTES], path, among=(Product.WITNESSES,))
    result = choice.reader.read(data, path, ReadOptions())
    return result.witnesses, hashlib.sha1(data).hexdigest()


def read_files(paths: Sequence[str]) -> list[SurveyText | Skipped]:
    """Each file's documents as :class:`SurveyText` values, in file order; a file that
    cannot be read gives a :class:`Skipped` with the reason instead."""
    normalizer = normalization()
    out: list[SurveyText | Skipped] = []
    for path in paths:
        try:
            witnesses, digest = _read(path)
        except (CollatioError, OSError, ValueError) as exc:
            message = exc.describe() if isinstance(exc, CollatioError) else str(exc)
            out.append(Skipped(path, message))
            continue
        indexes: dict[int, LineIndex] = {}
        for witness in witnesses:
            index = indexes.get(id(witness.source))
            if index is None:
                index = indexes[id(witness.source)] = LineIndex.of(witness.source)
            out.append(survey_text(witness, index, digest, normalizer))
    return out


def read_witnesses(path: str) -> tuple[Witness, ...]:
    """The witnesses of one file (what a family's collation starts from)."""
    return _read(path)[0]


def surveyed_state(witness: Witness) -> StateName:
    """The state a survey compares: a draft as revised (its latest text), else its text."""
    return StateName.POST if witness.has_revisions else StateName.TEXT


def survey_text(
    witness: Witness, index: LineIndex, digest: str, normalization: Normalization
) -> SurveyText:
    """*witness* as the survey compares it (see :class:`SurveyText`)."""
    name = surveyed_state(witness)
    tokens = tokenize(witness.state(name), witness.siglum, normalization)
    kinds, all_norms = tokens.kinds, tokens.norms
    gap = TokenKind.GAP
    kept = [i for i, kind in enumerate(kinds)
            if kind in _KEPT and (all_norms[i] or kind is gap)]
    picked = np.array(kept, np.intp)
    norms = ["" if kinds[i] is gap else all_norms[i] for i in kept]
    distinct = {form: word_code(form) for form in set(norms) if form}
    distinct[""] = 0
    codes = np.array(list(map(distinct.__getitem__, norms)), np.uint64)
    starts = np.array(tokens.starts, np.int32)[picked]
    lengths = np.fromiter(map(len, tokens.surfaces), np.int32, len(kinds))[picked]
    source_starts = np.array(tokens.source_starts, np.int32)[picked]
    return SurveyText(
        key=f"{witness.path}#{witness.siglum}",
        path=witness.path,
        siglum=witness.siglum,
        label=witness.label,
        date=witness.metadata.date,
        states=tuple(state.name.value for state in witness.states),
        state=name.value,
        text=tokens.text,
        codes=codes,
        starts=starts,
        ends=starts + lengths,
        source_starts=source_starts,
        source_ends=source_starts + lengths,
        lines=index,
        digest=digest,
    )
