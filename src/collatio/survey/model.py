"""The survey's values: its options, the documents it read, the families and reuse it found.

Every value is frozen; a :class:`SurveyResult` is what :func:`collatio.survey` returns and
what ``survey.json`` holds (see ``docs/schemas/survey.schema.json``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping

import attrs


def _share(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, not {value!r}")


def _at_least(low: int) -> Callable[[object, attrs.Attribute[int], int], None]:
    def check(_: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{attribute.name} must be an integer >= {low}, not {value!r}")

    return check


@attrs.frozen(slots=True)
class SurveyOptions:
    """How to survey an archive: the thresholds of each step (``docs/survey.md`` says why
    each has its default).

    Families: documents are shingled into normalized word ``shingle``-grams and into their
    sets of *content words* (words found in at most ``content_df`` of the documents, and in
    at most 2 when the archive is small); each set gets a MinHash signature
    (``permutations`` / ``content_permutations`` values) cut into ``bands`` /
    ``content_bands`` LSH bands. Two documents sharing a band are a candidate pair; the
    aligner then decides: a *version* pair has at least ``family_threshold`` of each text's
    words aligned (editorial gaps discounted), a *rewrite* pair at least
    ``rewrite_threshold`` of each text's content words.

    Reuse: word ``gram``-grams are winnowed (the smallest hash of every ``window``
    consecutive ones is a fingerprint); fingerprints found in 2 to ``max_df`` documents are
    seeds; ``min_seeds`` seeds close together between two documents are extended by
    alignment into a passage, kept if at least ``min_reuse_words`` of its words align.
    """

    formats: tuple[str, ...] = ("json", "html")
    shingle: int = attrs.field(default=3, validator=_at_least(1))
    permutations: int = attrs.field(default=128, validator=_at_least(1))
    bands: int = attrs.field(default=32, validator=_at_least(1))
    content_permutations: int = attrs.field(
        default=384, validator=_at_least(1)
    )
    content_bands: int = attrs.field(default=128, validator=_at_least(1))
    content_df: float = attrs.field(default=0.05, validator=_share)
    family_threshold: float = attrs.field(default=0.4, validator=_share)
    rewrite_threshold: float = attrs.field(default=0.3, validator=_share)
    gram: int = attrs.field(default=5, validator=_at_least(2))
    window: int = attrs.field(default=4, validator=_at_least(1))
    max_df: int = attrs.field(default=50, validator=_at_least(2))
    min_seeds: int = attrs.field(default=2, validator=_at_least(1))
    min_reuse_words: int = attrs.field(default=15, validator=_at_least(2))
    max_gap: int = attrs.field(default=8, validator=_at_least(0))
    #: Bucket size above which an LSH bucket is ignored (boilerplate shared by everything).
    max_bucket: int = attrs.field(default=200, validator=_at_least(2))
    collate: bool = True
    #: Seed of the MinHash permutations (the same seed gives the same candidates).
    seed: int = 1950

    def __attrs_post_init__(self) -> None:
        if self.permutations % self.bands or self.content_permutations % self.content_bands:
            raise ValueError("the permutations must divide into the bands evenly")

    def thresholds(self) -> dict[str, object]:
        """The options as plain data (what ``survey.json`` records)."""
        return {
            field.name: (list(value) if isinstance(value, tuple) else value)
            for field, value in ((f, getattr(self, f.name)) for f in attrs.fields(type(self)))
        }


class LinkKind(enum.Enum):
    """What a verified pair of documents is."""

    VERSION = "version"  # versions of one text: most of each text aligns with the other
    REWRITE = "rewrite"  # a heavy rewrite (a new translation): most content words align
    NONE = "none"  # a candidate the aligner refused


@attrs.frozen(slots=True)
class Extent:
    """A stretch of one document: 1-based line and column of its first character and of the
    character after its last (in the source file), its words and its text."""

    document: str
    line: int
    column: int
    end_line: int
    end_column: int
    words: int
    text: str


@attrs.frozen(slots=True)
class DocumentInfo:
    """One surveyed document (a file may hold several)."""

    id: str
    path: str
    siglum: str
    label: str
    date: str | None
    words: int
    states: tuple[str, ...]
    #: The state surveyed: ``post`` for a draft with hand revisions, else ``text``.
    state: str
    family: str | None = None


@attrs.frozen(slots=True)
class PairResult:
    """A candidate pair as the aligner judged it.

    ``coverage_a`` is the share of *a*'s words aligned with *b* (matched in place or in a
    moved block), counting only the words *b* could have had (not those facing one of *b*'s
    editorial gaps); ``similarity`` is the same over both texts together.
    ``content_*`` are the same over content words only.
    """

    a: str
    b: str
    kind: LinkKind
    similarity: float = attrs.field(validator=_share)
    coverage_a: float = attrs.field(validator=_share)
    coverage_b: float = attrs.field(validator=_share)
    content_similarity: float = attrs.field(validator=_share)
    content_coverage_a: float = attrs.field(validator=_share)
    content_coverage_b: float = attrs.field(validator=_share)
    aligned_words: int
    moved_words: int
    lacunose_words: int
    #: The longest passages the two share, as (in a, in b).
    evidence: tuple[tuple[Extent, Extent], ...] = ()


@attrs.frozen(slots=True)
class Family:
    """Documents that are versions of one text, with every pair's similarity and, once
    collated, the files of its apparatus (format -> path relative to the output folder)."""

    id: str
    members: tuple[str, ...]
    pairs: tuple[PairResult, ...]
    files: Mapping[str, str] = attrs.field(factory=dict)
    units: int | None = None
    error: str | None = None
    #: Whether the apparatus was made by an earlier run and reused.
    reused: bool = False


@attrs.frozen(slots=True)
class Segment:
    """A piece of a reused passage's alignment: ``equal`` text, or what each side has."""

    tag: str
    a: str
    b: str


@attrs.frozen(slots=True)
class ReuseLink:
    """A passage of one document that reappears in another (documents not of one family)."""

    id: str
    a: Extent
    b: Extent
    aligned_words: int
    similarity: float = attrs.field(validator=_share)
    segments: tuple[Segment, ...] = ()


@attrs.frozen(slots=True)
class Skipped:
    """A file the survey could not read, and why."""

    path: str
    message: str


@attrs.frozen(slots=True)
class SurveyResult:
    """What a survey found."""

    roots: tuple[str, ...]
    documents: tuple[DocumentInfo, ...]
    families: tuple[Family, ...]
    reuse: tuple[ReuseLink, ...]
    candidates: int
    options: SurveyOptions
    seconds: float
    stages: Mapping[str, float] = attrs.field(factory=dict)
    skipped: tuple[Skipped, ...] = ()
    engine: str = "local"

    def document(self, id_or_path: str) -> DocumentInfo:
        """A document by id, by path, or by ``path#siglum``."""
        for doc in self.documents:
            if id_or_path in (doc.id, doc.path, f"{doc.path}#{doc.siglum}"):
                return doc
        raise KeyError(f"no document {id_or_path!r}")

    def family_of(self, id_or_path: str) -> Family | None:
        """The family of the document with this id or path (see :meth:`document`); None
        if it belongs to none."""
        wanted = self.document(id_or_path).family
        return next((f for f in self.families if f.id == wanted), None)

    def families_by_size(self) -> dict[int, int]:
        """How many families have each number of members, by size (ascending)."""
        sizes: dict[int, int] = {}
        for family in self.families:
            sizes[len(family.members)] = sizes.get(len(family.members), 0) + 1
        return dict(sorted(sizes.items()))
