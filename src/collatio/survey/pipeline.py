"""A survey from end to end: read, sketch, find candidates, verify, group into families,
find reuse, collate every family. Each step's work runs on the :class:`Engine`; what lies
between steps (joining keys, union-find, numbering) is small and runs here.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import attrs
import numpy as np
import numpy.typing as npt

from collatio.errors import InputError
from collatio.survey.candidates import Sketch, lsh_task, seed_task, sketch_many
from collatio.survey.collate import FamilyOutcome, FamilyTask, collate_families
from collatio.survey.documents import SurveyText, discover, read_files
from collatio.survey.engine import Engine, chunked
from collatio.survey.families import accepted, components, family_id, missing_pairs
from collatio.survey.model import (
    DocumentInfo,
    Family,
    PairResult,
    ReuseLink,
    Skipped,
    SurveyOptions,
    SurveyResult,
)
from collatio.survey.reuse import Passage, find_passages_many, reuse_link
from collatio.survey.shingles import U64
from collatio.survey.verify import judge_many, with_evidence

T = TypeVar("T")

#: Pairs per verification task (a task should take a good fraction of a second).
PAIRS_PER_TASK = 64


#: Words in more documents than this are common whatever the archive's size (in a small
#: archive a share of the documents would be a handful, and a family's own words common).
MIN_COMMON_DF = 10
#: The most frequent words that together make up this share of all words are common too
#: (what a stop-word list holds, found in the archive itself, in any language).
COMMON_MASS = 0.5


def common_words(texts: Sequence[SurveyText], share: float) -> U64:
    """Sorted codes of the *common* words: those found in more than
    ``max(MIN_COMMON_DF, share * documents)`` documents, and the most frequent words that
    make up :data:`COMMON_MASS` of all the words. The rest are *content words*."""
    present = [np.unique(t.codes[t.codes != 0]) for t in texts]
    if not present or not sum(map(len, present)):
        return np.zeros(0, np.uint64)
    codes, df = np.unique(np.concatenate(present), return_counts=True)
    widespread = codes[df > max(MIN_COMMON_DF, math.floor(share * len(texts)))]
    words, counts = np.unique(np.concatenate([t.codes[t.codes != 0] for t in texts]),
                              return_counts=True)
    order = np.argsort(-counts, kind="stable")
    mass = np.cumsum(counts[order])
    frequent = words[order[: int(np.searchsorted(mass, COMMON_MASS * mass[-1])) + 1]]
    return np.union1d(widespread, frequent)


class Survey:
    """One survey's state between steps."""

    def __init__(
        self, engine: Engine, options: SurveyOptions, log: Callable[[str], None]
    ) -> None:
        self.engine, self.options, self.log = engine, options, log
        self.stages: dict[str, float] = {}
        self._clock = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.stages[name] = round(now - self._clock, 3)
        self._clock = now

    def _tasks(self, items: Sequence[T], per_task: int | None = None) -> list[list[T]]:
        parts = self.engine.parts(len(items))
        if per_task:
            parts = max(parts, math.ceil(len(items) / per_task)) if self.engine.workers > 1 else 1
        return chunked(items, parts)

    # ------------------------------------------------------------------ steps

    def read(
        self, roots: Sequence[str], exclude: Sequence[str] = ()
    ) -> tuple[list[SurveyText], list[Skipped]]:
        paths = discover(roots, exclude)
        self.engine.fit(len(paths))
        if not paths:
            raise InputError("no documents to survey here (looked for "
                             "*.txt, *.text, *.md, *.markdown)", path=roots[0] if roots else ".")
        found = self.engine.map(read_files, chunked(paths, self.engine.parts(len(paths))),
                                label="reading")
        texts = [r for r in found if isinstance(r, SurveyText)]
        skipped = [r for r in found if isinstance(r, Skipped)]
        self.lap("read")
        return texts, skipped

    def candidates(
        self, texts: Sequence[SurveyText], common: U64
    ) -> tuple[list[Sketch], list[tuple[int, int]]]:
        sketches: list[Sketch] = self.engine.map(
            sketch_many, self._tasks([t.codes for t in texts]), common, self.options,
            label="shingling",
        )
        self.lap("shingle")
        jobs = []
        for field, bands in (("text_keys", self.options.bands),
                             ("content_keys", self.options.content_bands)):
            keys = [getattr(s, field) for s in sketches]
            step = max(1, math.ceil(bands / max(1, self.engine.parts(bands))))
            for lo in range(0, bands, step):
                jobs.append([k[lo : lo + step] for k in keys])
        pairs = self.engine.map(lsh_task, jobs, self.options.max_bucket, label="candidates")
        self.lap("candidates")
        return sketches, sorted(set(pairs))

    def verify(
        self, texts: Sequence[SurveyText], ids: Sequence[str], pairs: Sequence[tuple[int, int]],
        common: U64,
    ) -> list[PairResult]:
        """Judge *pairs* on the engine (each task gets the codes of its documents only),
        then add the evidence here, where the texts are."""
        jobs = [(chunk, _codes(texts, (d for pair in chunk for d in pair)))
                for chunk in self._tasks(pairs, PAIRS_PER_TASK)]
        judged = self.engine.map(_judge_job, jobs, common, self.options, label="verifying")
        return [with_evidence(result, texts[i], texts[j], (ids[i], ids[j]), runs)
                for i, j, result, runs in judged]

    def reuse(
        self, texts: Sequence[SurveyText], ids: Sequence[str], sketches: Sequence[Sketch],
        family_of: Sequence[int],
    ) -> list[ReuseLink]:
        parts = max(1, self.engine.parts(64))
        jobs = []
        for p in range(parts):
            jobs.append([
                (s.fingerprints[s.fingerprints % np.uint64(parts) == p],
                 s.places[s.fingerprints % np.uint64(parts) == p]) for s in sketches
            ])
        found = self.engine.map(seed_task, jobs, self.options.max_df, label="seeds")
        da = np.concatenate([f[0] for f in found])
        db = np.concatenate([f[1] for f in found])
        pa = np.concatenate([f[2] for f in found])
        pb = np.concatenate([f[3] for f in found])
        fam = np.asarray(family_of, np.int64)
        keep = (fam[da] < 0) | (fam[da] != fam[db]) if len(da) else np.zeros(0, np.bool_)
        da, db, pa, pb = da[keep], db[keep], pa[keep], pb[keep]
        order = np.lexsort((pa, db, da))
        da, db, pa, pb = da[order], db[order], pa[order], pb[order]
        items: list[tuple[int, int, npt.NDArray[np.int64], npt.NDArray[np.int64]]] = []
        if len(da):
            edges = np.flatnonzero((da[1:] != da[:-1]) | (db[1:] != db[:-1])) + 1
            for lo, hi in zip(np.concatenate(([0], edges)),
                              np.concatenate((edges, [len(da)])), strict=True):
                if hi - lo >= self.options.min_seeds:
                    items.append((int(da[lo]), int(db[lo]), pa[lo:hi], pb[lo:hi]))
        self.lap("seeds")
        jobs2 = [(chunk, _codes(texts, (d for i, j, _, _ in chunk for d in (i, j))))
                 for chunk in self._tasks(items, PAIRS_PER_TASK)]
        passages = self.engine.map(_passages_job, jobs2, self.options, label="extending")
        links = [reuse_link(texts[i], texts[j], (ids[i], ids[j]), passage)
                 for i, j, passage in passages]
        self.lap("reuse")
        return links

    def collate(self, tasks: Sequence[FamilyTask]) -> list[FamilyOutcome]:
        # the largest families first, so the longest tasks do not come last
        order = sorted(tasks, key=lambda t: -len(t.members))
        outcomes = self.engine.map(collate_families, [[t] for t in order], label="collating")
        self.lap("collate")
        return outcomes


def _codes(texts: Sequence[SurveyText], wanted: Iterable[int]) -> dict[int, U64]:
    return {d: texts[d].codes for d in sorted(set(wanted))}


def _judge_job(
    job: tuple[list[tuple[int, int]], dict[int, U64]], common: U64, options: SurveyOptions
) -> list[tuple[int, int, PairResult, list[tuple[int, int, int]]]]:
    return judge_many(job[0], job[1], common, options)


def _passages_job(
    job: tuple[list[tuple[int, int, npt.NDArray[np.int64], npt.NDArray[np.int64]]],
               dict[int, U64]],
    options: SurveyOptions,
) -> list[tuple[int, int, Passage]]:
    return find_passages_many(job[0], job[1], options)


def run_survey(
    roots: Sequence[str],
    out: str | None,
    options: SurveyOptions,
    engine: Engine,
    log: Callable[[str], None] = lambda _: None,
) -> SurveyResult:
    """Survey the documents under *roots*; with *out*, collate every family into it."""
    started = time.perf_counter()
    survey = Survey(engine, options, log)
    texts, skipped = survey.read(roots, [out] if out is not None else [])
    width = max(4, len(str(len(texts))))
    ids = [f"d{i + 1:0{width}d}" for i in range(len(texts))]
    common = common_words(texts, options.content_df)
    sketches, pairs = survey.candidates(texts, common)
    results = survey.verify(texts, ids, pairs, common)
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    edges = [(index[r.a], index[r.b]) for r in accepted(results)]
    groups = components(len(texts), edges)
    extra = missing_pairs(groups, set(pairs))
    results += survey.verify(texts, ids, extra, common)
    survey.lap("verify")
    family_of = [-1] * len(texts)
    for number, group in enumerate(groups):
        for member in group:
            family_of[member] = number
    inside: list[list[PairResult]] = [[] for _ in groups]
    for result in results:
        fa, fb = family_of[index[result.a]], family_of[index[result.b]]
        if fa >= 0 and fa == fb:
            inside[fa].append(result)
    families = [
        Family(
            family_id(number + 1),
            tuple(ids[m] for m in group),
            tuple(sorted(inside[number], key=lambda r: (index[r.a], index[r.b]))),
        )
        for number, group in enumerate(groups)
    ]
    links = survey.reuse(texts, ids, sketches, family_of)
    links.sort(key=lambda link: (index[link.a.document], link.a.line, link.a.column,
                                 index[link.b.document], link.b.line, link.b.column))
    links = [attrs.evolve(link, id=f"reuse-{k + 1:05d}") for k, link in enumerate(links)]
    if out is not None and options.collate and families:
        tasks = [
            FamilyTask(
                family.id,
                tuple((texts[index[m]].path, texts[index[m]].siglum, texts[index[m]].digest)
                      for m in family.members),
                options.formats,
                os.path.abspath(out),
            )
            for family in families
        ]
        outcomes = {o.id: o for o in survey.collate(tasks)}
        families = [
            attrs.evolve(f, files=outcomes[f.id].files, units=outcomes[f.id].units,
                         error=outcomes[f.id].error, reused=outcomes[f.id].reused)
            for f in families
        ]
    documents = tuple(
        DocumentInfo(
            ids[i], t.path, t.siglum, t.label, t.date, t.words, t.states, t.state,
            families[family_of[i]].id if family_of[i] >= 0 else None,
        )
        for i, t in enumerate(texts)
    )
    return SurveyResult(
        roots=tuple(roots),
        documents=documents,
        families=tuple(families),
        reuse=tuple(links),
        candidates=len(pairs),
        options=options,
        seconds=round(time.perf_counter() - started, 3),
        stages=dict(survey.stages),
        skipped=tuple(skipped),
        engine=engine.name,
    )
